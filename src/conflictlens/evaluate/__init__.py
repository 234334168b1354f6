"""Scoring: how good the extraction is, measured against three kinds of truth.

* ``gold``: the corpus gold files (``NAME.gold.json``), event P/R/F1 and per-field
  accuracy after matching, plus the article structure.
* ``muc``: MUC-4 templates, the GTT scorer's definition.
* ``acled``: ACLED rows, whose ``notes`` are the text and whose coding is the truth,
  one event per row.

Everything other modules import from ``conflictlens.evaluate`` is re-exported here.
"""

from __future__ import annotations

from .acled import (
    ACLED_SUBTYPES,
    ACLED_TAXONOMY,
    AcledLoad,
    AcledScore,
    is_acled_file,
    load_acled,
    predict_acled,
    score_acled,
)
from .gold import (
    CITY_RADIUS_KM,
    EVENT_FIELDS,
    CorpusScore,
    DocScore,
    GoldScore,
    load_gold,
    score_article,
    score_corpus,
    score_events,
)
from .muc import (
    MUC_ROLES,
    MucScore,
    load_muc,
    norm_mention,
    predictions_json,
    score_muc,
)
from .muc import _incident_types as _incident_types  # scripts/train_encoder.py uses it

__all__ = [
    "ACLED_SUBTYPES",
    "ACLED_TAXONOMY",
    "CITY_RADIUS_KM",
    "EVENT_FIELDS",
    "MUC_ROLES",
    "AcledLoad",
    "AcledScore",
    "CorpusScore",
    "DocScore",
    "GoldScore",
    "MucScore",
    "is_acled_file",
    "load_acled",
    "load_gold",
    "load_muc",
    "norm_mention",
    "predict_acled",
    "predictions_json",
    "score_acled",
    "score_article",
    "score_corpus",
    "score_events",
    "score_muc",
]
