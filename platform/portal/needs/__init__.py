"""Requesting States' needs."""
