"""Search-as-you-type over the knowledge bases, for an analyst's correction pickers.

The dashboard corrects an actor, a place or a type from lists, not free text: these are
the lists. Each search is a plain function over the packaged data (the actor dictionary,
the gazetteer, the ACLED taxonomy) so that the API is a thin shell over it.

Ranking is what a person typing expects: a name that starts with the query first, then a
name with a word that starts with it, then an alias that does; bigger places first.
"""

from __future__ import annotations

import math
import re
from typing import Any

from conflictlens.kb.taxonomy import ACLED_TAXONOMY

#: The slot generic actor names hold for their country ("Police Forces of {country}").
_SLOT = "{country}"
MAX_RESULTS = 50


def taxonomy() -> list[dict[str, Any]]:
    """ACLED's event types, each with its sub-event types, in the codebook's order."""
    return [{"event_type": t, "sub_event_types": list(subs)} for t, subs in ACLED_TAXONOMY.items()]


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _rank(query: str, name: str, aliases: tuple[str, ...] | list[str]) -> int | None:
    """0 best .. 3; None: no match."""
    q, n = _fold(query), _fold(name)
    if n.startswith(q):
        return 0
    if any(w.startswith(q) for w in re.split(r"[\s(/-]+", n)):
        return 1
    folded = [_fold(a) for a in aliases]
    if any(a.startswith(q) for a in folded):
        return 2
    if q in n or any(q in a for a in folded):
        return 3
    return None


def actors(query: str, country: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Actors of the dictionary matching ``query``, as correction values (name, category,
    country, aliases). Generic actors ("Police Forces of {country}", "Civilians
    ({country})") are filled with ``country`` (ISO2 or name) when one is given, and are
    left out otherwise: ACLED never codes them without their country."""
    from conflictlens.actors import ActorDictionary

    if not query.strip():
        return []
    dictionary = ActorDictionary.default()
    iso = dictionary.country_code(country) if country else None
    country_name = dictionary.acled_country_name(iso) if iso else None
    found: list[tuple[int, str, dict[str, Any]]] = []
    seen: set[str] = set()
    for entry in dictionary.entries:
        name = entry.name
        if _SLOT in name:
            if country_name is None:
                continue
            filled = dictionary.get(name.replace(_SLOT, country_name))
            if filled is None:
                continue
            entry, name = filled, filled.name
        rank = _rank(query, name, entry.aliases)
        if rank is None or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        found.append(
            (
                rank,
                name,
                {
                    "name": name,
                    "category": entry.category,
                    "country": entry.country,
                    "aliases": list(entry.aliases[:8]),
                },
            )
        )
    found.sort(key=lambda f: (f[0], len(f[1]), f[1]))
    return [item for _, _, item in found[: min(limit, MAX_RESULTS)]]


def _place_dict(place: Any) -> dict[str, Any]:
    """A gazetteer place as the location record a correction takes, with its population
    (for the list; the picker sends the record without it)."""
    from conflictlens.gazetteer import to_location
    from conflictlens.models import to_dict

    return to_dict(to_location(place)) | {"population": place.population}


def places(query: str, country: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Gazetteer places whose name (or any GeoNames alternate name) starts with ``query``,
    biggest first; within ``country`` (ISO2) when given. Values are location records as
    a correction takes them."""
    from conflictlens.gazetteer import Gazetteer, normalize

    key = normalize(query)
    if not key:
        return []
    gazetteer = Gazetteer.default()
    rows = gazetteer.prefix(key, country=country.upper() if country else None, limit=limit)
    return [_place_dict(p) for p in rows[: min(limit, MAX_RESULTS)]]


def nearest_place(lat: float, lon: float, radius_km: float = 50.0) -> dict[str, Any] | None:
    """The gazetteer's biggest populated place within ``radius_km`` of a map click
    (nearest when none has people), or None: what a map pick corrects a location to."""
    from conflictlens.gazetteer import Gazetteer, distance_km

    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not math.isfinite(lat + lon):
        raise ValueError("lat must be within -90..90 and lon within -180..180")
    found = Gazetteer.default().within(lat, lon, radius_km)
    near = [p for p in found if p.kind == "city"] or found
    if not near:
        return None
    # A big town a few km away is what a reader names, not the hamlet under the click.
    best = max(near, key=lambda p: p.population / (1 + distance_km((lat, lon), (p.lat, p.lon))))
    return _place_dict(best)
