"""ingest: raw bytes from files, folders and JSONL batches -> Document.

Decoding is deliberately forgiving (legacy encodings are decoded, not rejected) and
rejection is deliberately explicit: every refusal is an ``InputError`` with a one-line
reason that the CLI prints and a batch records against the document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from charset_normalizer import from_bytes

from conflictlens.dates import parse_iso
from conflictlens.errors import InputError
from conflictlens.models import Document

#: Larger inputs are not news articles; refusing them early bounds memory and time.
MAX_BYTES = 5 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".xhtml"}
BATCH_SUFFIXES = {".jsonl", ".ndjson"}

# Magic numbers of formats people drop into a folder of articles by mistake.
_BINARY_SIGNATURES: dict[bytes, str] = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF file (convert it to text first)",
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"\x1f\x8b": "a gzip archive",
    b"RIFF": "a RIFF media file",
    b"\x7fELF": "an executable",
}
_SURROGATE = re.compile("[\ud800-\udfff]")
_HTML_SNIFF = re.compile(rb"<\s*(!doctype\s+html|html|head|body|article|div|p)\b", re.I)


@dataclass
class BatchItem:
    """One unit of a batch: a decoded Document, or the reason it could not be read."""

    source: str
    document: Document | None
    error: str | None = None
    content_hash: str | None = None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding). UTF-8 first, then charset detection for legacy encodings."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError("cannot determine the text encoding")
    text = str(best)
    return text, best.encoding


def _check_bytes(data: bytes) -> None:
    if not data.strip():
        raise InputError("empty document")
    if len(data) > MAX_BYTES:
        raise InputError(
            f"document too large ({len(data) // 1024} KiB; limit {MAX_BYTES // 1024} KiB)"
        )
    for magic, what in _BINARY_SIGNATURES.items():
        if data.startswith(magic):
            raise InputError(f"not a text document: {what}")
    sample = data[:4096]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("not a text document: binary data")


def _check_text(text: str) -> None:
    # Control characters other than whitespace mean a binary file that happened to decode.
    sample = text[:4096]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > max(8, len(sample) // 100):
        raise InputError("not a text document: binary data")
    if not any(c.isalpha() for c in sample):
        raise InputError("no text in document")


def publication_date(value: object) -> str | None:
    """A publication date given with a document, as an ISO date: "2024-06-01", "Feb 7,
    2024", "7 février 2024". None for no value; InputError with a one-line reason for
    one that is not a full calendar date ("2024-13-45", "June 2024", "yesterday": never
    read against the clock)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise InputError(f"publication date must be a date string, got {type(value).__name__}")
    text = value.strip()
    day = parse_iso(text) if re.match(r"^\d{4}-\d{2}-\d{2}", text) else None
    if day is None and not re.match(r"^\d{4}-\d{1,2}-\d{1,2}", text):
        import dateparser  # slow to import; only non-ISO dates need it

        parsed = dateparser.parse(text, languages=["en", "fr"], settings=_DATEPARSER)
        day = parsed.date() if parsed is not None else None
    if day is None:
        raise InputError(f"unparseable publication date: {value!r} (give a day, e.g. 2024-06-01)")
    return day.isoformat()


