"""Many documents into the store: extraction spread over the cores, one failure
boundary per document, idempotent by content hash. What ``conflictlens ingest`` and
``conflictlens watch`` both run; the CLI only reports.

    >>> with Store.open("events.db") as store:
    ...     counts = ingest_documents(store, documents)
"""

from __future__ import annotations

import contextlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator

from conflictlens.models import Document
from conflictlens.pipeline import CHUNK, Outcome
from conflictlens.store import Store, redated

#: Called once per document with (document, outcome, reason): outcome is "added",
#: "updated", "unchanged" or "failed" (then reason says why, in one line).
OnDone = Callable[[Document, str, str | None], None]


#: Runs extraction over documents: (document, result or None, failure reason) each.
Runner = Callable[[list[Document]], Iterator[Outcome]]


def ingest_documents(
    store: Store,
    documents: Iterable[Document],
    on_done: OnDone | None = None,
    runner: Runner | None = None,
) -> Counter[str]:
    """Extract and store every document not stored before (or stored with another
    publication date); a document whose extraction or write fails is recorded as failed
    with its reason and the others go on. Returns the count of each outcome.

    ``runner`` does the extraction: worker processes on this machine by default
    (``pipeline.process_safely``), a Dask cluster with :func:`dask_runner`. Results are
    written here, once, whatever ran them."""
    from conflictlens.pipeline import process_safely

    runner = runner or process_safely
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
    for document, result, reason in runner(todo):
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


# --- Dask ----------------------------------------------------------------------------


def _warm_up() -> None:
    """Load every model a worker needs (spaCy, the coder, the role tagger, gazetteer,
    dictionaries) by extracting one short report: once per worker, not per chunk."""
    from conflictlens.pipeline import _process_chunk_safely
    from conflictlens.stages.analyse import limit_blas_threads
    from conflictlens.stages.ingest import document_from_bytes

    limit_blas_threads()  # one BLAS thread per worker process, as with the local pool
    warm = document_from_bytes(b"Gunmen attacked a village on Monday.", "warm-up")
    _process_chunk_safely([warm])


def _models_plugin():  # type: ignore[no-untyped-def]
    from distributed.diagnostics.plugin import WorkerPlugin

    class ModelsPlugin(WorkerPlugin):
        name = "conflictlens-models"

        def setup(self, worker) -> None:  # type: ignore[no-untyped-def]
            _warm_up()

    return ModelsPlugin()


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, local_workers: int | None = None):
    """A dask.distributed client: to the scheduler at ``scheduler`` ("tcp://host:8786"),
    or to a LocalCluster of ``local_workers`` single-threaded worker processes made for
    the occasion. Every worker loads the models once (a worker plugin)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        from conflictlens.errors import InputError

        raise InputError("Dask is not installed: pip install 'conflictlens[dask]'") from None
    import dask

    with contextlib.ExitStack() as stack:
        # Dask samples every worker's stacks every 10 ms for its dashboard's profile:
        # over a CPU-bound parse that cost a tenth of the throughput (2 cores, 250
        # reports: 11.9 -> 13.0 articles/s without it). Workers made here inherit this.
        stack.enter_context(
            dask.config.set(
                {
                    "distributed.worker.profile.enabled": False,
                    "distributed.admin.system-monitor.interval": "5s",
                }
            )
        )
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=local_workers or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            )
            client = stack.enter_context(Client(cluster))
        client.register_plugin(_models_plugin())
        yield client


def dask_runner(client, chunk: int = CHUNK, batch_size: int = 16) -> Runner:  # type: ignore[no-untyped-def]
    """A runner for :func:`ingest_documents` that extracts on the cluster behind
    ``client``: chunks of documents go to workers (two per worker in flight, so a long
    batch never sits in the cluster's memory whole), outcomes come back in order."""
    from conflictlens.pipeline import _chunks, _process_chunk_safely

    def run(documents: list[Document]) -> Iterator[Outcome]:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        in_flight: deque = deque()
        for part in _chunks(iter(documents), chunk):
            in_flight.append(client.submit(_process_chunk_safely, part, batch_size, pure=False))
            if len(in_flight) >= 2 * workers:
                yield from in_flight.popleft().result()
        while in_flight:
            yield from in_flight.popleft().result()

    return run
