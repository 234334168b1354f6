"""Bounded load test of `conflictlens serve` on loopback: many clients, reads and ingests.

    python benchmarks/loadtest.py                      # 50 clients, 30 s, 10% ingests
    python benchmarks/loadtest.py --clients 20 --duration 10 --json

A fresh SQLite database gets the seed, a token, and a server process on a free
127.0.0.1 port. Each client loops until the deadline, picking GET /api/events (with a
random filter), GET /api/events/{id}, or POST /api/ingest of a text nobody sent before
(a paragraph of the seed with a unique reference appended). Afterwards every ingest the
server acknowledged (2xx) is looked up in the database: a missing one is a lost write.
Exit status 1 if any request failed or any write was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SHARED_SEED = ROOT.parent / "shared" / "corpus" / "seed" / "rfi-karachi-interview.txt"
LOCAL_SEED = ROOT / "examples" / "rfi-karachi-interview.txt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _paragraphs(seed: Path) -> list[str]:
    """Seed paragraphs long enough to hold an event-like sentence."""
    parts = [p.strip() for p in seed.read_text(encoding="utf-8").split("\n\n")]
    return [p for p in parts if len(p) > 120]


async def _client(
    n: int,
    http: httpx.AsyncClient,
    deadline: float,
    args: argparse.Namespace,
    state: dict,
) -> None:
    rng = random.Random(n)
    while time.monotonic() < deadline:
        roll = rng.random()
        if roll < args.ingest_share:
            kind = "ingest"
            ref = uuid.uuid4().hex
            text = f"{rng.choice(state['paragraphs'])}\n\nReference {ref}."
            request = http.post(
                "/api/ingest", json={"text": text, "published": "2023-02-18"}, headers=state["auth"]
            )
        elif roll < args.ingest_share + (1 - args.ingest_share) / 3:
            kind = "event"
            request = http.get(f"/api/events/{rng.choice(state['event_ids'])}")
        else:
            kind = "list"
            params = rng.choice(state["filters"])
            request = http.get("/api/events", params=params | {"limit": 50})
        started = time.perf_counter()
        try:
            response = await request
            ok = 200 <= response.status_code < 300
            detail = None if ok else f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            response, ok, detail = None, False, f"{type(exc).__name__}: {exc}"
        state["latency"][kind].append(time.perf_counter() - started)
        if not ok:
            state["errors"].append(f"{kind}: {detail}")
        elif kind == "ingest":
            body = response.json()
            state["acked"].append((body["article_id"], body["outcome"], len(body["events"])))


async def _run_load(base: str, args: argparse.Namespace, state: dict) -> float:
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=base, timeout=args.timeout, limits=limits) as http:
        started = time.monotonic()
        deadline = started + args.duration
        await asyncio.gather(
            *(_client(i, http, deadline, args, state) for i in range(args.clients))
        )
        return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--ingest-share", type=float, default=0.1, help="fraction of ingests")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-request timeout (s)")
    parser.add_argument("--seed", type=Path, default=None, help="seed document to ingest")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    seed = args.seed or (SHARED_SEED if SHARED_SEED.exists() else LOCAL_SEED)

    from conflictlens.pipeline import process
    from conflictlens.stages.ingest import document_from_bytes
    from conflictlens.store import Store

    with tempfile.TemporaryDirectory(prefix="conflictlens-load-") as tmp:
        db = Path(tmp) / "load.db"
        with Store.open(db) as store:
            document = document_from_bytes(seed.read_bytes(), str(seed))
            store.add_result(document, process(document))
            token = store.create_token("loadtest")
            events = store.events()
        filters = [{}]
        for e in events:
            loc = e.get("location") or {}
            filters.append({"country": loc.get("country_code") or ""})
            filters.append({"type": e.get("type") or ""})
            filters.append({"since": (e.get("date") or {}).get("start") or "2000-01-01"})
        filters.append({"text": "police"})
        state: dict = {
            "auth": {"Authorization": f"Bearer {token}"},
            "event_ids": [e["id"] for e in events],
            "filters": filters,
            "paragraphs": _paragraphs(seed),
            "latency": defaultdict(list),
            "errors": [],
            "acked": [],
        }

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "conflictlens.cli", "serve", "--db", str(db)]
            + ["--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ | {"CONFLICTLENS_ALLOW_PRIVATE_URLS": "0"},
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    print("server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.2)
            # Warm the model once so the first ingests do not all wait on spaCy's load.
            httpx.post(
                f"{base}/api/ingest",
                json={"text": state["paragraphs"][0] + " Warm-up."},
                headers=state["auth"],
                timeout=120,
            )
            elapsed = asyncio.run(_run_load(base, args, state))
        finally:
            server.terminate()
            server.wait(timeout=30)

        with Store.open(db) as store:
            lost = []
            for article_id, _outcome, n_events in state["acked"]:
                stored = store.article(article_id)
                if stored is None or len(store.article_events(article_id)) != n_events:
                    lost.append(article_id)
            stats = store.stats()

    latency = state["latency"]
    all_lat = [x for values in latency.values() for x in values]
    requests = len(all_lat)
    figures = {
        "clients": args.clients,
        "duration_s": round(elapsed, 1),
        "requests": requests,
        "requests_per_s": round(requests / elapsed, 1),
        "errors": len(state["errors"]),
        "ingests_acknowledged": len(state["acked"]),
        "ingests_added": sum(1 for _, outcome, _ in state["acked"] if outcome == "added"),
        "lost_writes": len(lost),
        "documents_in_db": stats["documents_ok"],
        "latency_ms": {
            kind: {
                "n": len(values),
                "p50": round(1000 * statistics.median(values), 1),
                "p95": round(1000 * _percentile(values, 0.95), 1),
                "max": round(1000 * max(values), 1),
            }
            for kind, values in sorted(latency.items())
        }
        | {
            "all": {
                "n": requests,
                "p50": round(1000 * statistics.median(all_lat), 1) if all_lat else 0,
                "p95": round(1000 * _percentile(all_lat, 0.95), 1),
            }
        },
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"{figures['clients']} clients, {figures['duration_s']} s: {requests} requests "
            f"({figures['requests_per_s']}/s), {figures['errors']} errors, "
            f"{figures['ingests_acknowledged']} ingests acknowledged, "
            f"{figures['lost_writes']} lost"
        )
        for kind, lat in figures["latency_ms"].items():
            print(
                f"  {kind:7s} n={lat['n']:6d}  p50 {lat['p50']:8.1f} ms  p95 {lat['p95']:8.1f} ms"
            )
    for line in state["errors"][:10]:
        print("error:", line, file=sys.stderr)
    return 1 if state["errors"] or lost else 0


if __name__ == "__main__":
    sys.exit(main())
