"""Lookups over data, no weights: the ACLED taxonomy (more to move here: gazetteer,
actors, dates, tolls -- DESIGN.md's layout)."""
