"""Demo data and accounts, shipped with the platform."""
