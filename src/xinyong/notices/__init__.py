"""Notification outbox: every notice the platform owes is stored first, delivered later by a transport."""
