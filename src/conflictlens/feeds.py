"""watch: RSS/Atom feeds -> new articles -> the store, politely.

``conflictlens watch SOURCES`` reads a list of feeds (an OPML file or a text file of
URLs), polls each, fetches the articles it has not stored yet and ingests them through
the same batch path as ``conflictlens ingest`` (idempotent by URL and by content hash).

What "politely" means here, and why:

- **Conditional GET**: each poll sends the feed's last ETag / Last-Modified; a 304 costs
  the server nothing and us no parse.
- **robots.txt** of every host is read once per run (``urllib.robotparser``) and obeyed
  for feeds and articles alike; a robots.txt that is missing (4xx) allows everything, one
  that cannot be read (5xx, timeout) allows nothing from that host this round.
- **One request per host at a time, at most one every** ``min_interval_s`` seconds.
- **Every fetch goes through the server's fetcher** (``server.fetch.fetch_url``): the
  same address policy (``allow_private_urls``: loopback and private networks are refused
  unless allowed), redirect limit, size cap and wall-clock timeout.
- **One broken feed never stops the others**: its failure (in a row) and the reason are
  kept in the store and shown by ``conflictlens feeds`` and ``GET /api/feeds``.

URLs are canonicalised (scheme and host lower case, default port, fragment and
tracking parameters dropped) before they are compared, so the same story reached through
two feeds or two tracking links is fetched once.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from conflictlens.errors import InputError
from conflictlens.models import Document
from conflictlens.server.fetch import fetch_url
from conflictlens.stages.ingest import document_from_bytes
from conflictlens.store import Store

USER_AGENT = "ConflictLens/0.1 (+feed watch)"
#: Query parameters that only track the reader ("utm_source", "fbclid"): dropped.
TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "xtor")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The form two links to one article share: lower-case scheme and host, no default
    port, no fragment, no tracking parameters, the other parameters in order."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING)
    ]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(sorted(query)), ""))


def read_sources(path: str | Path) -> list[str]:
    """Feed URLs from an OPML file (every ``outline`` with an ``xmlUrl``) or a text file
    (one URL a line; blank lines and ``#`` comments skipped), each once, in order."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read feed list {p}: {type(exc).__name__}") from None
    if text.lstrip().startswith("<"):
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise InputError(f"{p}: not a valid OPML file: {exc}") from None
        urls = [o.get("xmlUrl", "").strip() for o in root.iter("outline") if o.get("xmlUrl")]
    else:
        urls = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    bad = [u for u in urls if urlsplit(u).scheme not in ("http", "https")]
    if bad:
        raise InputError(f"{p}: not an http(s) feed URL: {bad[0]!r}")
    if not urls:
        raise InputError(f"{p}: no feed URLs in it")
    return list(dict.fromkeys(urls))


@dataclass
class FeedReport:
    """What one poll of one feed did."""

    url: str
    status: str  # "200", "304" or "failed"
    new: int = 0  # articles stored
    skipped: int = 0  # items seen before, disallowed by robots.txt, or unreadable
    error: str | None = None
    failed_items: list[str] = field(default_factory=list)


class Watcher:
    """Polls feeds and stores their new articles (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        *,
        allow_private: bool = False,
        min_interval_s: float = 1.0,
        timeout_s: float = 10.0,
        max_bytes: int = 5 * 1024 * 1024,
        max_items: int = 100,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.allow_private = allow_private
        self.min_interval_s = min_interval_s
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.max_items = max_items
        self._sleep = sleep
        self._last_request: dict[str, float] = {}
        # origin -> its parsed robots.txt, or the reason it could not be read
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str] = {}

    # --- politeness --------------------------------------------------------------

    def _wait_for(self, url: str) -> None:
        host = urlsplit(url).netloc.lower()
        last = self._last_request.get(host)
        if last is not None:
            wait = last + self.min_interval_s - time.monotonic()
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = time.monotonic()

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be fetched (the host's robots.txt says no, or cannot be
        read), or None when it may."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        parser = self._robots[origin]
        if isinstance(parser, str):
            return f"robots.txt unreadable, nothing fetched from the host: {parser}"
        return None if parser.can_fetch(USER_AGENT, url) else "disallowed by robots.txt"

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | str:
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            page = self._fetch(origin + "/robots.txt")
        except InputError as exc:
            if "HTTP 4" in str(exc):
                parser.allow_all = True  # no robots.txt: nothing is disallowed
                return parser
            return str(exc)  # unreadable: nothing from this host this round
        parser.parse(page.data.decode("utf-8", "replace").splitlines())
        return parser

    def _fetch(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        self._wait_for(url)
        return fetch_url(
            url,
            allow_private=self.allow_private,
            max_bytes=self.max_bytes,
            timeout_s=self.timeout_s,
            user_agent=USER_AGENT,
            **kwargs,
        )

    # --- polling -----------------------------------------------------------------

    def poll(self, feeds: Iterable[str]) -> list[FeedReport]:
        """One round: every feed once, in order; a feed that fails is recorded and the
        round goes on."""
        return [self.poll_feed(url) for url in feeds]

    def poll_feed(self, url: str) -> FeedReport:
        import feedparser

        state = self.store.feed(url) or {}
        try:
            refused = self.refusal(url)
            if refused:
                raise InputError(refused)
            page = self._fetch(
                url, feed=True, etag=state.get("etag"), last_modified=state.get("last_modified")
            )
        except InputError as exc:
            return self._failed(url, state, str(exc))
        if page.status == 304:
            self.store.save_feed(url, polled=True, last_status="304", failures=0, last_error=None)
            return FeedReport(url, "304")
        parsed = feedparser.parse(page.data)
        if parsed.bozo and not parsed.entries:
            reason = f"not an RSS or Atom feed ({type(parsed.bozo_exception).__name__})"
            return self._failed(url, state, reason)
        report = FeedReport(url, str(page.status))
        documents = self._new_documents(parsed.entries[: self.max_items], report)
        if documents:
            from conflictlens.batch import ingest_documents

            def done(document: Document, outcome: str, reason: str | None) -> None:
                if outcome == "failed":
                    report.failed_items.append(f"{document.source}: {reason}")

            counts = ingest_documents(self.store, documents, done)
            report.new = counts["added"] + counts["updated"]
            report.skipped += counts["unchanged"]
        self.store.save_feed(
            url,
            title=(parsed.feed.get("title") or state.get("title") or None),
            etag=page.etag,
            last_modified=page.last_modified,
            polled=True,
            last_status=report.status,
            failures=0,
            last_error=None,
            items=int(state.get("items") or 0) + report.new,
        )
        return report

    def _failed(self, url: str, state: dict, reason: str) -> FeedReport:
        self.store.save_feed(
            url,
            polled=True,
            last_status="failed",
            failures=int(state.get("failures") or 0) + 1,
            last_error=reason,
        )
        return FeedReport(url, "failed", error=reason)

    def _new_documents(self, entries: list, report: FeedReport) -> list[Document]:
        """The items not stored before, fetched; an item that cannot be fetched is
        skipped this round (and tried again at the next)."""
        links = []
        for entry in entries:
            link = entry.get("link")
            if link and urlsplit(link).scheme in ("http", "https"):
                links.append((canonical_url(link), entry))
        links = list({u: e for u, e in links}.items())
        seen = self.store.stored_urls(u for u, _ in links)
        documents = []
        for url, entry in links:
            if url in seen or self.refusal(url):
                report.skipped += 1
                continue
            try:
                page = self._fetch(url)
                documents.append(
                    document_from_bytes(
                        page.data,
                        url,
                        url=url,
                        media_type=page.media_type,
                        published=_published(entry),
                    )
                )
            except InputError as exc:
                report.skipped += 1
                report.failed_items.append(f"{url}: {exc}")
        return documents

    def run(self, feeds: list[str], interval_s: float, stop: threading.Event) -> None:
        """Poll every ``interval_s`` seconds until ``stop`` is set (SIGTERM, Ctrl-C)."""
        while not stop.is_set():
            self._robots.clear()  # robots.txt may change between rounds
            self.poll(feeds)
            stop.wait(interval_s)


def _published(entry) -> str | None:  # type: ignore[no-untyped-def]
    """The item's publication day (ISO), which dates "on Friday" in the article."""
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return dt.date(value.tm_year, value.tm_mon, value.tm_mday).isoformat()
    return None
