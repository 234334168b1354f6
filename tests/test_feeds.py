"""watch: feeds polled from real HTTP servers on loopback (RSS, Atom, robots.txt, 304s,
404s, slow and huge pages), stored through the real pipeline into a real SQLite store."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conflictlens.errors import InputError
from conflictlens.feeds import Watcher, canonical_url, read_sources
from conflictlens.store import Store

PAGE = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>{text}</p></article></body></html>"""

ARTICLES = {
    "/a1.html": (
        "Gunmen kill police officers in Quetta",
        "Gunmen killed four police officers at a checkpoint in Quetta on Tuesday, "
        "March 5, 2024, officials said.",
    ),
    "/a2.html": (
        "Protest in Lagos",
        "Hundreds of traders protested in Lagos on Monday, March 4, 2024, against new taxes.",
    ),
    "/a3.html": (
        "Clashes near Goma",
        "M23 rebels clashed with the army near Goma on Wednesday, March 6, 2024, "
        "killing seven soldiers, the army said.",
    ),
    "/private/p.html": ("Private", "Soldiers attacked a village in Kano on Monday."),
}


def rss(base: str, links: list[str]) -> str:
    items = "".join(
        f"<item><title>{p}</title><link>{base}{p}</link>"
        "<pubDate>Wed, 06 Mar 2024 10:00:00 GMT</pubDate></item>"
        for p in links
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback wire</title>'
        f"<link>{base}/</link>{items}</channel></rss>"
    )


def atom(base: str, links: list[str]) -> str:
    entries = "".join(
        f'<entry><title>{p}</title><link href="{base}{p}"/><id>{p}</id>'
        "<updated>2024-03-06T10:00:00Z</updated></entry>"
        for p in links
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Loopback atom</title><id>{base}/atom</id>{entries}</feed>"
    )


