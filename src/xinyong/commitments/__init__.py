"""Credit commitments (信用承诺): 告知承诺, 容缺受理, public commitments, verification, the route check."""
