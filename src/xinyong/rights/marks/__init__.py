"""Statements (附注), withholding good information, archive requests, contests and reorganization.

The API router is `xinyong.rights.marks.router.router`.
"""
