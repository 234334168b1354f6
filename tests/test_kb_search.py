"""kb/search.py: the lists the correction pickers offer, over the packaged data."""

from __future__ import annotations

import pytest

from conflictlens.kb import search
from conflictlens.kb.taxonomy import ACLED_TAXONOMY


def test_taxonomy_lists_every_type_and_sub_type_in_order() -> None:
    listed = search.taxonomy()
    assert [t["event_type"] for t in listed] == list(ACLED_TAXONOMY)
    assert sum(len(t["sub_event_types"]) for t in listed) == 25


def test_actors_by_name_alias_and_generic_with_the_events_country() -> None:
    names = [a["name"] for a in search.actors("civil", "UA")]
    assert names[0] == "Civilians (Ukraine)"
    found = search.actors("TTP")  # an alias
    assert "Tehrik-i-Taliban Pakistan" in [a["name"] for a in found]
    police = search.actors("police", "Pakistan")[0]
    assert police == police | {"name": "Police Forces of Pakistan", "category": "State forces"}
    # Without a country, generic actors are not offered: ACLED never codes them so.
    assert "Police Forces of {country}" not in [a["name"] for a in search.actors("police")]
    assert search.actors("   ") == [] and len(search.actors("a", limit=5)) == 5


def test_places_by_prefix_biggest_first_and_within_a_country() -> None:
    karachi = search.places("karach")[0]
    assert (karachi["name"], karachi["country_code"], karachi["precision"]) == (
        "Karachi",
        "PK",
        "city",
    )
    assert 24 < karachi["lat"] < 25.5 and 66.5 < karachi["lon"] < 67.5
    assert all(p["country_code"] == "NG" for p in search.places("ka", "NG"))
    assert search.places("") == [] and search.places("zzzqqq") == []


def test_map_pick_takes_the_biggest_town_near_the_click() -> None:
    assert search.nearest_place(24.93, 67.08)["name"] == "Karachi"
    assert search.nearest_place(0.0, -150.0) is None  # mid-Pacific
    with pytest.raises(ValueError):
        search.nearest_place(91.0, 0.0)
