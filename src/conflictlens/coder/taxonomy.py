"""The coder's label sets: ACLED sub-types (from ``kb.taxonomy``) and span roles."""

from __future__ import annotations

from conflictlens.kb.taxonomy import ACLED_TAXONOMY, NONE, SUBTYPES  # noqa: F401 - re-exported

#: Argument roles the span head marks.
SPAN_ROLES: tuple[str, ...] = ("ACTOR1", "ACTOR2", "ASSOC1", "LOC", "FATAL", "DATE")
#: Word-piece tags: "O", then B- and I- of each role.
TAGS: tuple[str, ...] = ("O", *(f"{p}-{r}" for r in SPAN_ROLES for p in "BI"))
#: Classes of the toll head: no dead, one dead not given as a number, the FATAL spans' sum.
TOLLS: tuple[str, ...] = ("none", "one", "spans")
