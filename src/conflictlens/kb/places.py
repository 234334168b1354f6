"""The places conflict coders geocoded: ACLED's (``data/acled_places.json``) and UCDP's
(``data/ucdp_places.json``), both from training rows only.

GeoNames' cities1000 knows the towns; conflict events happen in villages it lacks
("Ougarou", "Kabougou"). ACLED's coders placed each event and named its admin units;
``AcledPlaces.resolve`` looks a place name up among them and picks the namesake the text
supports: one whose admin names the text gives ("Kabougou (Tansarga, Tapoa)"), else one
in the text's countries, else the one most events were coded at. Built by
``scripts/build_acled_places.py`` (train split only; ACLED's terms of use apply) and
``scripts/build_ucdp_places.py`` (this project's train split of UCDP GED, CC BY 4.0:
Syrian, Ukrainian and Nigerian villages the ACLED rows lack).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from conflictlens.gazetteer import Place, distance_km, loose_key, normalize

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DATA = DATA_DIR / "acled_places.json"
#: Read after ACLED's (namesakes rank by rows; on a tie ACLED's comes first).
UCDP_DATA = DATA_DIR / "ucdp_places.json"
#: How far the nearest ACLED-coded place may be for its admin1 to name a point's region.
ADMIN_KM = 25.0
#: A gazetteer town smaller than this loses to a coders' place or admin unit of the same
#: name ("Soum": a village in Senegal, a province of Burkina Faso in ACLED's rows) ...
SMALL_TOWN = 20_000
#: ... and a town of that size beats a namesake the coders placed fewer times than this
#: ("Goma": the city, not the Ethiopian hamlet ACLED coded once).
RARE_NAMESAKE = 3
#: ACLED geo_precision 1 is the place itself, 2 a part of a region near it, 3 a region.
KIND = {1: "city", 2: "city", 3: "region"}


#: The columns of a places file, as ``AcledPlace`` reads them (less ``source``).
COLUMNS = (
    "location",
    "admin1",
    "admin2",
    "admin3",
    "country",
    "lat",
    "lon",
    "geo_precision",
    "rows",
)


class PlaceTally:
    """What a builder counts: every distinct (location, admin1, admin2, admin3, country)
    with the mean of its events' coordinates, its best precision and its rows."""

    def __init__(self) -> None:
        self._acc: dict[tuple[str, str, str, str, str], list[float]] = {}

    def add(self, key: tuple[str, str, str, str, str], lat: float, lon: float, precision: int):
        a = self._acc.setdefault(key, [0.0, 0.0, 0, 9])
        a[0] += lat
        a[1] += lon
        a[2] += 1
        a[3] = min(a[3], precision)

    def document(self, source: dict) -> dict:
        """The places file: ``_source`` (where the rows came from, their terms), the
        columns and one row per place, sorted."""
        places = [
            [*key, round(a[0] / a[2], 4), round(a[1] / a[2], 4), int(a[3]), int(a[2])]
            for key, a in sorted(self._acc.items())
        ]
        return {"_source": source, "columns": list(COLUMNS), "places": places}


def write(doc: dict, out: Path) -> None:
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")


@dataclass(frozen=True)
class AcledPlace:
    location: str
    admin1: str
    admin2: str
    admin3: str
    country: str
    lat: float
    lon: float
    geo_precision: int
    rows: int
    #: Whose coders placed it: "acled" or "ucdp" (admin names are ACLED's spelling only
    #: in ACLED's rows: "Nassarawa", where UCDP writes "Nasarawa").
    source: str = "acled"

    def admin_keys(self) -> set[str]:
        return {normalize(a) for a in (self.admin1, self.admin2, self.admin3) if a}


