"""The ``conflictlens`` command: a thin shell over the pipeline, store and export APIs.

Every user error ends as one line on stderr and a non-zero exit status; set
CONFLICTLENS_DEBUG=1 to see tracebacks of unexpected failures.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from conflictlens.errors import ConflictLensError, InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="ConflictLens: political-violence events from news reports, offline.",
)
# Piped output (make demo, CI logs) is not a terminal: give tables room instead of 80 columns.
# No markup anywhere: paths, headlines and actor names are the user's text, and a "[/b]"
# in one must print as written, not raise (styles are given as Text styles instead).
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 180, markup=False)
err = Console(stderr=True, markup=False, soft_wrap=True)  # one message, one line

DEFAULT_DB = "conflictlens.db"
DbOption = Annotated[str, typer.Option("--db", help="SQLite path or database URL.")]


class OutputFormat(StrEnum):
    json = "json"
    table = "table"


class ExtractFormat(StrEnum):
    json = "json"
    table = "table"
    acled_csv = "acled-csv"
    acled_json = "acled-json"
    geojson = "geojson"


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _event_rows(events: list[dict]) -> Table:
    table = Table(show_lines=False, header_style="bold")
    for col in ("id", "type", "date", "location", "actor 1", "actor 2", "deaths", "bg", "src"):
        table.add_column(col, overflow="fold")
    for e in events:
        date = e.get("date") or {}
        when = date.get("start") or ("unknown" if date else "")
        if date.get("end") and date["end"] != date.get("start"):
            when += f"..{date['end']}"
        loc = e.get("location") or {}
        place = ", ".join(x for x in (loc.get("name"), loc.get("country_code")) if x)
        fat = e.get("fatalities")
        table.add_row(
            e["id"],
            e.get("type") or f"{e['event_type']}/{e['sub_event_type']}",
            when,
            place,
            (e.get("actor1") or {}).get("name", ""),
            (e.get("actor2") or {}).get("name", ""),
            "" if fat is None else str(fat["best"]),
            "yes" if e.get("background") else "",
            str(max(1, len(e.get("sources") or []))),
        )
    return table


PublishedOption = Annotated[
    str | None,
    typer.Option(
        "--published",
        help="Publication date (2024-06-01, 'Feb 7, 2024') to use for documents that state "
        "none; relative dates ('on Friday') are read against it.",
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force-published",
        help="Use --published even where the document states its own date.",
    ),
]


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="A text or HTML news report.")],
    format: Annotated[
        ExtractFormat,
        typer.Option(
            "--format",
            "-f",
            help="json (article and events), table, or an export format: acled-csv, "
            "acled-json, geojson (events numbered in output order, e.g. PAK1, PAK2).",
        ),
    ] = ExtractFormat.json,
    published: PublishedOption = None,
    force_published: ForceOption = False,
) -> None:
    """Extract the article structure and events of one document (no database)."""
    from conflictlens.pipeline import extract_file

    result = extract_file(file, published=published, force_published=force_published)
    for warning in result.warnings:
        err.print(f"warning: {warning}", highlight=False)
    if format is ExtractFormat.json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    if format is not ExtractFormat.table:
        from conflictlens.export import export as do_export

        do_export(result.to_dict()["events"], format.value)
        return
    a = result.article
    out.print(Text(a.headline or "(no headline)", style="bold"))
    meta = [a.publisher, a.published, ", ".join(a.authors) or None, a.language]
    out.print(" · ".join(x for x in meta if x))
    out.print(_event_rows(result.to_dict()["events"]))


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders or JSONL batches.")],
    db: DbOption = DEFAULT_DB,
    published: PublishedOption = None,
    force_published: ForceOption = False,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Extract on a Dask cluster: its scheduler (tcp://HOST:8786)."),
    ] = None,
    dask_local: Annotated[
        int | None,
        typer.Option(help="Extract on a local Dask cluster of N worker processes.", min=1),
    ] = None,
) -> None:
    """Store documents, articles and events. Re-running is safe: unchanged documents
    are skipped by content hash; a bad document is recorded as failed and the batch goes on.
    Exit status: 0 every document stored, 1 some failed, 2 a usage error."""
    import contextlib

    from conflictlens.batch import dask_client, dask_runner
    from conflictlens.stages.ingest import iter_sources
    from conflictlens.store import Store

    items = list(iter_sources(paths, published=published, force_published=force_published))
    if not items:
        raise InputError("nothing to ingest: no readable files under the given paths")
    if scheduler and dask_local:
        raise InputError("--scheduler and --dask-local: give one of them")
    store = Store.open(db)
    try:
        with contextlib.ExitStack() as stack:
            runner = None
            if scheduler or dask_local:
                client = stack.enter_context(dask_client(scheduler, dask_local))
                runner = dask_runner(client)
            counts = _ingest_items(store, items, runner)
        stats = store.stats()
    finally:
        store.close()
    out.print(
        f"{counts['added']} added, {counts['updated']} updated, {counts['unchanged']} unchanged, "
        f"{counts['failed']} failed; database now holds {stats['events']} events "
        f"from {stats['articles']} articles",
        highlight=False,
    )
    if counts["failed"]:  # exit status 1: some documents failed (each recorded, above)
        raise typer.Exit(1)


def _progress(hide: bool = False) -> Progress:
    """A progress bar on stderr, shown only on a terminal (and not when ``hide``)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=hide or not err.is_terminal,
    )


