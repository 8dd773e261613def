"""Query log and audit trail: append-only, hash-chained, verifiable (REQUIREMENTS R-SEC-01, 02, 04).

- :mod:`xinyong.audit.chain`: the pure hash chain and its verifier (standard library only);
- :mod:`xinyong.audit.models`: the `audit_log` and `audit_heads` tables;
- :mod:`xinyong.audit.service`: append, verify, "who looked at me", retention purge;
- :mod:`xinyong.audit.cli`: `xinyong audit verify | list | purge`.

Nothing is imported here so that importing the pure chain does not pull in the database layer.
"""
