"""Measures lists (措施清单): incentive and sanction measures with their basis, as data."""
