"""Build data/acled_export.json: what the ACLED-style export copies from ACLED's own rows.

Three tables, read from the TRAIN split of the ACLED training rows, plus one short
hand-compiled list:

- ``event_id_prefixes``: the country code ACLED puts before the number of its
  ``event_id_cnty`` ("BFO3937" for Burkina Faso, "NIG..." for Nigeria), keyed by ISO3.
  ACLED's codes are its own, not ISO 3166 (BFO, not BFA); countries the rows do not
  cover fall back to ISO3 in the export.
- ``source_scales``: each outlet ACLED cites -> the ``source_scale`` it is coded with most
  often, counted on rows that cite that outlet alone (an outlet only ever cited with
  others counts on rows whose scale is a single level, which then holds for every
  source of the row), with the number of rows it rests on.
- ``scale_order``: the order in which ACLED writes two levels of one event's sources
  ("Subnational-National", "Other-New media"), from the two-level labels of the rows;
  ``scale_levels`` the labels one source can have ("Local partner-Other" is one).
- ``wire_agencies``: news agencies whose datelines ("(Reuters) -") and credits name them
  as a source, in ACLED's spelling where its rows use one; hand-compiled (names are
  facts), each with its usual aliases.

    PYTHONPATH=src python scripts/build_acled_export.py --shared ../shared
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "conflictlens" / "data" / "acled_export.json"

#: Wire agencies: ACLED's spelling first (the name its rows cite), then aliases that
#: bylines, credits and datelines use. Aliases of 2-4 capitals match case-sensitively.
WIRE_AGENCIES: list[dict[str, object]] = [
    {"name": "AFP", "aliases": ["Agence France-Presse", "Agence France Presse"]},
    {"name": "AP", "aliases": ["Associated Press", "The Associated Press"]},
    {"name": "Reuters", "aliases": ["Thomson Reuters"]},
    {"name": "Xinhua", "aliases": ["Xinhua News Agency"]},
    {"name": "Anadolu Agency", "aliases": ["Anadolu"]},
    {"name": "EFE", "aliases": ["Agencia EFE"]},
    {"name": "DPA", "aliases": ["Deutsche Presse-Agentur", "dpa"]},
    {"name": "ANSA", "aliases": []},
    {"name": "Interfax", "aliases": []},
    {"name": "ITAR-TASS", "aliases": ["TASS"]},
    {"name": "Sputnik News Service", "aliases": ["Sputnik"]},
    {"name": "Kyodo", "aliases": ["Kyodo News"]},
    {"name": "Yonhap", "aliases": ["Yonhap News Agency"]},
    {"name": "PTI", "aliases": ["Press Trust of India"]},
    {"name": "ANI", "aliases": ["Asian News International"]},
    {"name": "IANS", "aliases": ["Indo-Asian News Service"]},
    {"name": "PANAPRESS", "aliases": ["PANA", "Pan African News Agency"]},
    {"name": "Agence de Presse Africaine", "aliases": ["APA", "APA News"]},
    {"name": "Ukrinform", "aliases": []},
]


def _sources(cell: str) -> list[str]:
    return [s.strip() for s in cell.split(";") if s.strip()]


def _order(pairs: Counter[tuple[str, str]]) -> list[str]:
    """Levels ranked by how many others they precede in the two-level labels "A-B" seen
    (minus how many precede them), so that A comes before B in most labels."""
    levels = {level for pair in pairs for level in pair}
    score: Counter[str] = Counter()
    for (a, b), n in pairs.items():
        if pairs.get((b, a), 0) < n:
            score[a] += 1
            score[b] -= 1
    return sorted(levels, key=lambda level: (-score[level], level))


def build(rows: Iterable[dict[str, str]], date: str) -> dict:
    from conflictlens.actors import ActorDictionary
    from conflictlens.kb.countries import countries

    actors = ActorDictionary.default()
    iso3 = {iso2: row["iso3"] for iso2, row in countries().items()}
    prefixes: dict[str, Counter[str]] = defaultdict(Counter)
    alone: dict[str, Counter[str]] = defaultdict(Counter)
    shared: dict[str, Counter[str]] = defaultdict(Counter)
    rows = [r for r in rows if r.get("split") == "train"]
    single_levels = {r["source_scale"] for r in rows if len(_sources(r["source"])) == 1}
    single_levels.discard("")
    for r in rows:
        match = re.fullmatch(r"([A-Z]{3})\d+", r.get("event_id_cnty", ""))
        code = actors.country_code(r.get("country"))
        if match and code in iso3:
            prefixes[iso3[code]][match.group(1)] += 1
        names, scale = _sources(r["source"]), r.get("source_scale", "")
        if not scale:
            continue
        if len(names) == 1:
            alone[names[0]][scale] += 1
        elif scale in single_levels:
            for name in names:
                shared[name][scale] += 1
    pairs: Counter[tuple[str, str]] = Counter()
    for r in rows:
        scale = r.get("source_scale", "")
        if scale in single_levels:
            continue
        for cut in (m.start() for m in re.finditer("-", scale)):
            a, b = scale[:cut], scale[cut + 1 :]
            if a in single_levels and b in single_levels:
                pairs[(a, b)] += 1
    scales = {}
    for name in sorted(set(alone) | set(shared)):
        counts = alone.get(name) or shared[name]
        scale, _ = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        scales[name] = [scale, sum(counts.values())]
    return {
        "_source": {
            "file": "shared/training/acled/events.jsonl (split == train)",
            "terms": "ACLED terms of use: attribution, research and non-commercial use "
            "(shared/training/SOURCES.md); wire_agencies hand-compiled (facts)",
            "command": "PYTHONPATH=src python scripts/build_acled_export.py --shared ../shared",
            "date": date,
        },
        "event_id_prefixes": {
            code: counts.most_common(1)[0][0] for code, counts in sorted(prefixes.items())
        },
        "scale_order": _order(pairs),
        "scale_levels": sorted(single_levels),
        "source_scales": scales,
        "wire_agencies": WIRE_AGENCIES,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--date", default=dt.date.today().isoformat())
    args = ap.parse_args(argv)
    path = Path(args.shared) / "training" / "acled" / "events.jsonl"
    with path.open(encoding="utf-8") as f:
        data = build((json.loads(line) for line in f if line.strip()), args.date)
    text = json.dumps(data, ensure_ascii=False, indent=0, sort_keys=False)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(
        f"wrote {args.out}: {len(data['event_id_prefixes'])} country codes, "
        f"{len(data['source_scales'])} outlets, scale order {data['scale_order']}"
    )


if __name__ == "__main__":
    main()