#: Absolute dates only, all three parts: no "yesterday", no month standing for its 1st.
_DATEPARSER = {
    "PARSERS": ["custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "STRICT_PARSING": True,
}


def document_from_bytes(
    data: bytes,
    source: str,
    *,
    url: str | None = None,
    published: str | None = None,
    media_type: str | None = None,
    force_published: bool = False,
) -> Document:
    """Decode and classify one input. Raises InputError with a one-line reason (also
    for a ``published`` date that cannot be read). ``published`` is used when the
    document states no date of its own, or always with ``force_published``."""
    published = publication_date(published)
    if force_published and published is None:
        raise InputError("force_published needs a published date")
    _check_bytes(data)
    text, encoding = decode(data)
    _check_text(text)
    # A NUL past the binary sniff: no text means one, and PostgreSQL cannot store it.
    text = text.replace("\x00", "\ufffd")
    if media_type is None:
        media_type = "html" if _HTML_SNIFF.search(data[:2048]) else "text"
    return Document(
        content=text,
        media_type=media_type,  # type: ignore[arg-type]
        content_hash=content_hash(data),
        source=source,
        url=url,
        encoding=encoding,
        published=published,
        force_published=force_published,
    )


def shown(path: Path) -> str:
    """A path as text that can be printed and stored: bytes of a file name that are not
    UTF-8 (Python keeps them as lone surrogates) become backslash escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _too_large(size: int) -> InputError:
    return InputError(f"document too large ({size // 1024} KiB; limit {MAX_BYTES // 1024} KiB)")


def read_bounded(path: Path) -> bytes:
    """A file's bytes, refusing one over MAX_BYTES before reading it: its size first,
    then (pipes, devices, a file that grows) a read that stops one byte past the limit,
    so a 1 GB file never sits in memory."""
    try:
        if not path.exists():
            raise InputError(f"no such file: {shown(path)}")
        if path.is_dir():
            raise InputError(f"is a directory: {shown(path)}")
        size = path.stat().st_size
        if path.is_file() and size > MAX_BYTES:
            raise _too_large(size)
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read {shown(path)}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"document too large (over {MAX_BYTES // 1024} KiB)")
    return data


def file_hash(path: Path) -> str | None:
    """SHA-256 of a regular file, read in blocks (a failed file's key); None if unreadable."""
    digest = hashlib.sha256()
    try:
        if not path.is_file():
            return None
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def read_file(
    path: Path, *, published: str | None = None, force_published: bool = False
) -> Document:
    data = read_bounded(path)
    media = "html" if path.suffix.lower() in {".html", ".htm", ".xhtml"} else None
    return document_from_bytes(
        data, shown(path), media_type=media, published=published, force_published=force_published
    )


def document_from_text(
    text: str,
    source: str,
    *,
    url: str | None = None,
    published: str | None = None,
    media_type: str | None = None,
    force_published: bool = False,
) -> Document:
    """A text handed over as a Python string (an API argument, a JSON field): lone
    surrogates, which JSON can escape ("\\ud800") and no UTF-8 text can hold, become
    U+FFFD and the rest is kept; then as :func:`document_from_bytes`."""
    return document_from_bytes(
        replace_surrogates(text).encode("utf-8"),
        source,
        url=replace_surrogates(url),
        published=published,
        media_type=media_type,
        force_published=force_published,
    )


def check_record(record: Mapping[str, Any]) -> str:
    """A JSONL line's object (or a dict given to ``extract_many``) checked as a document:
    ``{"html" | "text", "url"?, "published"?, "force_published"?, "id"?}``. Returns its
    body; InputError (one line) for a record that is no document."""
    body = record.get("html") if record.get("html") is not None else record.get("text")
    if not isinstance(body, str):
        raise InputError('no "html" or "text" string in the record')
    for key in ("url", "published"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise InputError(f'field "{key}" must be a string, not {type(record[key]).__name__}')
    ident = record.get("id")
    if ident is not None and (isinstance(ident, bool) or not isinstance(ident, str | int)):
        raise InputError(f'field "id" must be a string or a number, not {type(ident).__name__}')
    if not isinstance(record.get("force_published", False), bool):
        raise InputError('field "force_published" must be true or false')
    return body


def document_from_record(
    record: Mapping[str, Any],
    source: str,
    *,
    published: str | None = None,
    force_published: bool = False,
    body: str | None = None,
) -> Document:
    """The Document of a record (see :func:`check_record`, skipped when its ``body`` is
    given); the record's own ``published`` and ``force_published`` win over the batch's,
    its ``id`` or ``url`` names it."""
    body = check_record(record) if body is None else body
    ident, url = record.get("id"), record.get("url")
    return document_from_text(
        body,
        replace_surrogates(str(ident) if ident is not None else url) or source,
        url=url,
        published=record.get("published") or published,
        media_type="html" if record.get("html") is not None else "text",
        force_published=record.get("force_published", force_published),
    )


def _jsonl_items(
    path: Path, published: str | None = None, force_published: bool = False
) -> Iterator[BatchItem]:
    """Each line: {"url"?, "html" | "text", "published"?, "force_published"?}. A bad line
    (an unreadable "published" included) fails alone."""
    with path.open("rb") as fh:
        for lineno, raw in enumerate(_bounded_lines(fh), start=1):
            source = f"{shown(path)}:{lineno}"
            if raw is None:
                yield BatchItem(
                    source, None, f"JSONL line too large (limit {MAX_BYTES // 1024} KiB)"
                )
                continue
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield BatchItem(source, None, f"invalid JSON: {exc}")
                continue
            except RecursionError:
                yield BatchItem(source, None, "invalid JSON: nested too deeply")
                continue
            if not isinstance(record, dict):
                yield BatchItem(source, None, "JSONL line is not an object")
                continue
            try:
                body = check_record(record)
            except InputError as exc:  # no document to key the failure by
                yield BatchItem(source, None, str(exc))
                continue
            try:
                doc = document_from_record(
                    record, source, published=published, force_published=force_published, body=body
                )
            except InputError as exc:  # a document that fails: keyed by its bytes
                digest = content_hash(replace_surrogates(body).encode("utf-8"))
                yield BatchItem(source, None, str(exc), digest)
                continue
            yield BatchItem(source, doc, None, doc.content_hash)


def _bounded_lines(fh) -> Iterator[bytes | None]:
    """Lines of a batch file, each read to at most MAX_BYTES (+1); None for a line over
    it, whose rest is skipped without holding it."""
    while True:
        line = fh.readline(MAX_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_BYTES and not line.endswith(b"\n"):
            while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield None
            continue
        yield line


@overload
def replace_surrogates(value: str) -> str: ...
@overload
def replace_surrogates(value: None) -> None: ...
def replace_surrogates(value: str | None) -> str | None:
    """A string with lone surrogates (which JSON can escape and no UTF-8 text can hold)
    replaced by U+FFFD, the rest kept."""
    if value is None:
        return None
    return _SURROGATE.sub("\ufffd", value)


def _files_under(folder: Path) -> tuple[list[Path], list[BatchItem]]:
    """The report files under a folder, sorted, and a failed item for each subfolder that
    cannot be listed (never skipped in silence, as ``Path.rglob`` would)."""
    unlisted: list[BatchItem] = []

    def failed(exc: OSError) -> None:
        where = shown(Path(exc.filename)) if exc.filename else shown(folder)
        unlisted.append(BatchItem(where, None, f"cannot read folder: {exc.strerror or exc}"))

    files = []
    for root, _dirs, names in os.walk(folder, onerror=failed):
        for name in names:
            p = Path(root) / name
            if (
                p.suffix.lower() in TEXT_SUFFIXES | BATCH_SUFFIXES
                and not p.name.endswith(".gold.json")
                and p.is_file()
            ):
                files.append(p)
    return sorted(files), unlisted


def iter_sources(
    paths: list[Path], *, published: str | None = None, force_published: bool = False
) -> Iterator[BatchItem]:
    """Expand files, folders (recursively, sorted) and JSONL batches into BatchItems.
    ``published``: the publication date of documents that state none (a JSONL line's
    own "published" wins), or of all of them with ``force_published``.

    Never raises for one bad input: the error travels in the item so the batch goes on.
    A ``published`` that is no date is the caller's error, raised before anything is read.
    """
    published = publication_date(published)
    if force_published and published is None:
        raise InputError("--force-published needs --published DATE")
    for path in paths:
        if path.is_dir():
            files, unlisted = _files_under(path)
            yield from unlisted
            yield from iter_sources(files, published=published, force_published=force_published)
        elif path.suffix.lower() in BATCH_SUFFIXES and path.is_file():
            yield from _jsonl_items(path, published, force_published)
        else:
            try:
                doc = read_file(path, published=published, force_published=force_published)
            except InputError as exc:
                yield BatchItem(shown(path), None, str(exc), file_hash(path))
                continue
            yield BatchItem(shown(path), doc, None, doc.content_hash)