def _ingest_items(store, items, runner):  # type: ignore[no-untyped-def]
    """The batch behind `ingest`, with a progress bar and a line per failure."""
    from conflictlens.batch import ingest_documents

    with _progress(hide=len(items) < 5) as progress:
        task = progress.add_task("ingesting", total=len(items))
        unreadable = 0
        for item in items:
            if item.document is None:
                progress.advance(task)
                store.add_failure(item.source, item.content_hash, item.error or "unreadable")
                err.print(f"failed: {item.source}: {item.error}", highlight=False)
                unreadable += 1

        def done(document, outcome: str, reason: str | None) -> None:
            progress.advance(task)
            if outcome == "failed":
                err.print(f"failed: {document.source}: {reason}", highlight=False)

        readable = (item.document for item in items if item.document is not None)
        counts = ingest_documents(store, readable, done, runner)
        counts["failed"] += unreadable
    return counts


MergeOption = Annotated[
    bool,
    typer.Option(
        "--merge/--no-merge",
        help="One row per real-world event: merge reports of the same event across articles.",
    ),
]


def _query(
    db: str, country, since, until, type_, limit=None, merge: bool = True, members=None
) -> list[dict]:
    from conflictlens.dates import parse_iso
    from conflictlens.store import Store

    for label, value in (("--since", since), ("--until", until)):
        if value and parse_iso(value) is None:
            raise InputError(f"{label} must be an ISO date (YYYY-MM-DD), got {value!r}")
    if "://" not in db and not Path(db).exists():
        raise InputError(f"no database at {db}: run `conflictlens ingest` first")
    store = Store.open(db)
    try:
        rows = store.events(
            country=country,
            since=since,
            until=until,
            event_type=type_,
            limit=None if merge else limit,
        )
        if merge:  # the stored groups: one row per real-world event
            rows = store.merged(rows, members)
    finally:
        store.close()
    if merge:
        rows.sort(key=lambda e: ((e.get("date") or {}).get("start") or "", e["id"]))
        rows = rows[:limit] if limit else rows
    return rows


