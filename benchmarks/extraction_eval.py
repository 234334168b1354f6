"""Article-text extraction from real news pages: ConflictLens against trafilatura.

Scores the text ConflictLens keeps from an HTML page (its body, the text every evidence
offset points into; the standfirst is its first paragraph) against a page set's reference
article text, next to trafilatura's defaults and trafilatura with comments off.

The score is the one of the public article-extraction benchmark (Scrapinghub's): word
4-gram shingles of the reference and the prediction, per-page true/false positives and
negatives normalised by the page's shingle count, precision and recall averaged over
pages, F1 from the two averages. Written here from its description, not copied.

Two page-set layouts are read:

- the article-extraction benchmark's: ``DIR/ground-truth.json`` ({id: {"articleBody",
  "url"}}) and ``DIR/html/<id>.html.gz``;
- newspaper4k's test pages: ``DIR/html/<name>.html``, ``DIR/txt/<name>.txt`` (the reference
  text) and ``DIR/metadata/<name>.json`` (the URL). ``make bench-extraction`` fetches
  newspaper4k's source distribution from the package registry and runs on its 23 pages
  (13 English, 10 in other languages: Arabic, Burmese, Chinese, Japanese, Latvian, Korean,
  Spanish, Thai). Its references are newspaper4k's own expected output, so they follow
  that extractor's choices (captions out, headline out).

    python benchmarks/extraction_eval.py DIR [--per-page]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from conflictlens.errors import InputError
from conflictlens.stages.structure import structure_html

_TOKEN = re.compile(r"\w+")

Counts = tuple[float, float, float]


def shingle_counts(true: str, pred: str, n: int = 4) -> Counts:
    """(tp, fp, fn) over word n-gram shingles, normalised to sum to 1 for the page."""

    def shingles(text: str) -> Counter[tuple[str, ...]]:
        tokens = _TOKEN.findall(text or "")
        return Counter(
            tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens
        )

    t, p = shingles(true), shingles(pred)
    tp = float(sum((t & p).values()))
    fp = float(sum((p - t).values()))
    fn = float(sum((t - p).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def scores(counts: list[Counts]) -> dict[str, float]:
    """Mean precision, mean recall and their F1, as the benchmark reports them."""
    p = statistics.mean([_precision(*c) for c in counts if c[0] + c[1] > 0] or [0.0])
    r = statistics.mean([_recall(*c) for c in counts if c[0] + c[2] > 0] or [0.0])
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def f1_interval(counts: list[Counts], rounds: int = 1000, seed: int = 0) -> float:
    """Half-width of a bootstrap 95% interval on F1 (1.96 standard deviations)."""
    rng = random.Random(seed)
    values = [scores([rng.choice(counts) for _ in counts])["f1"] for _ in range(rounds)]
    return 1.96 * statistics.stdev(values)


def load_pages(root: Path) -> list[tuple[str, str, str | None, str]]:
    """(page id, html, url, reference text) for every page of a page set."""
    pages = []
    truth = root / "ground-truth.json"
    if truth.exists():
        for key, gold in sorted(json.loads(truth.read_text(encoding="utf-8")).items()):
            html = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())
            pages.append(
                (key, html.decode("utf-8", "replace"), gold.get("url"), gold["articleBody"])
            )
        return pages
    for txt in sorted((root / "txt").glob("*.txt")):
        html_path = root / "html" / f"{txt.stem}.html"
        if not html_path.exists():
            continue
        meta_path = root / "metadata" / f"{txt.stem}.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        url = meta.get("url")
        html = html_path.read_bytes().decode("utf-8", "replace")
        pages.append((txt.stem, html, url, txt.read_text(encoding="utf-8")))
    if not pages:
        sys.exit(f"error: no pages under {root} (want ground-truth.json or txt/ + html/)")
    return pages


def conflictlens_text(html: str, url: str | None) -> str | None:
    """The article text ConflictLens keeps; None when it rejects the page."""
    try:
        art = structure_html(html, url=url)
    except InputError:
        return None
    return art.body


def extractors() -> dict[str, Callable[[str, str | None], str | None]]:
    found: dict[str, Callable[[str, str | None], str | None]] = {"conflictlens": conflictlens_text}
    try:
        import trafilatura
    except ImportError:  # the comparison needs it; ConflictLens alone still runs
        return found
    found["trafilatura"] = lambda html, url: trafilatura.extract(html, url=url)
    found["trafilatura-no-comments"] = lambda html, url: trafilatura.extract(
        html, url=url, include_comments=False
    )
    return found


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", type=Path, help="a page set (see the module docstring)")
    ap.add_argument("--per-page", action="store_true", help="print each page's F1")
    args = ap.parse_args(argv)
    pages = load_pages(args.pages)
    results: dict[str, list[Counts]] = {}
    rejected: dict[str, list[str]] = {}
    for name, extract in extractors().items():
        results[name] = []
        rejected[name] = []
        for key, html, url, gold in pages:
            text = extract(html, url)
            if text is None:
                rejected[name].append(key)
            results[name].append(shingle_counts(gold, text or ""))
    print(f"{len(pages)} pages from {args.pages}")
    for name, counts in results.items():
        s = scores(counts)
        print(
            f"{name:<24} precision={s['precision']:.3f}  recall={s['recall']:.3f}  "
            f"F1={s['f1']:.3f} ± {f1_interval(counts):.3f}  "
            f"rejected={len(rejected[name])} {' '.join(rejected[name])}"
        )
    if args.per_page:
        names = list(results)
        print("page".ljust(28) + "".join(n[:14].rjust(16) for n in names))
        for i, (key, *_rest) in enumerate(pages):
            row = [scores([results[n][i]])["f1"] for n in names]
            print(key[:28].ljust(28) + "".join(f"{v:16.3f}" for v in row))


if __name__ == "__main__":
    main()
