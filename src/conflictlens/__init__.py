"""ConflictLens: political-violence events from news reports, offline."""

__version__ = "0.1.0"
