"""Exports of needs, offers and matches (CSV, interchange JSON, IATI XML): each
user gets exactly what the pages show them."""