@app.command()
def events(
    db: DbOption = DEFAULT_DB,
    country: Annotated[str | None, typer.Option(help="Country name or ISO2 code.")] = None,
    since: Annotated[str | None, typer.Option(help="ISO date: events ending on/after it.")] = None,
    until: Annotated[
        str | None, typer.Option(help="ISO date: events starting on/before it.")
    ] = None,
    type: Annotated[
        str | None, typer.Option("--type", help="ACLED type or sub-event type.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many events.", min=0)] = None,
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
    merge: MergeOption = True,
) -> None:
    """List stored events (reports of one event across articles merged, with source counts)."""
    rows = _query(db, country, since, until, type, limit, merge)
    if format is ListFormat.json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
    elif format is ListFormat.csv:
        from conflictlens.export import FLAT_COLUMNS, FLAT_TYPES, flatten
        from conflictlens.export.acled import csv_safe

        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=FLAT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for e in rows:
            writer.writerow(csv_safe(flatten(e), FLAT_TYPES))
        sys.stdout.write(buf.getvalue())
    else:
        out.print(_event_rows(rows))
        out.print(f"{len(rows)} events", highlight=False)


@app.command()
def export(
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="acled-csv, acled-json, geojson, jsonl, parquet, geoparquet, or training "
            "(reviewed events as the coder's training rows: `make train REVIEWED=FILE`).",
        ),
    ],
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
    db: DbOption = DEFAULT_DB,
    country: Annotated[str | None, typer.Option()] = None,
    since: Annotated[str | None, typer.Option()] = None,
    until: Annotated[str | None, typer.Option()] = None,
    type: Annotated[str | None, typer.Option("--type")] = None,
    merge: MergeOption = True,
) -> None:
    """Export stored events as ACLED CSV or API JSON, GeoJSON, JSON Lines, Parquet or
    GeoParquet."""
    from conflictlens.export import FORMATS
    from conflictlens.export import export as do_export

    if format == "training":
        _export_training(db, output)
        return
    if format not in FORMATS:
        choices = ", ".join([*FORMATS, "training"])
        raise InputError(f"unknown format {format!r}; choose one of: {choices}")
    if FORMATS[format].binary and output in (None, "-"):
        raise InputError(f"{format} is binary: give --output FILE")
    # As `events` lists them; each merged row takes the lowest number of its reports.
    members: dict[str, dict] = {}
    rows = _query(db, country, since, until, type, merge=merge, members=members)
    if not merge:
        members = {e["id"]: e for e in rows}
    count = do_export(rows, format, output, members=members)
    if output not in (None, "-"):
        skipped = f", {count.skipped} skipped (no coordinates)" if count.skipped else ""
        err.print(f"wrote {count.written} events to {output}{skipped}", highlight=False)


def _export_training(db: str, output: str | None) -> None:
    """Reviewed events as JSON Lines rows the coder's training reads (review.py)."""
    from conflictlens.review import training_rows
    from conflictlens.store import Store

    if "://" not in db and not Path(db).exists():
        raise InputError(f"no database at {db}: run `conflictlens ingest` first")
    with Store.open(db) as store:
        lines = [json.dumps(row, ensure_ascii=False) + "\n" for row in training_rows(store)]
    if output in (None, "-"):
        sys.stdout.write("".join(lines))
        return
    Path(output).write_text("".join(lines), encoding="utf-8")
    negatives = sum('"negative": true' in line for line in lines)
    err.print(
        f"wrote {len(lines)} reviewed events to {output} ({negatives} rejected: negatives)",
        highlight=False,
    )


