"""Import and export in the interchange format (needs, offers, judged matches)."""
