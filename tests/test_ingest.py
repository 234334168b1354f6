"""ingest: decoding and refusal of bad input, and batch expansion."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conflictlens.errors import InputError
from conflictlens.stages.ingest import (
    MAX_BYTES,
    content_hash,
    document_from_bytes,
    iter_sources,
    publication_date,
    read_file,
)


def test_seed_is_text_utf8(seed_path):
    doc = read_file(seed_path)
    assert doc.media_type == "text"
    assert doc.encoding == "utf-8"
    assert len(doc.content_hash) == 64
    assert "Karachi" in doc.content


def test_same_bytes_same_hash(seed_path):
    data = seed_path.read_bytes()
    assert (
        document_from_bytes(data, "a").content_hash == document_from_bytes(data, "b").content_hash
    )


def test_latin1_is_decoded_not_rejected():
    text = "Attaque à Karachi: la police a été visée vendredi, selon les témoins présents."
    doc = document_from_bytes(text.encode("latin-1"), "x.txt")
    assert "été visée" in doc.content
    assert doc.encoding != "utf-8"


def test_cp1252_quotes_decoded():
    data = "The \u201cdirty work\u201d of repression was outsourced to the army, he said.".encode(
        "cp1252"
    )
    doc = document_from_bytes(data, "x.txt")
    assert "\u201cdirty work\u201d" in doc.content


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n  ", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"),
        (b"\xff\xd8\xff\xe0" + bytes(200), "JPEG"),
        (b"%PDF-1.7\n" + bytes(100), "PDF"),
        (bytes(range(256)) * 8, "binary"),
        (b"1234 5678 ---- !!!!", "no text"),
    ],
)
def test_bad_input_one_line_reason(data, reason):
    with pytest.raises(InputError) as info:
        document_from_bytes(data, "x")
    assert reason in str(info.value)
    assert "\n" not in str(info.value)


def test_huge_input_refused():
    with pytest.raises(InputError, match="too large"):
        document_from_bytes(b"a" * (MAX_BYTES + 1), "x")


def test_html_is_sniffed():
    doc = document_from_bytes(b"<!DOCTYPE html><html><body><p>Hi there</p></body></html>", "x")
    assert doc.media_type == "html"


def test_batch_goes_on_after_bad_items(tmp_path, seed_path):
    (tmp_path / "good.txt").write_bytes(seed_path.read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(50))
    batch = tmp_path / "feed.jsonl"
    lines = [
        json.dumps(
            {"url": "https://example.org/a", "text": "Gunmen attacked a checkpoint in the city."}
        ),
        "{not json",
        json.dumps({"url": "https://example.org/b"}),
        json.dumps(["a", "list"]),
    ]
    batch.write_text("\n".join(lines) + "\n")
    items = list(iter_sources([tmp_path]))
    by_source = {i.source: i for i in items}
    assert len(items) == 7
    assert by_source[str(tmp_path / "good.txt")].document is not None
    assert "empty" in by_source[str(tmp_path / "empty.txt")].error
    assert "PNG" in by_source[str(tmp_path / "photo.html")].error
    jsonl = [i for i in items if i.source.startswith(str(batch)) or i.source.startswith("https")]
    assert [i.error is None for i in jsonl] == [True, False, False, False]
    assert jsonl[0].document.url == "https://example.org/a"


def test_missing_file():
    with pytest.raises(InputError, match="no such file"):
        read_file(__import__("pathlib").Path("/nonexistent/report.txt"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-06-01", "2024-06-01"),
        ("2024-06-01T10:00:00Z", "2024-06-01"),
        ("Feb 7, 2024", "2024-02-07"),
        ("7 février 2024", "2024-02-07"),
        ("", None),
        (None, None),
    ],
)
def test_publication_date_forms(value, expected):
    assert publication_date(value) == expected


@pytest.mark.parametrize("value", ["2024-13-45", "June 2024", "yesterday", "soon", 20240601])
def test_publication_date_refuses_what_is_no_day(value):
    with pytest.raises(InputError, match="publication date"):
        publication_date(value)


def test_a_bad_published_field_fails_its_line_alone(tmp_path):
    batch = tmp_path / "feed.jsonl"
    text = "Gunmen attacked a checkpoint in the city on Friday."
    batch.write_text(
        "\n".join(
            json.dumps(r)
            for r in (
                {"text": text, "published": "2024-13-45"},
                {"text": text + " Two died.", "published": "Feb 7, 2024"},
                {"text": text + " One died.", "published": "2024-02-07", "force_published": True},
            )
        )
        + "\n"
    )
    items = list(iter_sources([batch], published="2024-01-01"))
    assert "unparseable publication date: '2024-13-45'" in items[0].error
    assert items[1].document.published == "2024-02-07"  # the line's own beats the default
    assert items[2].document.force_published
    with pytest.raises(InputError, match="unparseable"):
        list(iter_sources([batch], published="not a date"))
    with pytest.raises(InputError, match="needs --published"):
        list(iter_sources([batch], force_published=True))


# --- hardening: one bad line or file fails alone, nothing is read whole ------------------


def test_hostile_jsonl_lines_fail_alone_and_good_ones_are_kept(tmp_path):
    text = "Gunmen attacked a checkpoint in the city on Friday."
    batch = tmp_path / "feed.jsonl"
    deep = "[" * 100_000 + "]" * 100_000
    lines = [
        json.dumps({"text": text + " \ud800 One died."}),  # a lone surrogate escape
        json.dumps({"text": text, "url": {"a": 1}}),
        json.dumps({"text": text, "published": ["2023"]}),
        deep,
        json.dumps({"text": text, "force_published": "yes"}),
        json.dumps({"text": text + " Two died.", "url": "https://example.org/\ud800"}),
    ]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(iter_sources([batch]))
    assert len(items) == 6
    first, url, published, nested, force, last = items
    assert first.error is None and "\ufffd One died" in first.document.content
    assert url.error == 'field "url" must be a string, not dict'
    assert published.error == 'field "published" must be a string, not list'
    assert nested.error == "invalid JSON: nested too deeply"
    assert "force_published" in force.error
    assert last.error is None and last.document.url == "https://example.org/\ufffd"
    for item in items:
        assert item.error is None or "\n" not in item.error


def test_an_oversized_jsonl_line_is_skipped_without_reading_it_whole(tmp_path, monkeypatch):
    import conflictlens.stages.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "MAX_BYTES", 1000)
    batch = tmp_path / "feed.jsonl"
    good = json.dumps({"text": "Gunmen attacked a checkpoint in the city on Friday."})
    batch.write_text(json.dumps({"text": "x " * 5000}) + "\n" + good + "\n")
    big, ok = list(iter_sources([batch]))
    assert "too large" in big.error
    assert ok.error is None


def test_a_huge_file_is_refused_before_it_is_read(tmp_path, monkeypatch):

    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:  # sparse: 64 MiB on paper, nothing on disk
        fh.truncate(64 * 1024**2)

    def no_whole_reads(self):
        raise AssertionError("read whole")

    monkeypatch.setattr(type(huge), "read_bytes", no_whole_reads)
    with pytest.raises(InputError, match="too large"):
        read_file(huge)
    (item,) = list(iter_sources([huge]))
    assert "too large" in item.error and item.content_hash is not None


def test_a_pipe_is_read_only_to_the_limit(tmp_path, monkeypatch):
    import os
    import threading

    import conflictlens.stages.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "MAX_BYTES", 10_000)
    fifo = tmp_path / "stream.txt"
    os.mkfifo(fifo)
    written = []

    def writer():
        try:
            with fifo.open("wb") as fh:
                for _ in range(100):
                    fh.write(b"word " * 1000)
                    written.append(1)
        except BrokenPipeError:
            pass

    thread = threading.Thread(target=writer)
    thread.start()
    with pytest.raises(InputError, match="too large"):
        read_file(fifo)
    thread.join(timeout=10)
    assert len(written) < 100  # the reader stopped; the writer never got far


def test_a_nul_past_the_binary_sniff_is_kept_as_a_replacement_character():
    """PostgreSQL cannot store NUL in text: the document keeps its text, the NUL is U+FFFD
    (the content hash stays that of the bytes given)."""
    data = ("Gunmen attacked a checkpoint in the city on Friday. " * 100).encode() + b"\x00end"
    doc = document_from_bytes(data, "x")
    assert "\x00" not in doc.content and doc.content.endswith("\ufffdend")
    assert doc.content_hash == content_hash(data)


# --- property-based: whatever arrives, a document or a one-line reason ---------------------


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
jsonl_records = st.dictionaries(
    st.sampled_from(["text", "html", "url", "published", "force_published", "title", "x"]),
    json_values | st.text(min_size=1, max_size=300),
    max_size=5,
)


@FUZZ
@given(
    st.binary(max_size=3000)
    | st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_any_bytes_are_a_document_or_a_one_line_refusal(data: bytes) -> None:
    try:
        doc = document_from_bytes(data, "fuzz")
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert doc.content and "\x00" not in doc.content
        doc.content.encode("utf-8")  # storable as UTF-8 text


@FUZZ
@given(st.lists(jsonl_records.map(json.dumps) | st.text(max_size=60), min_size=1, max_size=8))
def test_any_jsonl_batch_gives_one_item_per_line_and_never_raises(lines: list[str]) -> None:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "fuzz.jsonl"
        text = "\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines) + "\n"
        batch.write_bytes(text.encode("utf-8", "surrogatepass"))
        items = list(iter_sources([batch]))
    raw = text.encode("utf-8", "surrogatepass")
    expected = sum(1 for line in raw.split(b"\n")[:-1] if line.strip())  # blank: skipped
    assert len(items) == expected
    for item in items:
        assert (item.document is None) != (item.error is None)
        assert item.error is None or ("\n" not in item.error and len(item.error) < 500)
        if item.document is not None:
            item.document.content.encode("utf-8")
            assert item.document.url is None or isinstance(item.document.url, str)


def test_a_folder_that_cannot_be_listed_is_recorded_not_skipped(tmp_path, monkeypatch):
    """As root nothing is unreadable, so the denial is made at os.scandir, where os.walk
    meets it: the folder becomes a failed item with its reason, the rest is read."""
    import os

    good = tmp_path / "a" / "good.txt"
    good.parent.mkdir()
    good.write_text("Gunmen attacked a checkpoint in the city on Friday.")
    locked = tmp_path / "b-locked"
    locked.mkdir()
    (locked / "hidden.txt").write_text("never read")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = list(iter_sources([tmp_path]))
    by_source = {i.source: i for i in items}
    assert by_source[str(locked)].error == "cannot read folder: Permission denied"
    assert by_source[str(good)].document is not None
    assert str(locked / "hidden.txt") not in by_source
