"""Lists (名单): severe dishonesty, red (incentive), key attention and business anomaly listings.

Contract for other features: `xinyong.lists.facts.active_listings` (ListingFact). The router is
`xinyong.lists.router.router` (mounted under /api/v1/{jurisdiction}), the CLI
`xinyong.lists.cli.app` (`xinyong listings ...`).
"""
