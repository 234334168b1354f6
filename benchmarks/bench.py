"""Throughput and peak memory of the extraction pipeline (``make bench``).

Corpus: the seed report repeated, plus the MUC-4 dev documents (1989-91 wire copy,
~330 words each) when ../shared/benchmarks is present. We time the full pipeline
(structure -> parse -> extract -> merge -> resolve, batched) and, on the same bodies,
spaCy's parse alone, so the cost of our own stages is visible as a ratio; the two
alternate, three runs each by default, and medians are reported. Then the
latency of single stages that once had timed tests (the suite asserts no timings): the
actor dictionary on 5,000 words, date finding on 500 words, the gazetteer's first
lookup in a fresh process, and the MUC-4 encoder per document.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from conflictlens.pipeline import process_many
from conflictlens.stages.analyse import analyse_many, load_model
from conflictlens.stages.ingest import document_from_bytes
from conflictlens.stages.structure import structure

HERE = Path(__file__).resolve().parent
SEED = HERE.parent / "examples" / "rfi-karachi-interview.txt"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def corpus(shared: Path, seed_copies: int, muc_docs: int) -> list:
    docs = []
    seed = SEED.read_bytes()
    for i in range(seed_copies):
        # A distinct trailing line per copy keeps content hashes distinct, as in a real feed.
        docs.append(
            document_from_bytes(
                seed + f"\n\ncopy {i}\n".encode(), f"seed-{i}", published="2023-02-18"
            )
        )
    muc = shared / "benchmarks" / "muc4" / "dev.json"
    if muc.exists():
        with muc.open() as fh:
            for line in list(fh)[:muc_docs]:
                rec = json.loads(line)
                docs.append(
                    document_from_bytes(
                        rec["doctext"].encode(), rec["docid"], published="1990-01-01"
                    )
                )
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--seed-copies", type=int, default=50)
    parser.add_argument("--muc-docs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs of pipeline and parse")
    args = parser.parse_args()

    docs = corpus(args.shared, args.seed_copies, args.muc_docs)
    words = sum(len(d.content.split()) for d in docs)
    nlp = load_model("en")
    list(process_many(docs[:2]))  # warm-up: model, gazetteer, dictionaries
    bodies = [structure(d).body for d in docs]
    workers = min(os.cpu_count() or 1, 4)

    # Pipeline and bare parse alternate, so that a slow spell of a shared machine (runs
    # on this VM vary by +-15%) hits both; medians are reported.
    pipeline_runs, parse_runs = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        n_events = sum(len(r.events) for r in process_many(docs))
        pipeline_runs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for _ in analyse_many(bodies, batch_size=16, n_process=workers):
            pass
        parse_runs.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in nlp.pipe(bodies, batch_size=16):
        pass
    parse1_s = time.perf_counter() - t0
    pipeline_s, parse_s = statistics.median(pipeline_runs), statistics.median(parse_runs)
    ratios = [a / b for a, b in zip(pipeline_runs, parse_runs, strict=True)]

    main_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"machine        : {cpu_name()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"corpus         : {len(docs)} documents ({args.seed_copies} seed copies + MUC-4 dev), "
        f"{words} words, {words / len(docs):.0f} words/doc"
    )
    print(f"events         : {n_events}")
    print(
        f"pipeline       : {pipeline_s:.2f} s, {len(docs) / pipeline_s:.1f} articles/s, "
        f"{words / pipeline_s:.0f} words/s ({workers} processes; median of {args.repeat}, "
        f"{_rates(len(docs), pipeline_runs)})"
    )
    print(
        f"spaCy parse    : {parse_s:.2f} s, {len(docs) / parse_s:.1f} articles/s "
        f"({workers} processes; {_rates(len(docs), parse_runs)}); "
        f"{len(docs) / parse1_s:.1f} articles/s in one process"
    )
    print(
        f"pipeline/parse : {pipeline_s / parse_s:.2f}x (same number of processes; "
        f"run by run {min(ratios):.2f}-{max(ratios):.2f}x)"
    )
    print(
        f"peak memory    : {main_mib:.0f} MiB main process, {child_mib:.0f} MiB largest worker "
        "(max RSS)"
    )

    french_bench(args.shared, args.repeat, workers)
    dask_bench(docs, workers)
    stage_timings(args.shared)


def dask_bench(docs: list, workers: int) -> None:
    """The same corpus stored through the multiprocessing path and through a Dask
    LocalCluster of as many single-threaded workers (ingest --dask-local), alternated;
    each into a fresh SQLite store, so that the write is in both."""
    import tempfile

    try:
        from conflictlens.batch import dask_client, dask_runner, ingest_documents
    except ImportError:
        print("Dask           : not installed (pip install 'conflictlens[dask]')")
        return
    from conflictlens.store import Store

    local_runs, dask_runs = [], []
    with tempfile.TemporaryDirectory() as tmp, dask_client(local_workers=workers) as client:
        for k in range(2):
            for kind, runs in (("local", local_runs), ("dask", dask_runs)):
                with Store.open(Path(tmp) / f"{kind}{k}.db") as store:
                    runner = dask_runner(client) if kind == "dask" else None
                    t0 = time.perf_counter()
                    ingest_documents(store, docs, runner=runner)
                    runs.append(time.perf_counter() - t0)
    local_s, dask_s = min(local_runs), min(dask_runs)
    print(
        f"ingest, stored : {len(docs) / local_s:.1f} articles/s with {workers} processes, "
        f"{len(docs) / dask_s:.1f} on a Dask LocalCluster of {workers} workers "
        f"(Dask/local time {dask_s / local_s:.2f}x; best of 2 each, alternated)"
    )


FRENCH_SEED = HERE.parent / "examples" / "rfi-karachi-entretien.txt"
FRENCH_TESTS = HERE.parent / "tests" / "data" / "fr"


def french_corpus(shared: Path, copies: int = 30, notes: int = 200) -> list:
    """French reports: the French seed and the test dispatches repeated, plus French dev
    notes (../shared/training) when present."""
    docs = []
    files = [FRENCH_SEED, *sorted(FRENCH_TESTS.glob("*.txt"))]
    for i in range(copies):
        for path in files:
            text = path.read_bytes() + f"\n\ncopie {i}\n".encode()
            docs.append(document_from_bytes(text, f"{path.stem}-{i}"))
    path = shared / "training" / "acled" / "notes_fr_machine_translated.jsonl"
    if path.exists():
        from conflictlens.evaluate.acled import load_acled

        for row in load_acled(path, split="dev", limit=notes).rows:
            docs.append(
                document_from_bytes(
                    row["notes"].encode(), row["event_id_cnty"], published=row["event_date"]
                )
            )
    return docs


def french_bench(shared: Path, repeat: int, workers: int) -> None:
    """French articles/s through the whole pipeline and through the French parse alone."""
    docs = french_corpus(shared)
    words = sum(len(d.content.split()) for d in docs)
    load_model("fr")
    list(process_many(docs[:2]))
    bodies = [structure(d).body for d in docs]
    pipeline_runs, parse_runs = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        n_events = sum(len(r.events) for r in process_many(docs))
        pipeline_runs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for _ in analyse_many(bodies, "fr", batch_size=16, n_process=workers):
            pass
        parse_runs.append(time.perf_counter() - t0)
    pipeline_s, parse_s = statistics.median(pipeline_runs), statistics.median(parse_runs)
    print(
        f"French corpus  : {len(docs)} documents (French seed and test reports repeated "
        f"+ French dev notes), {words} words, {words / len(docs):.0f} words/doc, "
        f"{n_events} events"
    )
    print(
        f"French pipeline: {len(docs) / pipeline_s:.1f} articles/s "
        f"({_rates(len(docs), pipeline_runs)}); French parse alone "
        f"{len(docs) / parse_s:.1f} articles/s; pipeline/parse {pipeline_s / parse_s:.2f}x"
    )


def _rates(n: int, runs: list[float]) -> str:
    rates = sorted(n / r for r in runs)
    return f"{rates[0]:.1f}-{rates[-1]:.1f} articles/s"


def _best_ms(fn, *args, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    fn(*args)
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def stage_timings(shared: Path) -> None:
    import datetime as dt

    from conflictlens.actors import ActorDictionary
    from conflictlens.dates import find_dates
    from conflictlens.gazetteer import Gazetteer

    words = SEED.read_text(encoding="utf-8").split()
    text_5000 = " ".join((words * (5000 // len(words) + 1))[:5000])
    text_500 = " ".join((words * 2)[:500])
    ref = dt.date(2023, 2, 18)
    actors_ms = _best_ms(ActorDictionary.default().find, text_5000)
    print(f"actors.find    : {actors_ms:.1f} ms / 5,000 words")
    print(f"find_dates     : {_best_ms(find_dates, text_500, ref, runs=20):.2f} ms / 500 words")
    code = (
        "import time; t=time.perf_counter();"
        "from conflictlens.gazetteer import Gazetteer;"
        "Gazetteer.default().resolve('Karachi');"
        "print((time.perf_counter()-t)*1000)"
    )
    cold = float(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
    )
    warm = _best_ms(Gazetteer.default().resolve, "Quetta")
    print(f"gazetteer      : {cold:.0f} ms import + open + first query; {warm:.2f} ms a query")
    coder_timing(shared)
    muc_dev = shared / "benchmarks" / "muc4" / "dev.json"
    if muc_dev.exists():
        from conflictlens import encoder

        texts = [json.loads(line)["doctext"] for line in muc_dev.open()][:50]
        encoder.read(texts[:1])
        t0 = time.perf_counter()
        encoder.read(texts)
        ms = (time.perf_counter() - t0) * 1000 / len(texts)
        print(f"MUC-4 encoder  : {ms:.0f} ms / document (50 MUC-4 dev documents, one process)")


def coder_timing(shared: Path) -> None:
    """The learned coder alone, in one process: what it costs per report on the bench
    corpus's MUC-4 reports (the sentences it reads, their word pieces, the time)."""
    from conflictlens.coder.decode import code_extractions, select_sentences
    from conflictlens.pipeline import reference_date
    from conflictlens.stages.analyse import analyse_many
    from conflictlens.stages.extract import extract_mentions

    docs = corpus(shared, 0, 50) or corpus(shared, 20, 0)
    articles = [structure(d) for d in docs]
    parsed = analyse_many([a.body for a in articles], batch_size=16, n_process=1)
    found = [
        extract_mentions(a, doc, reference_date(a, d))
        for a, doc, d in zip(articles, parsed, docs, strict=True)
    ]
    sentences = sum(len(select_sentences(f)) for f in found)
    code_extractions(found[:2])  # warm-up: the session
    t0 = time.perf_counter()
    code_extractions(found)
    ms = (time.perf_counter() - t0) * 1000 / len(found)
    print(
        f"coder          : {ms:.0f} ms / report ({sentences / len(found):.1f} sentences read "
        f"a report, {len(found)} reports, one process)"
    )


if __name__ == "__main__":
    main()
