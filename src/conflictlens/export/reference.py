"""Reference data the exports read: ACLED's regions, country codes and outlets, GeoNames'
countries, ACLED's own places, and the points that stand for a region or a country.

Everything is loaded on first use and cached: an export of events with no place never
opens the gazetteer, one with no sources never reads the outlet table.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from conflictlens.gazetteer import distance_km, normalize

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: The ISO3 stand-in of events with no country (the store's ``NO_COUNTRY`` too).
NO_COUNTRY = "XXX"
#: How far an ACLED-coded place may be from an event's point to be taken as its place.
PLACE_KM = 25.0
#: The levels ACLED credits a wire agency with when its outlet table does not know it.
AGENCY_SCALE = "International"


@cache
def _json(name: str) -> dict[str, Any]:
    with open(DATA_DIR / name, encoding="utf-8") as f:
        return json.load(f)


def _regions() -> dict[str, str]:
    return _json("acled_regions.json")["regions"]


def acled_tables() -> dict[str, Any]:
    """``data/acled_export.json`` (scripts/build_acled_export.py, from ACLED's rows)."""
    return _json("acled_export.json")


# --- countries ----------------------------------------------------------------------


def region_for(country_code: str | None) -> str:
    """ACLED region name for an ISO2 code ('' when unknown)."""
    return _regions().get((country_code or "").upper(), "")


def country_info(location: dict[str, Any] | None) -> dict[str, Any] | None:
    """GeoNames' row (iso, iso3, isonumeric, name...) of a location's country: by ISO2
    code, else by name (GeoNames' or ACLED's spelling, "Ivory Coast"); None if neither."""
    from conflictlens.kb.countries import by_name, countries

    loc = location or {}
    code = str(loc.get("country_code") or "").upper()
    if code in countries():
        return countries()[code]
    name = str(loc.get("country") or "").strip()
    if not name:
        return None
    if name.lower() in by_name():
        return by_name()[name.lower()]
    from conflictlens.actors import ActorDictionary

    return countries().get(ActorDictionary.default().country_code(name) or "")


def acled_country_name(info: dict[str, Any] | None, fallback: str | None) -> str:
    """ACLED's spelling of a country ("Democratic Republic of Congo"), else ``fallback``."""
    if info is None:
        return fallback or ""
    from conflictlens.actors import ActorDictionary

    return ActorDictionary.default().acled_country_name(info["iso"]) or fallback or info["name"]


def id_prefix(iso3: str) -> str:
    """The code before the number of an ``event_id_cnty``: ACLED's own country code where
    its rows show one (Burkina Faso "BFO", Nigeria "NIG"), else the ISO3 code."""
    return acled_tables()["event_id_prefixes"].get(iso3, iso3)


# --- places -------------------------------------------------------------------------


def acled_place(location: dict[str, Any], country: str) -> Any | None:
    """The place ACLED's coders coded (``kb.places.AcledPlace``: admin1-3 in ACLED's
    spelling) that a location is: same name and country (ACLED's spelling), within
    ``PLACE_KM`` of its point when it has one; the most coded namesake wins."""
    name = location.get("name")
    if not name or not country:
        return None
    from conflictlens.kb.places import AcledPlaces

    want = normalize(country)
    found = [p for p in AcledPlaces.default().candidates(name) if normalize(p.country) == want]
    lat, lon = location.get("lat"), location.get("lon")
    if lat is not None and lon is not None:
        found = [p for p in found if distance_km((lat, lon), (p.lat, p.lon)) <= PLACE_KM]
    return found[0] if found else None


def acled_admin1_near(lat: float, lon: float, country: str) -> str | None:
    """ACLED's first-level unit at a point (``AcledPlaces.admin1_near``)."""
    from conflictlens.kb.places import AcledPlaces

    return AcledPlaces.default().admin1_near(lat, lon, country)


def area_point(location: dict[str, Any]) -> tuple[float, float, str] | None:
    """A point for a location and what it is the point of: "place" (its own coordinates,
    or the gazetteer's point of its name: a region's main town), "admin1" (its first-
    level region's), "country" (its country's centroid); None when nothing is known."""
    lat, lon = location.get("lat"), location.get("lon")
    if lat is not None and lon is not None:
        return float(lat), float(lon), "place"
    from conflictlens.gazetteer import Gazetteer

    gazetteer = Gazetteer.default()
    info = country_info(location)
    code = info["iso"] if info else None
    if (location.get("precision") or "country") != "country" and code:
        for name, what in ((location.get("name"), "place"), (location.get("admin1"), "admin1")):
            place = gazetteer.resolve(name, [code]) if name else None
            if place is not None and place.country_code == code and place.kind != "country":
                return place.lat, place.lon, what
    country = gazetteer.country(code) if code else None
    if country is None and location.get("country"):
        country = gazetteer.country(str(location["country"]))
    if country is None:
        return None
    return country.lat, country.lon, "country"


# --- outlets and agencies -----------------------------------------------------------


@cache
def _outlet_aliases() -> dict[str, list[str]]:
    """Every name of each outlet that structure.json knows (casefolded key -> names)."""
    out: dict[str, list[str]] = {}
    for outlet in _json("structure.json")["outlets"]:
        names = [outlet["name"], *outlet.get("aliases", [])]
        for name in names:
            out.setdefault(name.casefold(), []).extend(names)
    return out


@cache
def _scales() -> dict[str, str]:
    """Outlet (casefolded, also without ACLED's "(Country)" suffix) -> source scale."""
    table = acled_tables()["source_scales"]
    out: dict[str, str] = {}
    bare: dict[str, set[str]] = {}
    for name, (scale, _rows) in table.items():
        out[name.casefold()] = scale
        short = re.sub(r"\s*\([^()]*\)$", "", name).casefold()
        if short != name.casefold():
            bare.setdefault(short, set()).add(scale)
    for short, scales in bare.items():
        if short not in out and len(scales) == 1:  # "Daily Monitor" is Uganda's
            out[short] = scales.pop()
    return out


@cache
def _agencies() -> tuple[dict[str, str], re.Pattern[str], re.Pattern[str]]:
    """Wire agencies: alias (casefolded) -> ACLED's name; a pattern finding an alias in a
    publisher string; one finding a dateline credit "(Reuters) -" / "- AFP" in a text."""
    names: dict[str, str] = {}
    exact: list[str] = []
    folded: list[str] = []
    for agency in acled_tables()["wire_agencies"]:
        for alias in [agency["name"], *agency["aliases"]]:
            names[alias.casefold()] = agency["name"]
            (exact if alias.isupper() and len(alias) <= 5 else folded).append(alias)
    exact.sort(key=len, reverse=True)
    folded.sort(key=len, reverse=True)
    alt = "|".join([*(re.escape(a) for a in exact), *(f"(?i:{re.escape(a)})" for a in folded)])
    anywhere = re.compile(rf"(?<![\w-])(?:{alt})(?![\w-])")
    dateline = re.compile(rf"\(\s*({alt})\s*\)\s*[-\u2013\u2014]|[-\u2013\u2014]\s*({alt})\s*$")
    return names, anywhere, dateline


def agency_name(text: str) -> str | None:
    """ACLED's name of the wire agency ``text`` is ("Agence France-Presse" -> "AFP")."""
    return _agencies()[0].get(text.strip().casefold())


def agencies_in(publisher: str) -> list[str]:
    """Agencies a publisher string credits ("Dawn / AFP", "Reuters via Yahoo")."""
    names, anywhere, _ = _agencies()
    return list(dict.fromkeys(names[m.group(0).casefold()] for m in anywhere.finditer(publisher)))


def dateline_agencies(text: str) -> list[str]:
    """Agencies a wire dateline or end credit in ``text`` names ("KYIV, May 14 (Reuters) -")."""
    names, _, dateline = _agencies()
    found = (m.group(1) or m.group(2) for m in dateline.finditer(text))
    return list(dict.fromkeys(names[f.casefold()] for f in found))


def source_scale_of(name: str) -> str:
    """ACLED's most common ``source_scale`` for an outlet (by its name or one of the names
    structure.json gives it); "International" for a wire agency it does not list; ''."""
    scales = _scales()
    for key in [name, *_outlet_aliases().get(name.casefold(), [])]:
        scale = scales.get(key.casefold())
        if scale:
            return scale
    return AGENCY_SCALE if agency_name(name) else ""


def combined_scale(scales: list[str]) -> str:
    """One event's ``source_scale`` from its sources' levels, as ACLED writes it: a local
    partner's level stands alone ("Local partner-Other"); otherwise the two lowest
    distinct levels in ACLED's order, "-"-joined ("Subnational-National")."""
    scales = [s for s in scales if s]
    partner = [s for s in scales if s.startswith("Local partner")]
    if partner:
        return partner[0]
    order = acled_tables()["scale_order"]
    rank = {level: i for i, level in enumerate(order)}
    levels = sorted(dict.fromkeys(scales), key=lambda s: rank.get(s, len(order)))
    return "-".join(levels[:2])
