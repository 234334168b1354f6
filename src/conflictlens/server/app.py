"""The HTTP API and the dashboard: one FastAPI app over one Store.

Why it looks like this:
- Reads are plain ``def`` endpoints (Starlette runs them in its thread pool) because the
  store is synchronous SQLAlchemy. Ingest is CPU-bound spaCy work: it runs on one dedicated
  worker thread, so there is one model per process, no two parses race on it, and queued
  ingests wait as coroutines instead of occupying the pool the reads need. That thread
  also does the store write, which serialises writes to SQLite.
- Every error is a JSON object ``{"error": "one line"}`` with a 4xx status (5xx only for
  our own bugs), never a traceback.
- Article text is untrusted. The API returns it as JSON data only; the dashboard inserts it
  with DOM text nodes; and every response carries a strict Content-Security-Policy with no
  inline script, so even a mistake in the dashboard cannot run an article's ``<script>``.
- The OpenAPI docs are served from a vendored Swagger UI, so they work offline and under
  the same CSP (FastAPI's default /docs page loads from a CDN and uses an inline script).
"""

# No `from __future__ import annotations`: FastAPI must see the real annotations of
# dependencies defined inside create_app.
import asyncio
import datetime as dt
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, model_validator
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conflictlens import review
from conflictlens.errors import ConflictLensError, InputError
from conflictlens.kb import search as kb_search
from conflictlens.server.config import ServerConfig
from conflictlens.server.fetch import fetch_url
from conflictlens.store import NotFoundError, Store, article_id_for, events_table

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
MAX_PAGE = 5000
#: Past this an offset is no page of any store (and 2**63 overflows the database).
MAX_OFFSET = 1_000_000_000
DEFAULT_PAGE = 500

EXPORT_TYPES: dict[str, tuple[str, str]] = {
    "acled-csv": ("text/csv; charset=utf-8", "csv"),
    "acled-json": ("application/json", "json"),
    "geojson": ("application/geo+json", "geojson"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
    "parquet": ("application/vnd.apache.parquet", "parquet"),
    "geoparquet": ("application/vnd.apache.parquet", "geo.parquet"),
}
#: One row per real-world event unless asked otherwise: as `conflictlens events` lists.
MERGE_DESCRIPTION = (
    "One row per real-world event (the default, as the CLI lists them): reports merged "
    "across articles, each with its `sources`; false lists every report."
)


# --- request bodies ---------------------------------------------------------------------


class IngestRequest(BaseModel):
    """One document to ingest: exactly one of ``text``, ``html`` or ``url``."""

    text: str | None = Field(None, description="Plain text of a news report.")
    html: str | None = Field(None, description="An HTML page holding a news report.")
    url: str | None = Field(None, description="An http(s) URL to fetch (SSRF-checked).")
    published: dt.date | None = Field(
        None,
        description="Publication date (ISO), used when the document states none; relative "
        "dates ('on Friday') are read against it.",
    )
    force_published: bool = Field(
        False, description="Use `published` even where the document states its own date."
    )
    source: str | None = Field(None, max_length=500, description="A label for the source.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [k for k in ("text", "html", "url") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of text, html or url")
        return self


class ReviewRequest(BaseModel):
    """An analyst's verdict on one field of one event."""

    field: str = Field(..., min_length=1, max_length=64, examples=["date"])
    action: Literal["confirm", "correct", "reject"]
    value: Any = Field(None, description="The corrected value (for action=correct).")
    note: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _value_for_correct(self) -> Self:
        if self.action == "correct" and self.value is None:
            raise ValueError("action=correct needs a value")
        return self


# --- middleware -------------------------------------------------------------------------


class SecurityHeaders:
    """Add the CSP and friends to every response (pure ASGI: streaming bodies untouched)."""

    def __init__(self, app: ASGIApp, config: ServerConfig) -> None:
        self.app = app
        img = "'self' data:"
        if config.tile_origin():
            img += f" {config.tile_origin()}"
        csp = (
            "default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {img}; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'"
        )
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes (413), declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _send_json(send, 413, {"error": self._message()})
                return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, self._message())
            return message

        await self.app(scope, counting_receive, send)

    def _message(self) -> str:
        return f"request body too large (limit {self.limit // 1024} KiB)"


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --- the app ----------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return _one_line("; ".join(parts)) or "invalid request"


