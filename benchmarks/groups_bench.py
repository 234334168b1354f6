"""Time and memory of persistent group assignment as the store grows (issue 20).

A store is filled with N synthetic stored reports (``--sizes``, default 1,000 and
100,000) spread over 40 countries, the ACLED types and N / 80 days (a store grows by
adding days: 80 reports a day in both sizes), each in a group of its own; then new
reports (a third of them reports of a stored event, the rest new events)
are assigned one at a time, as ``Store.add_result`` does (``store._assign_group`` in a
write transaction). Reported: milliseconds per new report and the process's peak RSS
after each size. Run: ``python benchmarks/groups_bench.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from conflictlens.store import (
    Store,
    _assign_group,
    _event_row,
    _now,
    articles_table,
    documents_table,
    event_groups_table,
    events_table,
)

COUNTRIES = [f"C{i:02d}" for i in range(40)]
TYPES = [
    ("Battles", "Armed clash"),
    ("Violence against civilians", "Attack"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Protests", "Peaceful protest"),
    ("Riots", "Mob violence"),
]
START = dt.date(2022, 1, 1)


#: Reports a day across the 40 countries: a store grows by adding days, not by packing
#: more reports into the same ones, so each size spans N / PER_DAY days.
PER_DAY = 80


def synthetic(i: int, rng: random.Random, article: str, days: int) -> dict:
    etype, sub = TYPES[rng.randrange(len(TYPES))]
    day = START + dt.timedelta(days=rng.randrange(days))
    lat, lon = rng.uniform(-30, 40), rng.uniform(-20, 60)
    return {
        "id": f"E{i}",
        "event_type": etype,
        "sub_event_type": sub,
        "type": f"{etype}/{sub}",
        "date": {"start": day.isoformat(), "end": day.isoformat(), "precision": "day"},
        "location": {
            "name": f"Town{i}",
            "country": COUNTRIES[i % len(COUNTRIES)],
            "country_code": COUNTRIES[i % len(COUNTRIES)],
            "lat": lat,
            "lon": lon,
            "precision": "city",
        },
        "actor1": {"name": "Unidentified Armed Group", "category": "Political militia"},
        "actor2": None,
        "fatalities": {"best": 1, "low": 1, "high": 1},
        "background": False,
        "source": {"article_id": article},
    }


def fill(store: Store, n: int, rng: random.Random) -> list[dict]:
    """N stored reports in N groups, written in bulk (the assignment is what is timed)."""
    stored = []
    with store._write() as conn:
        doc = conn.execute(
            sa.insert(documents_table).values(
                content_hash="0" * 64, source="synthetic", status="ok", ingested_at=_now()
            )
        ).inserted_primary_key[0]
        for start in range(0, n, 5000):
            rows, articles = [], []
            for i in range(start, min(n, start + 5000)):
                article = f"a{i}"
                articles.append({"id": article, "document_id": doc, "data": {}})
                row = _event_row(article, synthetic(i, rng, article, max(1, n // PER_DAY)))
                gid = conn.execute(sa.insert(event_groups_table).values(created_at=_now()))
                row |= {"group_id": gid.inserted_primary_key[0], "rejected": False}
                row |= {"extracted": row["data"], "stored_at": _now()}
                rows.append(row)
                stored.append(row["data"])
            conn.execute(sa.insert(articles_table), articles)
            conn.execute(sa.insert(events_table), rows)
    return stored


def current_rss_mib() -> float:
    """The process's resident memory now (Linux), MiB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[1_000, 100_000])
    ap.add_argument("--new", type=int, default=300, help="new reports assigned per size")
    args = ap.parse_args()
    results = []
    for n in args.sizes:
        rng = random.Random(7)
        with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "g.db") as store:
            stored = fill(store, n, rng)
            new = []
            for k in range(args.new):
                if k % 3 == 0:  # another outlet's report of a stored event
                    event = dict(stored[rng.randrange(len(stored))])
                    event = event | {"id": f"N{k}", "source": {"article_id": f"new{k}"}}
                else:
                    event = synthetic(n + k, rng, f"new{k}", max(1, n // PER_DAY))
                new.append(_event_row(f"new{k}", event))
            with store._write() as conn:  # warm-up: the actor dictionary, the query plan
                _assign_group(conn, new[0] | {"rejected": False})
            joined = 0
            rss_before = current_rss_mib()
            t0 = time.perf_counter()
            for row in new:
                with store._write() as conn:
                    gid = _assign_group(conn, row | {"rejected": False})
                joined += gid <= n
            ms = (time.perf_counter() - t0) * 1000 / len(new)
            grew = current_rss_mib() - rss_before
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results.append((n, ms, rss))
        print(
            f"{n:>7} stored reports: {ms:.2f} ms per new report ({joined} of {len(new)} "
            f"joined a stored group); RSS grew {grew:+.1f} MiB while assigning "
            f"(peak {rss:.0f} MiB, the synthetic fill included)"
        )
    if len(results) > 1:
        (n0, ms0, _), (n1, ms1, _) = results[0], results[-1]
        print(f"time per report, {n1:,} vs {n0:,} stored: {ms1 / ms0:.2f}x")


if __name__ == "__main__":
    main()