@app.command("eval")
def evaluate(
    corpus: Annotated[
        Path,
        typer.Argument(
            help="A folder of documents with .gold.json files, a MUC-4 JSON file, "
            "an ACLED file (JSON Lines or CSV) or UCDP GED events (JSON Lines)."
        ),
    ],
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    json_output: Annotated[
        bool, typer.Option("--json", help="Machine-readable output (same as --format json).")
    ] = False,
    limit: Annotated[
        int | None, typer.Option(help="MUC-4 / ACLED: score the first N documents / rows.")
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option(
            "--predictions",
            help="MUC-4 / ACLED: also write what was scored to this JSON file.",
            dir_okay=False,
        ),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option(
            help="ACLED: only rows whose split field is this (dev); UCDP GED: this "
            "project's split of it (dev = every fifth event id)."
        ),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            help="ACLED: only rows whose region or country is this (leave-one-region-out)."
        ),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            help="ACLED: coder weights to use instead of the shipped ones "
            "(sets CONFLICTLENS_CODER), e.g. a model trained without the --only region."
        ),
    ] = None,
) -> None:
    """Score extraction against gold files (event P/R/F1, per-field and article accuracy),
    MUC-4 templates (the GTT template-filling score), or ACLED rows (each row's notes
    read as one report; field accuracy, per-type breakdown, sub-type F1, confusions)."""
    from conflictlens import muc
    from conflictlens.evaluate import is_acled_file, ucdp

    if json_output:
        format = OutputFormat.json
    if not corpus.exists():
        raise InputError(f"no such corpus: {corpus}")
    if ucdp.is_ucdp_file(corpus):
        for flag, value in (("--only", only), ("--model", model)):
            if value is not None:
                raise InputError(f"{flag} applies to ACLED files only")
        _eval_ucdp(corpus, format, limit, predictions, split)
        return
    if is_acled_file(corpus) and not muc.is_muc_file(corpus):
        _eval_acled(corpus, format, limit, predictions, split, only, model)
        return
    for flag, value in (("--split", split), ("--only", only), ("--model", model)):
        if value is not None:
            raise InputError(f"{flag} applies to ACLED files only")
    if muc.is_muc_file(corpus):
        _eval_muc(corpus, format, limit, predictions)
        return
    if predictions is not None:
        raise InputError("--predictions applies to MUC-4 and ACLED files only")
    if not corpus.is_dir():
        raise InputError(
            f"{corpus} is not a folder of documents with .gold.json files, "
            "a MUC-4 file or an ACLED file"
        )
    _eval_gold(corpus, format)


def _eval_gold(corpus: Path, format: OutputFormat) -> None:
    from conflictlens.evaluate import score_corpus
    from conflictlens.pipeline import extract_file

    def predict(path: Path) -> dict:
        gold = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".gold.json").read_text())
        return extract_file(path, published=gold.get("reference_date")).to_dict()

    score = score_corpus(corpus, predict)
    if score.docs == 0:
        raise InputError(f"no documents with .gold.json files in {corpus}")
    if format is OutputFormat.json:
        out.print_json(json.dumps(score.to_dict(), ensure_ascii=False))
    else:
        out.print(score.render(), highlight=False)


def _write_json(path: Path, data: object) -> None:
    try:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    err.print(f"wrote {path}", highlight=False)


