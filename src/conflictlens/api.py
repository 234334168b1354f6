"""The Python API: what ``import conflictlens`` offers, in the manner of spaCy's
``nlp(text)`` / ``nlp.pipe(texts)``.

    >>> import conflictlens
    >>> result = conflictlens.extract("Gunmen killed two police officers in Quetta on Friday.",
    ...                               published="2024-03-08")
    >>> [e.sub_event_type for e in result.events]
    ['Attack']
    >>> for r in conflictlens.extract_many(["...", {"text": "...", "published": "2024-03-08"}]):
    ...     print(r.source, r.error or len(r.events))

Each function is a thin shell over ``conflictlens.pipeline`` (the same engine the CLI and
the server run); a result is an ``ExtractionResult`` whose ``to_dict()`` is the JSON of
``conflictlens extract --format json``.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conflictlens.errors import InputError
from conflictlens.models import Article, Document, Event, ExtractionResult
from conflictlens.pipeline import process, process_safely
from conflictlens.stages.ingest import (
    document_from_bytes,
    document_from_record,
    document_from_text,
    publication_date,
    read_file,
)

if TYPE_CHECKING:
    import pandas

_PANDAS_DTYPES = {"string": "string", "int64": "Int64", "float64": "Float64", "bool": "boolean"}

#: A str longer than this, or with a line break, is always text, never a file name.
_MAX_PATH = 4096

Source = str | os.PathLike[str]
Item = str | os.PathLike[str] | Mapping[str, Any]


def _is_path(value: Source) -> bool:
    if isinstance(value, os.PathLike):
        return True
    if len(value) > _MAX_PATH or "\n" in value:
        return False
    try:
        return Path(value).is_file()
    except (OSError, ValueError):
        return False


def _document(item: Item, index: int, published: str | None, force: bool) -> Document:
    """One input -> a Document; InputError (one line) when it cannot be read."""
    if isinstance(item, Mapping):
        return document_from_record(
            item, f"<item {index}>", published=published, force_published=force
        )
    if isinstance(item, str | os.PathLike) and _is_path(item):
        return read_file(Path(item), published=published, force_published=force)
    if isinstance(item, str):
        return document_from_text(
            item, f"<item {index}>", published=published, force_published=force
        )
    if isinstance(item, bytes):
        return document_from_bytes(
            item, f"<item {index}>", published=published, force_published=force
        )
    raise InputError(f"cannot read an item of type {type(item).__name__}")


def extract(
    text_or_path: Source,
    published: str | None = None,
    *,
    force_published: bool = False,
    url: str | None = None,
) -> ExtractionResult:
    """The events of one report: a text, or the path of a text or HTML file (a ``Path``,
    or a one-line str naming a file that exists).

    ``published`` (an ISO date or any full date form, "Feb 7, 2024") is the date relative
    expressions are read against when the report states none; ``force_published`` puts it
    before the report's own. Raises ``conflictlens.InputError`` (one line) for input that
    is no report: empty, binary, a missing file, an unreadable date.
    """
    if _is_path(text_or_path):
        document = read_file(
            Path(text_or_path), published=published, force_published=force_published
        )
    else:
        document = document_from_text(
            str(text_or_path),
            "<text>",
            url=url,
            published=published,
            force_published=force_published,
        )
    return process(document)


@dataclass
class _Unreadable:
    """An item that never became a Document, kept in its place in the stream."""

    source: str
    reason: str


def extract_many(
    items: Iterable[Item],
    *,
    published: str | None = None,
    force_published: bool = False,
    n_process: int | None = None,
    batch_size: int = 16,
) -> Iterator[ExtractionResult]:
    """Results for many reports, in input order, streamed as they are ready (the items
    are read lazily, so a generator over a large archive never sits in memory whole).

    An item is a text, a file path (``Path``, or a str naming a file), bytes, or a dict
    like a JSONL line: ``{"text" | "html": ..., "url"?, "published"?, "force_published"?,
    "id"?}``. A bad item never stops the batch: its result has ``error`` set (one line)
    and no events. ``n_process``: worker processes (default: one per core, at most 4,
    for batches of 48 or more); ``batch_size``: texts spaCy parses together.
    """
    if published is not None:
        published = publication_date(published)  # a bad default is the caller's error
    if force_published and published is None:
        raise InputError("force_published needs a published date")

    def documents() -> Iterator[Document | _Unreadable]:
        for index, item in enumerate(items):
            try:
                yield _document(item, index, published, force_published)
            except InputError as exc:
                source = str(item) if isinstance(item, os.PathLike) else f"<item {index}>"
                yield _Unreadable(source, str(exc))

    # The pipeline sees Documents only; each unreadable item waits in ``pending`` until
    # the results of the documents before it are out, so that input order is kept.
    pending: collections.deque[Document | _Unreadable] = collections.deque()

    def only_readable() -> Iterator[Document]:
        for entry in documents():
            pending.append(entry)
            if isinstance(entry, Document):
                yield entry

    outcomes = process_safely(only_readable(), batch_size=batch_size, n_process=n_process)
    for document, result, reason in outcomes:
        while isinstance(pending[0], _Unreadable):
            yield _failed(pending.popleft())
        pending.popleft()  # this document (a copy of it when it went to a worker)
        if result is None:
            yield ExtractionResult(
                article=Article(), events=[], source=document.source, error=reason
            )
        else:
            yield result
    while pending:  # unreadable items after the last document
        yield _failed(pending.popleft())


def _failed(entry: Document | _Unreadable) -> ExtractionResult:
    assert isinstance(entry, _Unreadable)
    return ExtractionResult(article=Article(), events=[], source=entry.source, error=entry.reason)


def to_dataframe(
    items: ExtractionResult | Event | Mapping[str, Any] | Iterable[Any],
) -> pandas.DataFrame:
    """A pandas DataFrame, one row per event, in the flat layout of GeoJSON properties
    and Parquet columns (``conflictlens.export.FLAT_COLUMNS``), with their types.

    Takes results, events, event dicts (as the store and ``to_dict`` give them), or an
    iterable mixing them. Needs pandas (``pip install conflictlens[pandas]``).
    """
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_dataframe needs pandas: pip install 'conflictlens[pandas]'") from None

    from conflictlens.export import FLAT_COLUMNS, FLAT_TYPES, flatten

    if isinstance(items, ExtractionResult | Event | Mapping):
        items = [items]
    rows: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, ExtractionResult):
            rows.extend(flatten(e.to_dict()) for e in item.events)
        elif isinstance(item, Event):
            rows.append(flatten(item.to_dict()))
        elif isinstance(item, Mapping):
            rows.append(flatten(item))
        else:
            raise TypeError(f"to_dataframe takes results, events or event dicts, not {item!r}")
    # The Parquet column types, as pandas' nullable dtypes: a toll that is unknown stays
    # missing instead of turning the column into floats.
    frame = pd.DataFrame.from_records(rows, columns=FLAT_COLUMNS)
    for column, kind in FLAT_TYPES.items():
        if kind == "date32":
            frame[column] = pd.to_datetime(frame[column], errors="coerce")
        else:
            frame[column] = frame[column].astype(_PANDAS_DTYPES[kind])
    return frame
