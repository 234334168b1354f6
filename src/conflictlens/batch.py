"""Many documents into the store: extraction spread over the cores, one failure
boundary per document, idempotent by content hash. What ``conflictlens ingest`` and
``conflictlens watch`` both run; the CLI only reports.

    >>> with Store.open("events.db") as store:
    ...     counts = ingest_documents(store, documents)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from conflictlens.models import Document
from conflictlens.store import Store, redated

#: Called once per document with (document, outcome, reason): outcome is "added",
#: "updated", "unchanged" or "failed" (then reason says why, in one line).
OnDone = Callable[[Document, str, str | None], None]


def ingest_documents(
    store: Store, documents: Iterable[Document], on_done: OnDone | None = None
) -> Counter[str]:
    """Extract and store every document not stored before (or stored with another
    publication date); a document whose extraction or write fails is recorded as failed
    with its reason and the others go on. Returns the count of each outcome."""
    from conflictlens.pipeline import process_safely

    counts: Counter[str] = Counter({"added": 0, "updated": 0, "unchanged": 0, "failed": 0})

    def done(document: Document, outcome: str, reason: str | None = None) -> None:
        counts[outcome] += 1
        if outcome == "failed":
            store.add_failure(document, document.content_hash, reason or "failed")
        if on_done is not None:
            on_done(document, outcome, reason)

    known = {d["content_hash"]: d["published"] for d in store.documents(status="ok")}
    todo = []
    for document in documents:
        if document.content_hash in known and not redated(known[document.content_hash], document):
            done(document, "unchanged")  # stored before: re-ingesting changes nothing
        else:
            known[document.content_hash] = document.published
            todo.append(document)
    for document, result, reason in process_safely(todo):
        if result is None:
            done(document, "failed", reason or "failed")
            continue
        try:
            outcome = store.add_result(document, result)
        except Exception as exc:  # noqa: BLE001 - this document's write alone
            done(document, "failed", f"could not store: {store_error(exc)}")
            continue
        done(document, str(outcome))
    return counts


def store_error(exc: Exception) -> str:
    """The database's own message, one line: SQLAlchemy's text would add the statement
    and its parameters (the article text)."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines() or [""]
    first = " ".join(lines[0].split())
    return f"{type(cause).__name__}: {first[:300]}"
