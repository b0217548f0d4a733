"""Signing in: the second factor, lockout, session limits and the security log."""
