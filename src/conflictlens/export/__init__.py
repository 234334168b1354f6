"""export: event dicts -> the files analysts' tools read.

Every writer takes the event dicts the store returns (``ExtractionResult.to_dict()``
events, or ``Store.events()`` with their ``stored`` numbers and times) so that exports
never need the database.

- ``acled-csv`` / ``acled-json``: ACLED's columns, codes and value forms, checked
  against real ACLED exports (``acled.py``; the codes in ``codes.py``, source, notes
  and tags in ``notes.py``, reference tables in ``reference.py``), so the files drop
  into workflows built on ACLED downloads or its API.
- ``parquet`` / ``geoparquet``: ACLED's columns typed, then ConflictLens's own
  (``table.py``); ``geojson``: the same row as each point's properties; ``jsonl``: the
  full event dicts.

Merged events (``dedupe.merge_across``) take the lowest ``event_id_cnty`` number of
the reports they merge: pass the unmerged events as ``members`` (id -> event dict).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conflictlens.export.acled import (
    ACLED_COLUMNS,
    ACLED_TYPES,
    acled_row,
    acled_rows,
    write_acled_csv,
    write_acled_json,
)
from conflictlens.export.codes import (
    civilian_targeting,
    event_date,
    geo_precision,
    inter_code,
    interaction_code,
    time_precision,
)
from conflictlens.export.notes import notes, sources
from conflictlens.export.reference import DATA_DIR, NO_COUNTRY, region_for
from conflictlens.export.table import (
    EXTRA_TYPES,
    FLAT_COLUMNS,
    FLAT_TYPES,
    PARTICIPANT_FIELDS,
    arrow_schema,
    flat_rows,
    flatten,
    write_geojson,
    write_geoparquet,
    write_jsonl,
    write_parquet,
)

__all__ = [
    "ACLED_COLUMNS",
    "ACLED_TYPES",
    "DATA_DIR",
    "EXTRA_TYPES",
    "FLAT_COLUMNS",
    "FLAT_TYPES",
    "FORMATS",
    "NO_COUNTRY",
    "PARTICIPANT_FIELDS",
    "ExportCount",
    "ExportFormat",
    "acled_row",
    "acled_rows",
    "arrow_schema",
    "civilian_targeting",
    "event_date",
    "export",
    "flat_rows",
    "flatten",
    "geo_precision",
    "inter_code",
    "interaction_code",
    "notes",
    "region_for",
    "sources",
    "time_precision",
    "write_acled_csv",
    "write_acled_json",
    "write_geojson",
    "write_geoparquet",
    "write_jsonl",
    "write_parquet",
]


def __getattr__(name: str) -> Any:
    # The Arrow schema needs pyarrow (the ``parquet`` extra): built when first asked for.
    if name == "FLAT_SCHEMA":
        return arrow_schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class ExportFormat:
    """How the CLI writes one format: file suffix, binary or text, and the writer
    (``write(events, fp_or_path, *, timestamp=None, members=None)``)."""

    name: str
    suffix: str
    binary: bool
    write: Callable[..., int]


@dataclass(frozen=True)
class ExportCount:
    written: int
    skipped: int = 0


FORMATS: dict[str, ExportFormat] = {
    "acled-csv": ExportFormat("acled-csv", ".csv", False, write_acled_csv),
    "acled-json": ExportFormat("acled-json", ".json", False, write_acled_json),
    "geojson": ExportFormat("geojson", ".geojson", False, write_geojson),
    "jsonl": ExportFormat("jsonl", ".jsonl", False, write_jsonl),
    "parquet": ExportFormat("parquet", ".parquet", True, write_parquet),
    "geoparquet": ExportFormat("geoparquet", ".parquet", True, write_geoparquet),
}


def export(
    events: Iterable[Mapping[str, Any]],
    fmt: str,
    path: str | Path | None = None,
    *,
    members: Mapping[str, Mapping[str, Any]] | None = None,
    timestamp: int | None = None,
) -> ExportCount:
    """Write ``events`` in format ``fmt`` to ``path`` (None or "-": standard output).

    ``members``: the unmerged event dicts by id, when ``events`` were merged across
    articles (their numbers give the merged rows theirs). ``timestamp``: the Unix time
    of events that carry no stored time (default: now).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    spec = FORMATS[fmt]
    events = list(events)
    options = {"members": members, "timestamp": timestamp}
    to_stdout = path is None or str(path) == "-"
    if spec.binary:
        if to_stdout:
            written = spec.write(events, sys.stdout.buffer, **options)
            sys.stdout.buffer.flush()
        else:
            written = spec.write(events, Path(path), **options)
        return ExportCount(written)
    if to_stdout:
        result = spec.write(events, sys.stdout, **options)
    else:
        with open(path, "w", encoding="utf-8", newline="") as fp:
            result = spec.write(events, fp, **options)
    if fmt == "geojson":
        return ExportCount(len(events) - result, result)
    return ExportCount(result)
