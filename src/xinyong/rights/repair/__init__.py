"""Credit repair (信用修复): applications, eligibility, decisions with due dates, effects.

The API router is `xinyong.rights.repair.router.router`, the CLI `xinyong.rights.repair.cli.app`.
"""
