"""Accounts: log in and out, invitations, access rules."""