def _eval_muc(
    path: Path, format: OutputFormat, limit: int | None, predictions: Path | None
) -> None:
    from conflictlens import muc
    from conflictlens.evaluate import predictions_json, score_muc

    docs = muc.load_docs(path)[:limit]
    pred = muc.predict(docs)
    score = score_muc(pred, docs)
    if predictions is not None:
        _write_json(predictions, predictions_json(pred, docids=[d["docid"] for d in docs]))
    if format is OutputFormat.json:
        out.print_json(json.dumps(score.to_dict()))
        return
    lines = [f"MUC-4 template filling, {score.docs} documents ({path.name})", ""]
    lines.append(f"{'slot':16s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    for role, (p, r, f) in score.per_role.items():
        lines.append(f"{role:16s} {p:6.3f} {r:6.3f} {f:6.3f}")
    lines.append(f"{'ALL (micro)':16s} {score.precision:6.3f} {score.recall:6.3f} {score.f1:6.3f}")
    out.print("\n".join(lines), highlight=False)


def _eval_acled(
    path: Path,
    format: OutputFormat,
    limit: int | None,
    predictions: Path | None,
    split: str | None,
    only: str | None,
    model: Path | None,
) -> None:
    from conflictlens.evaluate import acled

    loaded = acled.load_acled(path, split=split, only=only, limit=limit)
    if not loaded.rows:
        raise InputError(f"no ACLED rows to score in {path} (after --split / --only)")
    coder = acled.use_coder_weights(model) if model is not None else None
    with _progress() as progress:
        task = progress.add_task("extracting", total=len(loaded.rows))
        predicted = []
        for event in acled.predict_acled(loaded.rows):
            predicted.append(event)
            progress.advance(task)
    score = acled.score_acled(loaded.rows, predicted)
    if predictions is not None:
        _write_json(predictions, acled.prediction_records(loaded.rows, predicted, score))
    if format is OutputFormat.json:
        data = score.to_dict() | {
            "file": str(path),
            "split": split,
            "only": only,
            "model": coder,
            "skipped_without_notes": loaded.without_notes,
        }
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    scope = ", ".join(
        x
        for x in (
            f"split {split}" if split else None,
            f"only {only}" if only else None,
            f"first {limit}" if limit else None,
            f"coder {coder}" if coder else None,
        )
        if x
    )
    rows = f"{score.rows} row{'' if score.rows == 1 else 's'}"
    head = f"ACLED events, {rows} of {path.name}" + (f" ({scope})" if scope else "")
    if loaded.without_notes:
        head += f"; {loaded.without_notes} rows without notes skipped"
    out.print(head + "\n\n" + score.report(), highlight=False)


def _eval_ucdp(
    path: Path, format: OutputFormat, limit: int | None, predictions: Path | None, split: str | None
) -> None:
    from conflictlens.evaluate import ucdp

    rows = ucdp.load_ucdp(path, split=split, limit=limit)
    if not rows:
        raise InputError(f"no UCDP events with a headline to score in {path}")
    predicted = list(ucdp.predict_ucdp(rows))
    score = ucdp.score_ucdp(rows, predicted)
    if predictions is not None:
        records = [
            {"id": r.get("id"), "headline": r.get("source_headline"), "verdicts": v, "predicted": p}
            for r, p, v in zip(rows, predicted, score.verdicts, strict=True)
        ]
        _write_json(predictions, records)
    if format is OutputFormat.json:
        out.print_json(json.dumps(score.to_dict() | {"file": str(path), "split": split}))
        return
    out.print(score.render(), highlight=False)


# --- server (appended by the serve work; see conflictlens.server) ---------------------

token_app = typer.Typer(
    no_args_is_help=True, help="API tokens: writes (ingest, review) through the server need one."
)
app.add_typer(token_app, name="token")


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="TOML file with a [server] table (see docs).", dir_okay=False
        ),
    ] = None,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs) and the dashboard (at /)."""
    import uvicorn

    from conflictlens.server import create_app, load_config

    settings = load_config(config)
    application = create_app(db, settings)
    err.print(f"serving {db} on http://{host}:{port}/ (API docs at /docs)", highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="info", proxy_headers=False)


@app.command()
def watch(
    sources: Annotated[
        Path, typer.Argument(help="OPML file, or a text file of RSS/Atom URLs (one a line).")
    ],
    db: DbOption = DEFAULT_DB,
    once: Annotated[bool, typer.Option("--once", help="Poll every feed once, then exit.")] = False,
    interval: Annotated[
        float, typer.Option(help="Seconds between rounds (without --once).", min=10)
    ] = 900.0,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="TOML file with a [server] table (URL policy).", dir_okay=False
        ),
    ] = None,
) -> None:
    """Poll feeds and store their new articles: robots.txt, one request per host a
    second, conditional GET, the server's URL policy (allow_private_urls, size and time
    caps). Feed state: `conflictlens feeds`. Stops cleanly on SIGTERM or Ctrl-C.
    Exit status with --once: 0 every feed read, 1 some failed."""
    import signal
    import threading

    from conflictlens.feeds import Watcher, read_sources
    from conflictlens.server import load_config
    from conflictlens.store import Store

    feeds = read_sources(sources)
    settings = load_config(config)
    store = Store.open(db)
    stop = threading.Event()
    try:
        watcher = Watcher(
            store,
            allow_private=settings.allow_private_urls,
            timeout_s=settings.url_timeout_s,
            max_bytes=settings.url_max_bytes,
        )
        if once:
            reports = watcher.poll(feeds)
        else:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
            err.print(f"watching {len(feeds)} feeds every {interval:g} s", highlight=False)
            watcher.run(feeds, interval, stop)
            reports = []
    finally:
        store.close()
    for r in reports:
        state = r.error if r.status == "failed" else f"{r.new} new, {r.skipped} skipped"
        out.print(f"{r.status:>6}  {r.url}  {state}", highlight=False)
        for item in r.failed_items:
            err.print(f"failed: {item}", highlight=False)
    if any(r.status == "failed" for r in reports):
        raise typer.Exit(1)


@app.command()
def feeds(
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """The watched feeds: last poll, its outcome, failures in a row, articles stored."""
    from conflictlens.store import Store

    if "://" not in db and not Path(db).exists():
        raise InputError(f"no database at {db}: run `conflictlens watch` first")
    store = Store.open(db)
    try:
        rows = store.feeds()
    finally:
        store.close()
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=1) + "\n")
        return
    table = Table(header_style="bold")
    for col in ("feed", "last poll", "status", "failures", "articles", "last error"):
        table.add_column(col)
    for row in rows:
        table.add_row(
            row["title"] or row["url"],
            row["last_fetch"] or "",
            row["last_status"] or "",
            str(row["failures"]),
            str(row["items"]),
            row["last_error"] or "",
        )
    out.print(table)


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Who the token's writes are attributed to.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Create a token for NAME and print it (it is shown once; only its hash is stored)."""
    from conflictlens.store import Store

    store = Store.open(db)
    try:
        token = store.create_token(name)
    finally:
        store.close()
    sys.stdout.write(token + "\n")
    err.print(f"token created for {name}: keep it, it cannot be shown again", highlight=False)


