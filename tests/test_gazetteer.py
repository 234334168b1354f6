"""Tests for the offline gazetteer, on the packaged database and real place mentions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conflictlens.gazetteer import Gazetteer, Place, distance_km, normalize, to_location
from conflictlens.models import Location
from conflictlens.stages.extract import coordinated
from tests.corpus import MUC_DEV

ROOT = Path(__file__).resolve().parents[1]
MUC4_PLACES = ROOT / "tests" / "data" / "muc4_dev_places.json"
SEED_PLACES = [
    # (mention, context, ISO2, expected name, admin1) from the seed's gold file
    ("Karachi", ["PK"], "PK", "Karachi", "Sindh"),
    ("Peshawar", ["PK"], "PK", "Peshawar", "Khyber Pakhtunkhwa"),
    ("Kabul", ["PK", "AF"], "AF", "Kabul", "Kabul"),
    ("Pakistan", ["PK"], "PK", "Pakistan", None),
    ("Afghanistan", ["PK"], "AF", "Afghanistan", None),
]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


def test_first_lookup_works_in_a_fresh_process() -> None:
    # Speed is measured in benchmarks/bench.py; here, a cold start resolves a name.
    code = (
        "from conflictlens.gazetteer import Gazetteer;"
        "print(Gazetteer.default().resolve('Karachi').country_code)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    ).stdout.split()
    assert out == ["PK"]
    assert Gazetteer.default().resolve("Quetta").country_code == "PK"


def test_default_is_cached(gaz: Gazetteer) -> None:
    assert Gazetteer.default() is gaz


@pytest.mark.parametrize(("mention", "context", "code", "name", "admin1"), SEED_PLACES)
def test_seed_places(gaz: Gazetteer, mention, context, code, name, admin1) -> None:
    place = gaz.resolve(mention, context)
    assert place is not None
    assert (place.country_code, place.name, place.admin1) == (code, name, admin1)


def test_seed_coordinates_match_gold(gaz: Gazetteer) -> None:
    karachi = gaz.resolve("Karachi")
    assert distance_km((karachi.lat, karachi.lon), (24.8607, 67.0011)) < 10
    peshawar = gaz.resolve("Peshawar")
    assert distance_km((peshawar.lat, peshawar.lon), (34.008, 71.5785)) < 5
    pakistan = gaz.country("Pakistan")
    assert abs(pakistan.lat - 30) <= 3 and abs(pakistan.lon - 70) <= 3
    assert pakistan.kind == "country" and pakistan.geonames_id == 1168579


def test_regions(gaz: Gazetteer) -> None:
    for name, code in [("Sindh", "PK"), ("Khyber Pakhtunkhwa", "PK"), ("Balochistan", "PK")]:
        place = gaz.resolve(name)
        assert (place.kind, place.country_code, place.name) == ("region", code, name)
    punjab = gaz.resolve("Punjab", ["PK"])
    assert (punjab.kind, punjab.country_code) == ("region", "PK")
    assert gaz.resolve("Punjab", ["IN"]).country_code == "IN"
    # A region's point is its largest city.
    sindh = gaz.resolve("Sindh")
    assert distance_km((sindh.lat, sindh.lon), (24.86, 67.01)) < 20
    # English compass words for Spanish/French region names.
    assert gaz.resolve("North Kivu").country_code == "CD"


def test_disambiguation_rules(gaz: Gazetteer) -> None:
    assert gaz.resolve("Paris").country_code == "FR"
    # A US Paris above 10k people wins when the text is about the US ...
    assert gaz.resolve("Paris", ["US"]).country_code == "US"
    # ... but a tiny same-named village in the context country does not beat a capital.
    assert gaz.resolve("Bogota", ["US"]).country_code == "CO"  # Bogota, NJ: 8,400 people
    salvador = gaz.resolve("san salvador", ["SV"])
    assert (salvador.kind, salvador.country_code, salvador.name) == ("city", "SV", "San Salvador")
    # A region named after its capital means the city.
    assert gaz.resolve("Kabul").kind == "city"
    # Exact country names are countries, not same-named cities.
    assert gaz.resolve("Guatemala").kind == "country"
    assert gaz.resolve("Mexico").kind == "country"
    assert gaz.resolve("guatemala city").kind == "city"
    # Context may be given as names too.
    assert gaz.resolve("Santiago", ["Chile"]).country_code == "CL"
    assert gaz.resolve("Santiago", ["Dominican Republic"]).country_code == "DO"
    assert gaz.resolve("Nowhereville-on-Thames") is None
    assert gaz.resolve("") is None
    # A region named like its country's capital means the capital.
    assert (gaz.resolve("washington", ["NI"]).kind, gaz.resolve("Washington").kind) == ("city",) * 2
    # GeoNames' population 0 means unknown: a village in the story's country still wins.
    assert gaz.resolve("villanueva", ["NI"]).country_code == "NI"
    assert gaz.resolve("santo domingo", ["CO"]).country_code == "CO"


def test_historical_and_island_names(gaz: Gazetteer) -> None:
    assert gaz.resolve("the soviet union").country_code == "RU"
    assert gaz.resolve("the malvinas islands").country_code == "FK"
    assert gaz.resolve("the republic of cuba").kind == "country"
    assert gaz.resolve("grenada island").country_code == "GD"


def test_wrapped_and_decorated_names(gaz: Gazetteer) -> None:
    for text in ["Karachi city", "the city of Karachi", "KARACHI.", "Karachi,", "  karachi  "]:
        place = gaz.resolve(text)
        assert place is not None and place.name == "Karachi", text
    assert gaz.resolve("the department of usulutan", ["SV"]).kind == "region"
    assert gaz.resolve("el peten department", ["GT"]).name == "Peten"
    assert gaz.resolve("Medellín").name == gaz.resolve("medellin").name == "Medellín"


def test_candidates_cover_all_kinds(gaz: Gazetteer) -> None:
    kinds = {p.kind for p in gaz.candidates("San Salvador")}
    assert {"city", "region"} <= kinds
    pops = [p.population for p in gaz.candidates("Paris")]
    assert len(pops) > 5 and pops == sorted(pops, reverse=True)
    assert [p.kind for p in gaz.candidates("Pakistan")] == ["country"]
    # Alternate names are indexed, folded.
    assert any(p.country_code == "PK" for p in gaz.candidates("Peschawar"))
    assert gaz.candidates("zzzz qqqq") == []


def test_country_lookup(gaz: Gazetteer) -> None:
    for key in ["PK", "pk", "PAK", "Pakistan", "pakistan", "Islamic Republic of Pakistan"]:
        place = gaz.country(key)
        assert place is not None and place.country_code == "PK", key
    for key in ["United States", "USA", "U.S.", "America", "US"]:
        assert gaz.country(key).country_code == "US", key
    assert gaz.country("Ivory Coast").country_code == "CI"
    assert gaz.country("Côte d'Ivoire").country_code == "CI"
    assert gaz.country("Cote d’Ivoire").country_code == "CI"
    assert gaz.country("Karachi") is None
    assert gaz.country("XX") is None
    us = gaz.country("US")
    assert 25 < us.lat < 50 and -125 < us.lon < -65


def test_demonyms(gaz: Gazetteer) -> None:
    assert gaz.demonym("Pakistani") == "PK"
    assert gaz.demonym("pakistanis") == "PK"
    assert gaz.demonym("Afghan") == "AF"
    assert gaz.demonym("AFGHANS") == "AF"
    assert gaz.demonym("Salvadoran") == "SV"
    assert gaz.demonym("Salvadorans") == "SV"
    assert gaz.demonym("Côte d'Ivoire") is None
    assert gaz.demonym("table") is None
    data = json.loads(
        (ROOT / "src" / "conflictlens" / "data" / "demonyms.json").read_text(encoding="utf-8")
    )
    codes = [k for k in data if not k.startswith("_")]
    assert len(codes) >= 150
    # Every demonym points at a country the gazetteer knows.
    assert all(gaz.country(code) is not None for code in codes)


def test_distance_km() -> None:
    assert distance_km((0.0, 0.0), (0.0, 0.0)) == 0.0
    # Karachi -> Peshawar is about 1,150 km.
    assert 1100 < distance_km((24.8607, 67.0011), (34.008, 71.5785)) < 1200
    assert distance_km((0, 179.5), (0, -179.5)) == pytest.approx(111.2, abs=0.5)


def test_to_location(gaz: Gazetteer) -> None:
    loc = to_location(gaz.resolve("Peshawar"))
    assert isinstance(loc, Location)
    assert (loc.name, loc.admin1, loc.country, loc.country_code, loc.precision) == (
        "Peshawar",
        "Khyber Pakhtunkhwa",
        "Pakistan",
        "PK",
        "city",
    )
    assert loc.geonames_id == 1168197
    assert to_location(gaz.country("AF")).precision == "country"
    region = Place(None, "Sindh", "Sindh", "Pakistan", "PK", 24.86, 67.01, 1, "region")
    assert to_location(region).precision == "region"


def _misses(gaz: Gazetteer, items: list[dict]) -> tuple[list[str], list[str]]:
    """Mentions with the wrong city/region, and those with the wrong country, as readable lines.

    A name counts only with the annotated kind where one is given, so that the state of
    Washington is not taken for the city.
    """
    wrong_place: list[str] = []
    wrong_country: list[str] = []
    # Every annotated mention is a place name, as the parser's GPE/LOC entities are.
    places = [gaz.resolve(i["mention"], i["context"], fallback=True) for i in items]
    for group in json.loads(MUC4_PLACES.read_text(encoding="utf-8"))["lists"]:
        context = list(dict.fromkeys(c for i in group for c in items[i]["context"]))
        names = [items[i]["mention"] for i in group]
        refined = gaz.refine_list(names, [places[i] for i in group], context, fallback=True)
        for i, place in zip(group, refined, strict=True):
            places[i] = place
    for item, place in zip(items, places, strict=True):
        got = "unresolved" if place is None else f"{place.name}/{place.country_code}/{place.kind}"
        line = f"{item.get('doc', 'seed')} {item['mention']!r} -> {got}"
        if place is None or place.country_code != item["country_code"]:
            wrong_country.append(line)
            wrong_place.append(line)
        elif normalize(place.name) not in {normalize(n) for n in item["names"]} or (
            "kind" in item and place.kind != item["kind"]
        ):
            wrong_place.append(line)
    return wrong_place, wrong_country


def _written_lists(items: list[dict]) -> list[list[int]]:
    """Indexes of annotated mentions that the document writes as one list, found by the
    extractor's own list rule on each mention's first occurrence in the MUC-4 dev text."""
    if not MUC_DEV.exists():
        return []
    texts = {}
    for line in MUC_DEV.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        texts[doc["docid"]] = doc["doctext"]
    by_doc: dict[str, list[tuple[int, int, int]]] = {}
    for i, item in enumerate(items):
        text = texts.get(item.get("doc", ""))
        found = text and re.search(rf"\b{re.escape(item['mention'])}\b", text)
        if found:
            by_doc.setdefault(item["doc"], []).append((found.start(), found.end(), i))
    groups: list[list[int]] = []
    for doc, spans in by_doc.items():
        spans.sort()
        for group in coordinated(texts[doc], [(a, b) for a, b, _ in spans]):
            if len(group) > 1:
                groups.append([spans[k][2] for k in group])
    return groups


@pytest.mark.skipif(not MUC_DEV.exists(), reason="../shared/benchmarks not present")
def test_the_bundled_lists_are_the_list_rules_reading_of_the_dev_texts() -> None:
    """The accuracy test reads the lists from the fixture, so that it holds on a clone
    without the MUC-4 texts; with them, the fixture must be what the rule finds."""
    data = json.loads(MUC4_PLACES.read_text(encoding="utf-8"))
    assert _written_lists(data["places"]) == data["lists"]


def test_accuracy_on_seed_and_muc4_dev(gaz: Gazetteer) -> None:
    items = json.loads(MUC4_PLACES.read_text(encoding="utf-8"))["places"]
    # Every place mention of each MUC-4 dev document taken, in file order (see the data file).
    assert len(items) >= 200
    items += [
        {"mention": m, "context": c, "country_code": cc, "names": [n]}
        for m, c, cc, n, _ in SEED_PLACES
    ]
    wrong_place, wrong_country = _misses(gaz, items)
    unresolved = sum(line.endswith("unresolved") for line in wrong_country)
    city = 1 - len(wrong_place) / len(items)
    country = 1 - len(wrong_country) / len(items)
    country_resolved = 1 - (len(wrong_country) - unresolved) / (len(items) - unresolved)
    print(
        f"\nplaces={len(items)} city={city:.3f} country={country:.3f} "
        f"country_among_resolved={country_resolved:.3f}\n" + "\n".join(wrong_place)
    )
    # Issue 4 asks for city >= 0.90 and country >= 0.99. Measured on this set: city 0.964,
    # country 1.000. Names the data lacks fall back to the context country (country
    # precision), data/regions.json covers informal regions, and names the text writes as
    # one list are resolved as neighbours (the three border villages of one Nicaraguan
    # report; without lists: city 0.951, country 0.987). Floors just under the measures.
    assert city >= 0.96
    assert country >= 0.995


def test_a_written_list_is_resolved_as_neighbours(gaz: Gazetteer) -> None:
    names = ["Villanueva", "Somotillo", "San Pedro", "San Benito", "San Francisco"]
    alone = [gaz.resolve(n, ["NI"], fallback=True) for n in names]
    # One by one, the saints' names go to their biggest namesakes abroad.
    assert [p.country_code for p in alone] == ["NI", "NI", "CI", "GT", "US"]
    places = gaz.resolve_list(names, ["NI"], fallback=True)
    assert [(p.name, p.country_code) for p in places] == [
        ("Villanueva", "NI"),
        ("Somotillo", "NI"),
        ("San Pedro del Norte", "NI"),  # "San Pedro" with its qualifier, beside the anchors
        ("Nicaragua", "NI"),  # no namesake near: the anchors' country, inferred
        ("San Francisco del Norte", "NI"),
    ]
    assert places[3].inferred and not places[2].inferred
    assert {p.admin1 for p in places if not p.inferred} == {"Chinandega"}
    # Without fallback a name with no neighbour keeps what it resolved to alone.
    assert gaz.resolve_list(names, ["NI"])[3].country_code == "GT"


def test_a_list_of_far_apart_places_is_left_alone(gaz: Gazetteer) -> None:
    for names, context, expected in [
        (["Madrid", "Paris", "San Salvador"], ["SV"], ["ES", "FR", "SV"]),
        (["Somotillo", "Villanueva", "Tegucigalpa"], ["NI"], ["NI", "NI", "HN"]),
        (["San Salvador", "Santa Ana", "San Miguel"], ["SV"], ["SV", "SV", "SV"]),
        (["Karachi", "Lahore"], [], ["PK", "PK"]),  # no context: no anchors
    ]:
        places = gaz.resolve_list(names, context, fallback=True)
        assert [p.country_code for p in places] == expected, names
        assert places == [gaz.resolve(n, context, fallback=True) for n in names]


def test_named_regions(gaz: Gazetteer) -> None:
    waziristan = gaz.resolve("North Waziristan")
    assert (waziristan.kind, waziristan.country_code, waziristan.admin1) == (
        "region",
        "PK",
        "Khyber Pakhtunkhwa",
    )
    assert to_location(waziristan).precision == "region"
    assert gaz.resolve("Darfur").country_code == "SD"
    assert gaz.resolve("the Middle Magdalena region").name == "Magdalena Medio"
    # A context-only alias needs its country in the text.
    assert gaz.resolve("the tribal areas", ["PK"]).name == "Federally Administered Tribal Areas"
    assert gaz.resolve("the tribal areas") is None
    assert gaz.resolve("the metropolitan region", ["CL"]).country_code == "CL"
    assert gaz.resolve("the metropolitan region", ["SV"]) is None
    # A GeoNames place keeps its name when a named region shares it.
    assert gaz.resolve("Kabul").geonames_id is not None


def test_fallback_to_the_context_country(gaz: Gazetteer) -> None:
    # A name the data lacks: only with fallback, and only with a context.
    assert gaz.resolve("Xqzville", ["SV"]) is None
    place = gaz.resolve("Xqzville", ["SV"], fallback=True)
    assert (place.kind, place.country_code, place.inferred) == ("country", "SV", True)
    assert to_location(place).precision == "country"
    assert gaz.resolve("Xqzville", [], fallback=True) is None
    # A small town abroad loses to "somewhere in the story's country" ...
    assert gaz.resolve("el recreo", ["CO"], fallback=True).country_code == "CO"
    assert gaz.resolve("el recreo", ["CO"]).country_code == "MX"
    # ... a large city abroad does not, nor does a real place in the context.
    assert gaz.resolve("Miami", ["SV"], fallback=True).name == "Miami"
    assert gaz.resolve("Karachi", ["PK"], fallback=True).inferred is False


def test_normalize() -> None:
    assert normalize("Côte d'Ivoire") == "cote divoire"
    assert normalize("  São  Paulo! ") == "sao paulo"
    assert normalize("Khyber-Pakhtunkhwa") == "khyber pakhtunkhwa"
    assert normalize("Łódź") == "lodz"
    assert normalize("U.S.") == "us"


def test_a_qualifier_picks_the_namesake_in_that_region():
    gaz = Gazetteer.default()
    assert gaz.qualified("Waterloo", ["Iowa"]).admin1 == "Iowa"
    assert gaz.qualified("Waterloo", ["Ontario"]).country_code == "CA"
    assert gaz.qualified("Waterloo", ["Nowhere"]) is None


def test_a_unit_named_without_its_unit_word_is_found_in_the_storys_country(gaz: Gazetteer):
    """GeoNames writes Cameroon's regions "South-West Province": "South-West" alone finds
    it, and in a Cameroon story "North-West" is Cameroon's, not South Africa's province."""
    south_west = gaz.resolve("South-West", ["CM"])
    assert south_west is not None and (south_west.country_code, south_west.kind) == ("CM", "region")
    north_west = gaz.resolve("North-West", ["CM"])
    assert north_west is not None and north_west.country_code == "CM"
    assert gaz.resolve("North-West").country_code == "ZA"  # without context: as before


def test_loose_keys_read_transliterations_of_one_name_as_one() -> None:
    from conflictlens.gazetteer import loose_key

    def key(name: str) -> str:
        return loose_key(normalize(name))

    assert key("Deir Ezzor") == key("Deir ez-Zor") == key("Dayr az Zawr") != ""
    assert key("Maarrat al-Nu'man") == key("Maarat al-Numaan")
    assert key("Reef Dimashq") == key("Rif Dimashq")
    assert key("Denison") != key("Donsin")  # other vowels between: other names
    assert key("Raqqa") == ""  # too few consonants to tell names apart


def test_a_place_spelled_otherwise_is_found_only_when_asked_loosely(gaz: Gazetteer) -> None:
    assert gaz.resolve("Deir Ezzor") is None
    place = gaz.resolve("Deir Ezzor", loose=True)
    assert place is not None and place.name == "Deir ez-Zor" and place.country_code == "SY"
    # Read loosely, a name means a place in the report's countries only.
    assert gaz.resolve("Deir Ezzor", ["UA"], loose=True) is None
