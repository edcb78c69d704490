"""Donors' offers."""
