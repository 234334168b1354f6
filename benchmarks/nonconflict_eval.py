"""How often non-conflict text gets no event: the MUC-4 dev reports with no template.

MUC-4 calls a report irrelevant when it holds no terrorist incident of its period; many
are political news (talks, elections, statements), some describe military combat,
which ACLED would code as battles. So "no event" is the right answer for most but not
all of them: read the figure with that in mind.

    python benchmarks/nonconflict_eval.py --shared ../shared
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from conflictlens.pipeline import process_many
from conflictlens.stages.ingest import document_from_bytes


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--split", default="dev", choices=["dev", "train"])
    args = ap.parse_args(argv)
    path = Path(args.shared) / "benchmarks" / "muc4" / f"{args.split}.json"
    docs = [json.loads(line) for line in path.open()]
    irrelevant = [d for d in docs if not d["templates"]]
    inputs = [
        document_from_bytes(d["doctext"].encode(), d["docid"], published="1990-01-01")
        for d in irrelevant
    ]
    types: Counter[str] = Counter()
    empty = 0
    for result in process_many(inputs):
        live = [e for e in result.events if not e.background]
        empty += not live
        types.update(e.type_string for e in live)
    n = len(irrelevant)
    print(
        f"MUC-4 {args.split}: {n} reports without a template; no event in {empty} "
        f"({empty / n:.1%}); events produced by type: {dict(types.most_common(8))}"
    )


if __name__ == "__main__":
    main()
