"""The whole flow for one document: ingest -> structure -> analyse -> extract -> merge
-> resolve. This is the Python API the CLI and the server are thin shells over.

DESIGN.md lists resolve before merge. Here the resolution that merging needs (dates
against the reference date, toponyms against the gazetteer) happens as mentions are
extracted, and the rest (actor names in the event's country, ACLED sub-types, defaults)
once per merged event, where all its mentions are known. Merging across articles
(``conflictlens.stages.dedupe``) runs over stored events, when they are listed or exported.

    >>> from conflictlens.pipeline import extract_file
    >>> result = extract_file("rfi-karachi-interview.txt")
    >>> [e.type_string for e in result.events]
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from conflictlens.coder.decode import code_extractions
from conflictlens.dates import parse_iso
from conflictlens.errors import ConflictLensError
from conflictlens.models import Article, Document, ExtractionResult
from conflictlens.roles import load_roles
from conflictlens.stages.analyse import (
    analyse,
    analyse_many,
    check_length,
    language_warning,
    limit_blas_threads,
    load_model,
    model_language,
    single_blas_thread,
)
from conflictlens.stages.extract import Extraction, add_model_roles, extract_mentions
from conflictlens.stages.ingest import document_from_bytes, read_file
from conflictlens.stages.merge import merge_mentions
from conflictlens.stages.resolve import resolve_all
from conflictlens.stages.structure import detect_language, structure


def reference_date(article: Article, document: Document | None = None) -> dt.date | None:
    """What "Friday" is relative to: the publication date (the report's own, else the
    one given with it; see ``structure``), or None -- never the machine's clock, which
    would date a report read a year late to the week it was read."""
    for value in (article.published, document.published if document else None):
        if value:
            parsed = parse_iso(value)
            if parsed is not None:
                return parsed
    return None


def events_of(
    article: Article, doc, document: Document | None, code: bool = True
) -> ExtractionResult:
    """Extract, code, merge and resolve the events of an analysed article. ``code=False``
    leaves the learned coder out (the MUC-4 path: its own encoder types the templates,
    and the coder's retyping costs it 0.006 F1 on dev)."""
    found = extract_mentions(article, doc, reference_date(article, document))
    if code:
        code_extractions([found])
    add_model_roles([found])
    return _result(article, found)


def _result(article: Article, found: Extraction) -> ExtractionResult:
    clusters = merge_mentions(found.mentions)
    events = resolve_all(clusters, article, found.context)
    warnings = []
    if found.context.reference is None:
        warnings.append(NO_REFERENCE)
    unread = language_warning(article.language)
    if unread:
        warnings.append(unread)
    return ExtractionResult(article=article, events=events, warnings=warnings)


#: The warning of a report with no publication date (stated or given).
NO_REFERENCE = (
    "no publication date in the document and none given (--published): relative dates "
    "such as 'on Friday' are left unresolved, undated events get precision 'unknown'"
)


def _structure(document: Document) -> Article:
    """The structure stage, and the refusal of a body too long for one report, before
    any parse is spent on it."""
    article = structure(document)
    check_length(article.body)
    return article


def process(document: Document) -> ExtractionResult:
    article = _structure(document)
    result = events_of(article, analyse(article.body, article.language or "en"), document)
    result.source = document.source
    return result


T = TypeVar("T")

#: Below this many documents, starting worker processes costs more than it saves.
PARALLEL_MIN_DOCUMENTS = 48
#: Documents one worker takes at a time (parsed together with spaCy's nlp.pipe).
CHUNK = 16


#: What a batch yields per document: the result, or the one-line reason it failed.
Outcome = tuple[Document, ExtractionResult | None, str | None]


def _process_chunk(documents: list[Document], batch_size: int = 16) -> list[ExtractionResult]:
    # strict: a failure raises, so every document has its result
    outcomes = _chunk(documents, batch_size, strict=True)
    return [result for _, result, _ in outcomes if result is not None]


def _process_chunk_safely(documents: list[Document], batch_size: int = 16) -> list[Outcome]:
    """Like _process_chunk, but one bad document fails alone, with its reason."""
    return _chunk(documents, batch_size, strict=False)


def _failure(exc: Exception) -> str:
    if isinstance(exc, ConflictLensError):
        return str(exc)
    return f"extraction failed: {type(exc).__name__}: {exc}"


def _chunk(documents: list[Document], batch_size: int, strict: bool) -> list[Outcome]:
    """The whole flow for a chunk of documents, stage by stage: one spaCy pass, one coder
    pass and one role-tagger pass for all of them. Not strict: a document whose stage
    raises is recorded as failed with the reason, and the others go on."""
    reasons: list[str | None] = [None] * len(documents)

    def attempt(i: int, stage: Callable[..., T], *args: Any) -> T | None:
        if strict:
            return stage(*args)
        try:
            return stage(*args)
        except Exception as exc:  # noqa: BLE001 - recorded against the document
            reasons[i] = _failure(exc)
            return None

    articles = [attempt(i, _structure, d) for i, d in enumerate(documents)]
    live = [i for i, a in enumerate(articles) if a is not None]
    try:
        parsed = {}
        for language, group in _by_language(articles, live).items():
            bodies = [articles[i].body for i in group]
            docs = analyse_many(bodies, language, batch_size=batch_size, n_process=1)
            parsed.update(zip(group, docs, strict=True))
    except Exception:
        if strict:
            raise
        parsed = {}  # parse them one by one, to find the document it was
        for i in live:
            doc = attempt(i, analyse, articles[i].body, articles[i].language or "en")
            if doc is not None:
                parsed[i] = doc
        live = [i for i in live if i in parsed]
    found = {
        i: attempt(
            i, extract_mentions, articles[i], parsed[i], reference_date(articles[i], documents[i])
        )
        for i in live
    }
    ok = [i for i in live if found[i] is not None]
    for batch_stage in (code_extractions, add_model_roles):
        try:
            batch_stage([found[i] for i in ok])
        except Exception:
            if strict:
                raise
            for i in ok:  # find the document it was, and let the others go on
                if reasons[i] is None:
                    attempt(i, batch_stage, [found[i]])
            ok = [i for i in ok if reasons[i] is None]
    out: list[Outcome] = []
    for i, document in enumerate(documents):
        result = None
        if reasons[i] is None:
            result = attempt(i, _result, articles[i], found[i])
        if result is not None:
            result.source = document.source
        out.append((document, result, reasons[i]))
    return out


def _language_of(document: Document) -> str:
    """The model a document will be parsed with, guessed from its first characters."""
    return model_language(detect_language(document.content[:3000]))


def _by_language(articles: list[Article | None], live: list[int]) -> dict[str, list[int]]:
    """The documents of a chunk grouped by the model that parses them, in input order."""
    groups: dict[str, list[int]] = {}
    for i in live:
        groups.setdefault(model_language(articles[i].language), []).append(i)
    return groups


def process_safely(
    documents: Iterable[Document], batch_size: int = 16, n_process: int | None = None
) -> Iterator[Outcome]:
    """For ingest: every document's result or failure, in input order, batched and spread
    over every core like :func:`process_many`, never stopping at a bad document."""
    yield from _run_chunks(_process_chunk_safely, documents, batch_size, n_process)


def process_many(
    documents: Iterable[Document], batch_size: int = 16, n_process: int | None = None
) -> Iterator[ExtractionResult]:
    """Batched, and for large batches spread over every core, in input order; streamed:
    documents are read from the iterable as workers need them, so a long batch never sits
    in memory whole.

    Each worker runs the whole pipeline on a chunk of documents and sends back only the
    small ExtractionResults: shipping parsed spaCy Docs between processes costs more than
    our own stages do.
    """
    yield from _run_chunks(_process_chunk, documents, batch_size, n_process)


def _chunks(items: Iterator[Document], size: int) -> Iterator[list[Document]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _run_chunks(
    work, documents: Iterable[Document], batch_size: int, n_process: int | None
) -> Iterator:
    docs = iter(documents)
    head = list(itertools.islice(docs, PARALLEL_MIN_DOCUMENTS))
    if n_process is None:
        n_process = min(os.cpu_count() or 1, 4) if len(head) >= PARALLEL_MIN_DOCUMENTS else 1
    chunks = _chunks(itertools.chain(head, docs), CHUNK)
    if n_process <= 1:
        for chunk in chunks:
            yield from work(chunk, batch_size)
        return
    # Loaded once here, shared with forked workers copy-on-write: English, and the model
    # of any other language the first documents are in (a French feed).
    for language in {"en", *(_language_of(d) for d in head)}:
        load_model(language)
    load_roles()
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    # Two chunks in flight per worker keep every core busy while bounding what is held.
    in_flight: collections.deque = collections.deque()
    with (
        single_blas_thread(),
        ProcessPoolExecutor(n_process, mp_context=context, initializer=limit_blas_threads) as pool,
    ):
        for chunk in chunks:
            in_flight.append(pool.submit(work, chunk, batch_size))
            if len(in_flight) >= 2 * n_process:
                yield from in_flight.popleft().result()
        while in_flight:
            yield from in_flight.popleft().result()


def extract_file(
    path: str | Path, published: str | None = None, *, force_published: bool = False
) -> ExtractionResult:
    document = read_file(Path(path), published=published, force_published=force_published)
    return process(document)


def extract_text(
    text: str,
    *,
    published: str | None = None,
    url: str | None = None,
    force_published: bool = False,
) -> ExtractionResult:
    document = document_from_bytes(
        text.encode("utf-8"),
        "<text>",
        url=url,
        published=published,
        force_published=force_published,
    )
    return process(document)
