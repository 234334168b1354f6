"""Model-only MUC-4 scores of the packaged role-filler model (no rules, no parse).

Per document: the ``incident`` textcat's types above a threshold (at most N, both
tuned here on the split) each get one template holding every predicted role entity
(``conflictlens.roles.muc_templates``). Scored with the project's GTT-style scorer;
also prints exact-match span P/R/F1 per label and the model's time per document.

Usage: python benchmarks/muc_roles_eval.py --shared ../shared [--split dev] [--model DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import spacy

from conflictlens.evaluate import MUC_ROLES, load_muc, score_muc
from conflictlens.roles import (
    DEFAULT_MAX_TYPES,
    DEFAULT_THRESHOLD,
    MODEL_DIR,
    RoleSpan,
    lower_same_length,
    muc_templates,
    span_scores,
)

THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
MAX_TYPES = (1, 2, 3)


def run(nlp: spacy.language.Language, docs: list[dict]) -> tuple[list, float]:
    """Predictions (spans, cats) per doc and seconds per doc, one doc per call as the
    pipeline would use it on a single article."""
    out = []
    t0 = time.perf_counter()
    for d in docs:
        text = d["doctext"]
        doc = nlp(lower_same_length(text))
        spans = [
            RoleSpan(e.start_char, e.end_char, text[e.start_char : e.end_char], e.label_)
            for e in doc.ents
        ]
        out.append((spans, dict(doc.cats)))
    return out, (time.perf_counter() - t0) / max(len(docs), 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--split", default="dev", choices=("train", "dev"))
    ap.add_argument("--model", type=Path, default=MODEL_DIR)
    args = ap.parse_args(argv)
    path = args.shared / "benchmarks" / "muc4" / f"{args.split}.json"
    if not path.exists() or not (args.model / "meta.json").exists():
        print(f"error: need {path} and a trained model at {args.model}", file=sys.stderr)
        return 2
    docs = load_muc(path)
    nlp = spacy.load(args.model)
    run(nlp, docs[:5])  # warm-up
    preds, per_doc = run(nlp, docs)

    def templates(th: float, k: int) -> dict[str, list[dict]]:
        return {
            d["docid"]: muc_templates(s, c, th, k) for d, (s, c) in zip(docs, preds, strict=True)
        }

    grid = {(th, k): score_muc(templates(th, k), docs).f1 for th in THRESHOLDS for k in MAX_TYPES}
    best = max(grid, key=lambda key: grid[key])
    print(f"MUC-4 {args.split}: {len(docs)} docs, model {args.model}")
    print("threshold x max types -> F1: " + ", ".join(f"{k}:{v:.4f}" for k, v in grid.items()))
    for label, (th, k) in (("default", (DEFAULT_THRESHOLD, DEFAULT_MAX_TYPES)), ("best", best)):
        sc = score_muc(templates(th, k), docs)
        print(
            f"\n{label} (threshold {th}, max types {k}): "
            f"P {sc.precision:.4f} R {sc.recall:.4f} F1 {sc.f1:.4f}"
        )
        for role in ("incident_type", *MUC_ROLES):
            p, r, f = sc.per_role[role]
            print(f"  {role:14s} P {p:.3f} R {r:.3f} F1 {f:.3f}")
    print("\nspan-level (exact match, every gold occurrence):")
    for k, (p, r, f) in span_scores(docs, [s for s, _ in preds]).items():
        print(f"  {k:8s} P {p:.3f} R {r:.3f} F1 {f:.3f}")
    print(f"\nmodel time per doc: {per_doc * 1000:.1f} ms (one call per doc, 1 process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