class Site:
    """A loopback web site serving feeds and pages, recording every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                site.requests.append((self.path, dict(self.headers)))
                site.route(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def send(self, h, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        # the client may have given up (the slow page): what the test wants
        with contextlib.suppress(BrokenPipeError):
            h.wfile.write(body)

    def route(self, h) -> None:
        path = h.path.split("?")[0]
        if path == "/robots.txt":
            self.send(h, 200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif path == "/feed.xml":
            if h.headers.get("If-None-Match") == '"v1"':
                self.send(h, 304, b"", "application/rss+xml")
                return
            links = ["/a1.html?utm_source=rss", "/a2.html", "/private/p.html"]
            body = rss(self.base, links).encode()
            self.send(h, 200, body, "application/rss+xml", {"ETag": '"v1"'})
        elif path == "/atom.xml":
            body = atom(self.base, ["/a3.html", "/a1.html", "/slow.html", "/huge.html"]).encode()
            self.send(h, 200, body, "application/atom+xml")
        elif path == "/broken.xml":
            self.send(h, 404, b"not here", "text/plain")
        elif path == "/slow.html":
            time.sleep(3)
            self.send(h, 200, PAGE.format(title="Slow", text="Too late.").encode(), "text/html")
        elif path == "/huge.html":
            self.send(h, 200, b"<html><body>" + b"x " * 400_000 + b"</body></html>", "text/html")
        elif path in ARTICLES:
            title, text = ARTICLES[path]
            self.send(h, 200, PAGE.format(title=title, text=text).encode(), "text/html")
        else:
            self.send(h, 404, b"no", "text/plain")

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.close()


def watcher(store: Store, **kw) -> Watcher:
    return Watcher(
        store, allow_private=True, min_interval_s=0.0, timeout_s=1.0, max_bytes=200_000, **kw
    )


def test_canonical_urls_drop_tracking_fragments_and_default_ports() -> None:
    assert canonical_url("HTTPS://News.Example.org:443/a?utm_source=x&b=2&a=1#top") == (
        "https://news.example.org/a?a=1&b=2"
    )
    assert canonical_url("http://example.org:8080") == "http://example.org:8080/"


def test_sources_from_opml_and_text(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="Wires">'
        '<outline text="A" xmlUrl="http://a.example/rss"/>'
        '<outline text="B" xmlUrl="http://b.example/atom"/></outline></body></opml>'
    )
    assert read_sources(opml) == ["http://a.example/rss", "http://b.example/atom"]
    listing = tmp_path / "feeds.txt"
    listing.write_text("# wires\nhttp://a.example/rss\n\nhttp://a.example/rss\n")
    assert read_sources(listing) == ["http://a.example/rss"]
    listing.write_text("file:///etc/passwd\n")
    with pytest.raises(InputError, match="not an http"):
        read_sources(listing)


def test_new_items_are_stored_once_robots_obeyed_and_304_honoured(
    site: Site, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "w.db") as store:
        w = watcher(store)
        feeds = [f"{site.base}/feed.xml", f"{site.base}/atom.xml"]
        first = {r.url: r for r in w.poll(feeds)}
        rss_report, atom_report = first[feeds[0]], first[feeds[1]]
        assert (rss_report.status, rss_report.new) == ("200", 2)
        # a3 is new; a1 came through the RSS feed already (its tracking link canonicalised);
        # the slow and the huge page fail alone, and are tried again next round
        assert atom_report.new == 1
        assert any("slow.html" in i and "longer than" in i for i in atom_report.failed_items)
        assert any("huge.html" in i and "too large" in i for i in atom_report.failed_items)
        assert "/private/p.html" not in site.paths()  # robots.txt says no
        assert site.paths().count("/robots.txt") == 1  # read once per host and run
        stored = {d["url"] for d in store.documents(status="ok")}
        assert stored == {f"{site.base}{p}" for p in ("/a1.html", "/a2.html", "/a3.html")}
        assert store.stats()["events"] >= 3

        site.requests.clear()
        again = {r.url: r for r in w.poll(feeds)}
        assert again[feeds[0]].status == "304" and again[feeds[0]].new == 0
        feed_request = next(h for p, h in site.requests if p == "/feed.xml")
        assert feed_request.get("If-None-Match") == '"v1"'
        assert again[feeds[1]].new == 0  # nothing is fetched twice
        assert not {"/a1.html", "/a3.html"} & set(site.paths())
        state = store.feed(feeds[0])
        assert state is not None
        assert (state["title"], state["etag"], state["items"]) == ("Loopback wire", '"v1"', 2)


def test_a_broken_feed_is_recorded_and_the_others_go_on(site: Site, tmp_path: Path) -> None:
    with Store.open(tmp_path / "w.db") as store:
        w = watcher(store)
        broken, good = f"{site.base}/broken.xml", f"{site.base}/feed.xml"
        for _ in range(2):
            reports = w.poll([broken, good])
        assert reports[0].status == "failed" and "HTTP 404" in (reports[0].error or "")
        state = store.feed(broken)
        assert state is not None and state["failures"] == 2 and "404" in state["last_error"]
        assert store.feed(good)["failures"] == 0
        assert len(store.documents(status="ok")) == 2


def test_loopback_feeds_are_refused_unless_private_urls_are_allowed(
    site: Site, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "w.db") as store:
        (report,) = Watcher(store, min_interval_s=0.0).poll([f"{site.base}/feed.xml"])
        assert report.status == "failed" and "non-public" in (report.error or "")
    assert site.requests == []


def test_one_request_per_host_per_interval(site: Site, tmp_path: Path) -> None:
    waits: list[float] = []
    with Store.open(tmp_path / "w.db") as store:
        w = Watcher(
            store, allow_private=True, min_interval_s=0.5, timeout_s=1.0, sleep=waits.append
        )
        w.poll([f"{site.base}/feed.xml"])
    # robots.txt, the feed, two articles: every request after the first waited
    assert len(waits) >= 3 and all(0 < x <= 0.5 for x in waits)


def test_watch_once_and_feeds_through_the_cli(site: Site, tmp_path: Path) -> None:
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"{site.base}/feed.xml\n{site.base}/broken.xml\n")
    db = tmp_path / "cli.db"
    env = {**os.environ, "CONFLICTLENS_ALLOW_PRIVATE_URLS": "true"}
    cli = [sys.executable, "-m", "conflictlens.cli"]
    run = subprocess.run(
        [*cli, "watch", str(listing), "--once", "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 1, run.stderr  # one feed failed; the other was read
    assert "2 new" in run.stdout and "HTTP 404" in run.stdout
    listed = subprocess.run(
        [*cli, "feeds", "--db", str(db), "--json"], capture_output=True, text=True, env=env
    )
    assert listed.returncode == 0, listed.stderr
    rows = {r["url"]: r for r in json.loads(listed.stdout)}
    assert rows[f"{site.base}/feed.xml"]["items"] == 2
    assert rows[f"{site.base}/broken.xml"]["failures"] == 1


def test_watch_loop_stops_cleanly_on_sigterm(site: Site, tmp_path: Path) -> None:
    import signal

    listing = tmp_path / "feeds.txt"
    listing.write_text(f"{site.base}/feed.xml\n")
    db = tmp_path / "loop.db"
    env = {**os.environ, "CONFLICTLENS_ALLOW_PRIVATE_URLS": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "conflictlens.cli", "watch", str(listing), "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:  # the first round is stored
            if db.exists():
                with Store.open(db) as store:
                    state = store.feed(f"{site.base}/feed.xml")
                if state and state["last_status"] == "200":
                    break
            time.sleep(0.5)
        else:
            pytest.fail("the first round never finished")
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "watching 1 feeds" in stderr and "Traceback" not in stderr