def create_app(db: str | Path | Store, config: ServerConfig | None = None) -> FastAPI:
    """Build the app over a database URL/path (opened and migrated here) or an open Store."""
    config = config or ServerConfig()
    store = db if isinstance(db, Store) else Store.open(db)
    owns_store = not isinstance(db, Store)
    # One worker: one spaCy model in use at a time, and writes serialised for SQLite.
    pipeline_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="conflictlens-ingest")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        pipeline_pool.shutdown(wait=True)
        if owns_store:
            store.close()

    app = FastAPI(
        title="ConflictLens",
        version="0.1.0",
        summary="Political-violence events from news reports, each field tied to its evidence.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.config = config
    app.add_middleware(BodyLimit, limit=config.max_body_bytes)
    app.add_middleware(SecurityHeaders, config=config)

    # --- errors: always {"error": "..."} ---

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": _one_line(exc.detail)}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _validation_message(exc)}, status_code=422)

    @app.exception_handler(NotFoundError)
    async def _not_found(_request: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"error": _one_line(str(exc))}, status_code=404)

    @app.exception_handler(ConflictLensError)
    async def _input_error(_request: Request, exc: ConflictLensError) -> JSONResponse:
        return JSONResponse({"error": _one_line(str(exc))}, status_code=422)

    @app.exception_handler(Exception)
    async def _internal_error(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": f"internal error: {type(exc).__name__}"}, status_code=500)

    # --- auth ---

    bearer = HTTPBearer(auto_error=False, description="An API token from `conflictlens token`.")

    def _token_name(credentials: HTTPAuthorizationCredentials | None) -> str | None:
        if credentials is None or not credentials.credentials:
            return None
        return store.check_token(credentials.credentials)

    def require_write(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> str:
        name = _token_name(credentials)
        if name is None:
            raise HTTPException(
                401, "a valid API token is required", headers={"WWW-Authenticate": "Bearer"}
            )
        return name

    def require_read(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> str | None:
        if not config.read_requires_token:
            return None
        return require_write(credentials)

    Reader = Annotated[str | None, Depends(require_read)]
    Writer = Annotated[str, Depends(require_write)]

    # --- filters shared by listing and export ---

    class Filters:
        """The event filters, as query parameters (validated: dates must be ISO dates)."""

        def __init__(
            self,
            country: Annotated[
                str | None, Query(max_length=200, description="Country name or ISO2 code.")
            ] = None,
            admin1: Annotated[
                str | None, Query(max_length=200, description="First-level region.")
            ] = None,
            type: Annotated[
                str | None,
                Query(max_length=200, description="ACLED type, sub-event type or 'Type/Sub'."),
            ] = None,
            actor: Annotated[
                str | None, Query(max_length=200, description="Actor name or mention.")
            ] = None,
            since: Annotated[dt.date | None, Query(description="Events ending on/after.")] = None,
            until: Annotated[
                dt.date | None, Query(description="Events starting on/before.")
            ] = None,
            text: Annotated[
                str | None, Query(max_length=200, description="Words in the summary/article.")
            ] = None,
            include_rejected: bool = False,
            background: Annotated[
                bool | None,
                Query(
                    description="true: only events mentioned as background (past events "
                    "recalled in a report); false: only the reported news; unset: both."
                ),
            ] = None,
        ) -> None:
            self.kwargs: dict[str, Any] = {
                "background": background,
                "country": country or None,
                "admin1": admin1 or None,
                "event_type": type or None,
                "actor": actor or None,
                "since": since,
                "until": until,
                "text": text or None,
                "include_rejected": include_rejected,
            }

    # --- read endpoints ---

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness: answers without a token."""
        return {"status": "ok"}

    @app.get("/api/config", tags=["meta"])
    def client_config() -> dict[str, Any]:
        """What the dashboard needs to know: whether reads need a token, map tiles."""
        return {"read_requires_token": config.read_requires_token, "tile_url": config.tile_url}

    @app.get("/api/stats", tags=["meta"])
    def stats(_user: Reader) -> dict[str, Any]:
        """Counts of documents (ok/failed), articles and events."""
        return store.stats()

    @app.get("/api/feeds", tags=["meta"])
    def list_feeds(_user: Reader) -> list[dict[str, Any]]:
        """Feeds `conflictlens watch` polls: last poll (UTC), its status ("200", "304",
        "failed"), failures in a row, the last error, articles stored from it."""
        return store.feeds()

    @app.get("/api/facets", tags=["events"])
    def facets(_user: Reader) -> dict[str, Any]:
        """Values the filters can take: countries and event types, each with how many
        real-world events (stored groups of reports, as listings merge them) it has."""
        ev = events_table
        events = sa.func.count(sa.distinct(ev.c.group_id))
        with store.engine.connect() as conn:
            countries = conn.execute(
                sa.select(ev.c.country_code, ev.c.country, events)
                .where(ev.c.country.is_not(None), ev.c.rejected.is_(sa.false()))
                .group_by(ev.c.country_code, ev.c.country)
                .order_by(ev.c.country)
            ).all()
            types = conn.execute(
                sa.select(ev.c.event_type, ev.c.sub_event_type, events)
                .where(ev.c.rejected.is_(sa.false()))
                .group_by(ev.c.event_type, ev.c.sub_event_type)
                .order_by(ev.c.event_type, ev.c.sub_event_type)
            ).all()
        return {
            "countries": [{"code": c, "name": n, "events": k} for c, n, k in countries],
            "types": [{"type": f"{t}/{s}", "events": k} for t, s, k in types],
        }

    @app.get("/api/events", tags=["events"])
    def list_events(
        _user: Reader,
        filters: Annotated[Filters, Depends()],
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
        merge: Annotated[bool, Query(description=MERGE_DESCRIPTION)] = True,
    ) -> dict[str, Any]:
        """Events matching the filters, oldest first, one page at a time."""
        if merge:
            merged = store.merged(store.events(**filters.kwargs))
            merged.sort(key=lambda e: ((e.get("date") or {}).get("start") or "", e["id"]))
            page = merged[offset : offset + limit]
            return {"total": len(merged), "offset": offset, "limit": limit, "events": page}
        rows = store.events(**filters.kwargs, limit=limit, offset=offset)
        total = store.count_events(**filters.kwargs)
        return {"total": total, "offset": offset, "limit": limit, "events": rows}

    @app.get("/api/events/{event_id}", tags=["events"])
    def get_event(event_id: str, _user: Reader) -> dict[str, Any]:
        """One event with its sources, evidence, review state and correction history."""
        event = store.event(event_id)
        if event is None:
            raise HTTPException(404, f"no event {event_id!r}")
        return event | {"corrections": store.corrections(event_id)}

    @app.get("/api/events/{event_id}/corrections", tags=["review"])
    def get_corrections(event_id: str, _user: Reader) -> list[dict[str, Any]]:
        """Every review action on the event, oldest first: who, when, what."""
        if store.event(event_id) is None:
            raise HTTPException(404, f"no event {event_id!r}")
        return store.corrections(event_id)

    @app.get("/api/articles/{article_id}", tags=["articles"])
    def get_article(article_id: str, _user: Reader) -> dict[str, Any]:
        """An article (body, Q&A turns, publisher...) with the events extracted from it."""
        article = store.article(article_id)
        if article is None:
            raise HTTPException(404, f"no article {article_id!r}")
        return article | {"id": article_id, "events": store.article_events(article_id)}

    @app.get("/api/export/{fmt}", tags=["export"])
    def export_events(
        fmt: Literal["acled-csv", "acled-json", "geojson", "jsonl", "parquet", "geoparquet"],
        _user: Reader,
        filters: Annotated[Filters, Depends()],
        merge: Annotated[bool, Query(description=MERGE_DESCRIPTION)] = True,
    ) -> Response:
        """All matching events as ACLED CSV, ACLED API JSON, GeoJSON, JSON Lines, Parquet
        or GeoParquet: the same rows as `conflictlens export` writes."""
        from conflictlens.export import FORMATS

        rows = store.events(**filters.kwargs)
        members: dict[str, dict[str, Any]] = {e["id"]: e for e in rows}
        if merge:
            rows = store.merged(rows, members)
            rows.sort(key=lambda e: ((e.get("date") or {}).get("start") or "", e["id"]))
        spec = FORMATS[fmt]
        if spec.binary:  # without pyarrow: a one-line error naming the extra
            binary = io.BytesIO()
            spec.write(rows, binary, members=members)
            content = binary.getvalue()
        else:
            buf = io.StringIO(newline="")
            spec.write(rows, buf, members=members)
            content = buf.getvalue().encode("utf-8")
        media_type, suffix = EXPORT_TYPES[fmt]
        return Response(
            content,
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="events.{suffix}"'},
        )

    # --- review: pickers, queue, analysts ---

    @app.get("/api/taxonomy", tags=["review"])
    def get_taxonomy(_user: Reader) -> list[dict[str, Any]]:
        """ACLED's event types and their sub-event types, in the codebook's order."""
        return kb_search.taxonomy()

    @app.get("/api/actors", tags=["review"])
    def search_actors(
        _user: Reader,
        q: Annotated[str, Query(min_length=1, max_length=100, description="Typed so far.")],
        country: Annotated[
            str | None, Query(max_length=100, description="Fills generic actors' country.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=kb_search.MAX_RESULTS)] = 20,
    ) -> list[dict[str, Any]]:
        """Actors of the actor dictionary matching `q` (name or alias), as correction
        values: `{name, category, country, aliases}`."""
        return kb_search.actors(q, country, limit)

    @app.get("/api/places", tags=["review"])
    def search_places(
        _user: Reader,
        q: Annotated[str, Query(min_length=1, max_length=100, description="Typed so far.")],
        country: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$")] = None,
        limit: Annotated[int, Query(ge=1, le=kb_search.MAX_RESULTS)] = 20,
    ) -> list[dict[str, Any]]:
        """Gazetteer places whose name starts with `q`, biggest first, as location
        records a correction takes."""
        return kb_search.places(q, country, limit)

    @app.get("/api/places/near", tags=["review"])
    def near_place(
        _user: Reader,
        lat: Annotated[float, Query(ge=-90, le=90)],
        lon: Annotated[float, Query(ge=-180, le=180)],
    ) -> dict[str, Any]:
        """The place a map click picks: the biggest town within 50 km (404: none)."""
        found = kb_search.nearest_place(lat, lon)
        if found is None:
            raise HTTPException(404, f"no place within 50 km of {lat:.3f}, {lon:.3f}")
        return found

    @app.get("/api/queue", tags=["review"])
    def review_queue(
        _user: Reader,
        filters: Annotated[Filters, Depends()],
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    ) -> dict[str, Any]:
        """Reports nobody has reviewed yet, least sure first (the coder's probability for
        the sub-type it chose; rule-typed events first), then oldest."""
        return review.queue(store, limit, **filters.kwargs)

    @app.get("/api/reviewers", tags=["review"])
    def get_reviewers(_user: Reader) -> list[dict[str, Any]]:
        """Per analyst: actions, events reviewed, confirms/corrections/rejections, last."""
        return review.reviewers(store)

    # --- write endpoints ---

    def _ingest_document(document: Any) -> dict[str, Any]:
        """Runs on the pipeline thread: extract, then store (or record the failure)."""
        from conflictlens.pipeline import process

        try:
            result = process(document)
        except ConflictLensError as exc:
            store.add_failure(document, document.content_hash, str(exc))
            raise
        except Exception as exc:  # a pipeline bug on one document: record it, answer 422
            reason = f"extraction failed: {type(exc).__name__}: {exc}"
            store.add_failure(document, document.content_hash, reason)
            raise InputError(reason) from exc
        outcome = store.add_result(document, result)
        article_id = article_id_for(document)
        return {
            "outcome": str(outcome),
            "article_id": article_id,
            "events": [e["id"] for e in store.article_events(article_id)],
        }

    async def _on_pipeline(fn: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        future: Awaitable[Any] = loop.run_in_executor(pipeline_pool, fn, *args)
        return await future

    @app.post("/api/ingest", tags=["ingest"], status_code=201)
    async def ingest(body: IngestRequest, user: Writer, response: Response) -> dict[str, Any]:
        """Extract and store one document (text, HTML or a URL to fetch).

        201 when new, 200 when already stored (idempotent by content hash), 422 with
        ``{"error": ...}`` when the document cannot be read as a report.
        """
        from conflictlens.stages.ingest import document_from_bytes, document_from_text

        published = body.published.isoformat() if body.published else None
        if body.url is not None:
            fetched = await run_in_threadpool(
                fetch_url,
                body.url,
                allow_private=config.allow_private_urls,
                max_bytes=config.url_max_bytes,
                timeout_s=config.url_timeout_s,
                max_redirects=config.url_max_redirects,
            )
            document = document_from_bytes(
                fetched.data,
                body.source or fetched.url,
                url=fetched.url,
                published=published,
                media_type=fetched.media_type,
                force_published=body.force_published,
            )
        else:
            content = body.text if body.text is not None else body.html
            assert content is not None
            document = document_from_text(
                content,
                body.source or f"api:{user}",
                published=published,
                media_type="text" if body.text is not None else "html",
                force_published=body.force_published,
            )
        outcome = await _on_pipeline(_ingest_document, document)
        if outcome["outcome"] != "added":
            response.status_code = 200
        return outcome

    @app.post("/api/events/{event_id}/review", tags=["review"])
    def review_event(event_id: str, body: ReviewRequest, user: Writer) -> dict[str, Any]:
        """Confirm, correct or reject one field; stored with who and when, kept across
        re-extraction. Answers the event as it now reads."""
        record = store.review(
            event_id, body.field, body.action, value=body.value, user=user, note=body.note
        )
        event = store.event(event_id) or {}
        return {"review": record, "event": event | {"corrections": store.corrections(event_id)}}

    @app.post("/api/groups/{group_id}/review", tags=["review"])
    def review_group(
        group_id: Annotated[int, PathParam(ge=1, le=2**62)], body: ReviewRequest, user: Writer
    ) -> dict[str, Any]:
        """Confirm, correct or reject one field of a real-world event (a stored group of
        reports, ``group`` in merged listings); kept with who and when, across
        re-extraction, and applied to the merged event."""
        record = store.review_group(
            group_id, body.field, body.action, value=body.value, user=user, note=body.note
        )
        return {"review": record}

    # --- dashboard and docs ---

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(WEB_DIR / "docs.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    return app
