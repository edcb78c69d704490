"""Candidate matches: the engine's ranking of offers for each need, stored."""
