"""Test support code shared by tests/conftest.py and the test modules (not tests themselves)."""