class AcledPlaces:
    def __init__(self, path: Path | Sequence[Path] = (DATA, UCDP_DATA)) -> None:
        self.by_name: dict[str, list[AcledPlace]] = {}
        self._grid: dict[tuple[int, int], list[AcledPlace]] | None = None
        for source in [path] if isinstance(path, Path) else path:
            if not source.exists():
                continue
            origin = "ucdp" if source.name.startswith("ucdp") else "acled"
            for row in json.loads(source.read_text(encoding="utf-8"))["places"]:
                place = AcledPlace(*row, source=origin)
                known = self.by_name.setdefault(normalize(place.location), [])
                if origin == "ucdp" and any(
                    p.source == "acled" and p.country == place.country for p in known
                ):
                    continue  # ACLED placed a namesake there: its names and point stand
                known.append(place)
        for items in self.by_name.values():
            items.sort(key=lambda p: -p.rows)
        # Names again by their transliteration-blind key ("Deir Ezzor" for "Deir ez Zor").
        self._by_loose: dict[str, list[str]] = {}
        for key in self.by_name:
            if lk := loose_key(key):
                self._by_loose.setdefault(lk, []).append(key)
        # Admin units (a district, a region) as places of their own: the mean point of the
        # events coded in them, at region precision.
        acc: dict[tuple[str, str, str], list[float]] = {}
        shown: dict[str, str] = {}
        for items in self.by_name.values():
            for p in items:
                for level, name in ((3, p.admin3), (2, p.admin2), (1, p.admin1)):
                    if name:
                        shown.setdefault(normalize(name), name)
                        a = acc.setdefault((normalize(name), p.country, p.admin1), [0, 0, 0, level])
                        a[0] += p.lat * p.rows
                        a[1] += p.lon * p.rows
                        a[2] += p.rows
                        a[3] = min(a[3], level)
        self.admins: dict[str, list[AcledPlace]] = {}
        for (key, country, admin1), (lat, lon, n, level) in acc.items():
            unit = AcledPlace(shown[key], admin1, "", "", country, lat / n, lon / n, 3, int(n))
            self.admins.setdefault(key, []).append((unit, level))
        for units in self.admins.values():
            units.sort(key=lambda u: (u[1], -u[0].rows))

    @classmethod
    @functools.cache
    def default(cls) -> AcledPlaces:
        return cls()

    def admin1_near(self, lat: float, lon: float, country: str, km: float = ADMIN_KM) -> str | None:
        """ACLED's first-level unit at a point: that of the nearest place its coders placed
        within ``km`` in ``country`` (a name). GeoNames and ACLED name regions apart --
        "Oromiya" / "Oromia", Uganda's "Central Region" / the district "Wakiso"."""
        if self._grid is None:
            self._grid = {}
            for items in self.by_name.values():
                for p in items:
                    if p.admin1 and p.geo_precision < 3 and p.source == "acled":
                        self._grid.setdefault((round(p.lat), round(p.lon)), []).append(p)
        want = normalize(country)
        best, best_km = None, km
        for dlat in (-1, 0, 1):
            for dlon in (-1, 0, 1):
                for p in self._grid.get((round(lat) + dlat, round(lon) + dlon), ()):
                    if normalize(p.country) != want:
                        continue
                    d = distance_km((lat, lon), (p.lat, p.lon))
                    if d <= best_km:
                        best, best_km = p, d
        return best.admin1 if best else None

    def candidates(self, name: str) -> list[AcledPlace]:
        return self.by_name.get(normalize(name), [])

    def spelled(self, name: str) -> str:
        """The name as the coders wrote it, where the data lacks it as written but knows
        one place under another transliteration ("Deir Ezzor" -> "Deir ez Zor"); else
        ``name``."""
        if normalize(name) in self.by_name:
            return name
        keys = self._by_loose.get(loose_key(normalize(name)), [])
        return self.by_name[keys[0]][0].location if len(keys) == 1 else name

    def resolve(
        self, name: str, hints: str = "", countries: Sequence[str] = ()
    ) -> AcledPlace | None:
        """The namesake of ``name`` that the text around it (``hints``: the words after
        it, where ACLED-style notes give "(admin2, admin1)") and its ``countries``
        (names) support; None when the data has no place of that name."""
        found = self.candidates(name)
        if not found:
            return self.admin_unit(hints, countries)
        parts = {normalize(x) for x in hints.replace("(", ",").split(",")} - {""}
        words = set(normalize(hints).split())

        def named(p: AcledPlace) -> float:
            # Whole admin names count more than words, and a region more than a district:
            # "Boke (Boke, Boke)" is Guinea's Boke region, not an Ethiopian sub-district.
            score = 0.0
            for weight, admin in ((3, p.admin1), (2, p.admin2), (1, p.admin3)):
                key = normalize(admin) if admin else ""
                if key in parts:
                    score += weight
                elif key and key in words:
                    score += weight / 4
            return score

        best = max(found, key=named)
        if named(best) > 0:
            return best
        wanted = {normalize(c) for c in countries}
        inside = [p for p in found if normalize(p.country) in wanted]
        return (inside or found)[0]

    def admin_unit(self, hints: str, countries: Sequence[str] = ()) -> AcledPlace | None:
        """The admin unit the words name ("Tansarga, Tapoa"), the most local first; a
        place the data lacks is then placed at the middle of its unit."""
        wanted = {normalize(c) for c in countries}
        best = None
        for part in hints.replace("(", ",").split(","):
            units = self.admins.get(normalize(part), [])
            inside = [u for u in units if normalize(u[0].country) in wanted] or units
            if inside and (best is None or inside[0][1] > best[1]):
                best = inside[0]
        return best[0] if best else None


_HINTS_END = re.compile(r"[).;\n]")


def admin_hints(text: str, end: int) -> str:
    """The admin names written after a place name that ends at ``end``, up to the bracket
    or the sentence's end: "Kabougou (Tansarga, Tapoa)" gives "Tansarga, Tapoa";
    "Osokorivka, Kherson. Casualties unknown." gives "Kherson"."""
    return _HINTS_END.split(text[end : end + 80], maxsplit=1)[0]


def to_place(p: AcledPlace, country_code: str | None) -> Place:
    """As a gazetteer :class:`Place` (no GeoNames id: ACLED's own geocoding)."""
    return Place(
        geonames_id=None,
        name=p.location,
        admin1=p.admin1 or None,
        country=p.country,
        country_code=country_code or "",
        lat=p.lat,
        lon=p.lon,
        population=0,
        kind=KIND.get(p.geo_precision, "city"),
    )
