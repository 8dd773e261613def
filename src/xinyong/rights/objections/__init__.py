"""Objections (异议) and corrections (更正): cases, stages with computed due dates, record versions.

The router is `xinyong.rights.objections.router.router` (mounted under /api/v1/{jurisdiction}), the
CLI is `xinyong.rights.objections.cli.app` (`xinyong objections ...`).
"""