@token_app.command("list")
def token_list(db: DbOption = DEFAULT_DB) -> None:
    """List tokens (names and dates; never the secrets)."""
    from conflictlens.store import Store

    store = Store.open(db)
    try:
        rows = store.tokens()
    finally:
        store.close()
    table = Table(header_style="bold")
    for col in ("id", "name", "created", "state"):
        table.add_column(col)
    for row in rows:
        state = "revoked" if row["revoked"] else "active"
        table.add_row(str(row["id"]), row["name"], row["created_at"] or "", state)
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument(help="Revoke every active token of this name.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Revoke all active tokens of NAME."""
    from conflictlens.store import Store

    store = Store.open(db)
    try:
        count = store.revoke_token(name)
    finally:
        store.close()
    if count == 0:
        raise InputError(f"no active token named {name!r}")
    out.print(f"revoked {count} token(s) of {name}", highlight=False)


def main() -> None:
    """Entry point: user errors become one line and exit status 2, never a traceback."""
    try:
        # Outside standalone mode click returns a command's exit status instead of exiting.
        code = app(standalone_mode=False)
    except ConflictLensError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # usage errors (typer's click) and anything unexpected
        if hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int):
            ctx = getattr(exc, "ctx", None)
            command = " ".join(ctx.command_path.split()[1:]) if ctx is not None else ""
            hint = f" (see conflictlens {command + ' ' if command else ''}--help)"
            err.print(f"error: {_one_line(exc.format_message())}{hint}", highlight=False)
            sys.exit(exc.exit_code)  # 2: a usage error
        if os.environ.get("CONFLICTLENS_DEBUG"):
            raise
        err.print(f"error: {type(exc).__name__}: {_one_line(str(exc))}", highlight=False)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


if __name__ == "__main__":
    main()
