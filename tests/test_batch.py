"""batch: many documents into the store, on this machine's cores or on a Dask cluster
(a real dask.distributed LocalCluster of two worker processes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus import MUC_DEV, ROOT, SEED_TXT

from conflictlens.batch import dask_client, dask_runner, ingest_documents
from conflictlens.models import Document
from conflictlens.stages.ingest import document_from_bytes
from conflictlens.store import Store

pytest.importorskip("distributed", reason="the [dask] extra is not installed")


def corpus(n: int = 250) -> list[Document]:
    """The bench corpus's kind: MUC-4 dev reports when ../shared is there, and copies of
    the seed and of the French test reports (each copy distinct, as in a real feed)."""
    docs = []
    if MUC_DEV.exists():
        for line in MUC_DEV.read_text().splitlines()[: max(0, n - 50)]:
            rec = json.loads(line)
            docs.append(document_from_bytes(rec["doctext"].encode(), rec["docid"]))
    files = [SEED_TXT, *sorted((ROOT / "tests" / "data" / "fr").glob("*.txt"))]
    i = 0
    while len(docs) < n:
        path = files[i % len(files)]
        docs.append(document_from_bytes(path.read_bytes() + f"\n\ncopy {i}\n".encode(), f"c{i}"))
        i += 1
    return docs


def stored(db: Path) -> dict[str, list[tuple]]:
    """Each stored article's events (article ids are content hashes, so the same in
    both stores), as the fields an analyst reads."""
    by_article: dict[str, list[tuple]] = {}
    with Store.open(db) as store:
        rows = store.events(limit=None)
    for e in rows:
        by_article.setdefault(e["source"]["article_id"], []).append(
            (
                e["id"],
                e["type"],
                (e.get("date") or {}).get("start"),
                (e.get("location") or {}).get("name"),
                (e.get("actor1") or {}).get("name"),
                (e.get("fatalities") or {}).get("best"),
            )
        )
    return {k: sorted(v, key=str) for k, v in by_article.items()}


def test_a_dask_cluster_stores_what_the_local_path_stores(tmp_path: Path) -> None:
    docs = corpus()
    with Store.open(tmp_path / "local.db") as store:
        local = ingest_documents(store, docs)
    with Store.open(tmp_path / "dask.db") as store, dask_client(local_workers=2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        remote = ingest_documents(store, docs, runner=dask_runner(client))
    assert remote == local and local["added"] == len(docs)
    assert stored(tmp_path / "dask.db") == stored(tmp_path / "local.db")


def test_a_rerun_on_the_cluster_changes_nothing(tmp_path: Path) -> None:
    docs = corpus(20)
    with Store.open(tmp_path / "d.db") as store, dask_client(local_workers=2) as client:
        first = ingest_documents(store, docs, runner=dask_runner(client))
        again = ingest_documents(store, docs, runner=dask_runner(client))
    assert first["added"] == 20 and again["unchanged"] == 20 and again["added"] == 0
