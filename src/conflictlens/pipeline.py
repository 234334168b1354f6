"""The whole flow for one document: ingest -> structure -> analyse -> extract -> merge
-> resolve. This is the Python API the CLI and the server are thin shells over.

DESIGN.md lists resolve before merge. Here the resolution that merging needs (dates
against the reference date, toponyms against the gazetteer) happens as mentions are
extracted, and the rest (actor names in the event's country, ACLED sub-types, defaults)
once per merged event, where all its mentions are known. Merging across articles
(``conflictlens.dedupe``) runs over stored events, when they are listed or exported.

    >>> from conflictlens.pipeline import extract_file
    >>> result = extract_file("rfi-karachi-interview.txt")
    >>> [e.type_string for e in result.events]
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from conflictlens.analyse import (
    analyse,
    analyse_many,
    limit_blas_threads,
    load_model,
    single_blas_thread,
)
from conflictlens.dates import parse_iso
from conflictlens.errors import ConflictLensError
from conflictlens.extract import extract
from conflictlens.ingest import document_from_bytes, read_file
from conflictlens.merge import merge_mentions
from conflictlens.models import Article, Document, ExtractionResult
from conflictlens.resolve import resolve_all
from conflictlens.roles import load_roles
from conflictlens.structure import structure


def reference_date(article: Article, document: Document | None = None) -> dt.date:
    """What "Friday" is relative to: the publication date, else the date of ingest."""
    for value in (article.published, document.published if document else None):
        if value:
            parsed = parse_iso(value)
            if parsed is not None:
                return parsed
    return dt.date.today()


def events_of(article: Article, doc, document: Document | None) -> ExtractionResult:
    """Extract, merge and resolve the events of an analysed article."""
    ref = reference_date(article, document)
    mentions, ctx = extract(article, doc, ref)
    clusters = merge_mentions(mentions)
    events = resolve_all(clusters, article, ctx)
    return ExtractionResult(article=article, events=events)


def process(document: Document) -> ExtractionResult:
    article = structure(document)
    return events_of(article, analyse(article.body, article.language or "en"), document)


#: Below this many documents, starting worker processes costs more than it saves.
PARALLEL_MIN_DOCUMENTS = 48
#: Documents one worker takes at a time (parsed together with spaCy's nlp.pipe).
CHUNK = 16


#: What a batch yields per document: the result, or the one-line reason it failed.
Outcome = tuple[Document, ExtractionResult | None, str | None]


def _process_chunk(documents: list[Document], batch_size: int = 16) -> list[ExtractionResult]:
    articles = [structure(d) for d in documents]
    parsed = analyse_many([a.body for a in articles], batch_size=batch_size, n_process=1)
    return [
        events_of(article, doc, document)
        for document, article, doc in zip(documents, articles, parsed, strict=True)
    ]


def _failure(exc: Exception) -> str:
    if isinstance(exc, ConflictLensError):
        return str(exc)
    return f"extraction failed: {type(exc).__name__}: {exc}"


def _process_chunk_safely(documents: list[Document], batch_size: int = 16) -> list[Outcome]:
    """Like _process_chunk, but one bad document fails alone, with its reason."""
    articles: list[Article | None] = []
    reasons: list[str | None] = []
    for document in documents:
        try:
            articles.append(structure(document))
            reasons.append(None)
        except Exception as exc:  # noqa: BLE001 - recorded against the document
            articles.append(None)
            reasons.append(_failure(exc))
    bodies = [a.body for a in articles if a is not None]
    parsed = iter(analyse_many(bodies, batch_size=batch_size, n_process=1))
    out: list[Outcome] = []
    for document, article, reason in zip(documents, articles, reasons, strict=True):
        if article is None:
            out.append((document, None, reason))
            continue
        doc = next(parsed)
        try:
            out.append((document, events_of(article, doc, document), None))
        except Exception as exc:  # noqa: BLE001 - recorded against the document
            out.append((document, None, _failure(exc)))
    return out


def process_safely(
    documents: Iterable[Document], batch_size: int = 16, n_process: int | None = None
) -> Iterator[Outcome]:
    """For ingest: every document's result or failure, in input order, batched and spread
    over every core like :func:`process_many`, never stopping at a bad document."""
    yield from _run_chunks(_process_chunk_safely, list(documents), batch_size, n_process)


def process_many(
    documents: Iterable[Document], batch_size: int = 16, n_process: int | None = None
) -> Iterator[ExtractionResult]:
    """Batched, and for large batches spread over every core, in input order.

    Each worker runs the whole pipeline on a chunk of documents and sends back only the
    small ExtractionResults: shipping parsed spaCy Docs between processes costs more than
    our own stages do.
    """
    yield from _run_chunks(_process_chunk, list(documents), batch_size, n_process)


def _run_chunks(work, docs: list[Document], batch_size: int, n_process: int | None) -> Iterator:
    if n_process is None:
        n_process = min(os.cpu_count() or 1, 4) if len(docs) >= PARALLEL_MIN_DOCUMENTS else 1
    if n_process <= 1:
        for i in range(0, len(docs), CHUNK):
            yield from work(docs[i : i + CHUNK], batch_size)
        return
    load_model("en")  # loaded once here, shared with forked workers copy-on-write
    load_roles()
    chunks = [docs[i : i + CHUNK] for i in range(0, len(docs), CHUNK)]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with (
        single_blas_thread(),
        ProcessPoolExecutor(n_process, mp_context=context, initializer=limit_blas_threads) as pool,
    ):
        for results in pool.map(work, chunks, [batch_size] * len(chunks)):
            yield from results


def extract_file(path: str | Path, published: str | None = None) -> ExtractionResult:
    document = read_file(Path(path))
    if published:
        document.published = published
    return process(document)


def extract_text(
    text: str, *, published: str | None = None, url: str | None = None
) -> ExtractionResult:
    document = document_from_bytes(text.encode("utf-8"), "<text>", url=url, published=published)
    return process(document)
