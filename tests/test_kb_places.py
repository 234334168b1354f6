"""ACLED's own geocoding as a lookup (kb/places.py, data/acled_places.json)."""

from __future__ import annotations

from conflictlens.kb.places import AcledPlaces, to_place


def test_a_village_geonames_lacks_is_found_with_its_admin_units():
    kb = AcledPlaces.default()
    place = kb.resolve("Ougarou", " (Matiacoali, Gourma)")
    assert place is not None and place.country == "Burkina Faso"
    assert abs(place.lat - 12.16) < 0.1 and abs(place.lon - 0.93) < 0.1


def _shared_names(kb: AcledPlaces) -> list[str]:
    """Place names the data holds in more than one country."""
    return [
        ps[0].location
        for ps in kb.by_name.values()
        if len({p.country for p in ps}) > 1 and all(p.admin1 for p in ps)
    ]


def test_the_admin_names_after_a_name_pick_the_namesake():
    kb = AcledPlaces.default()
    names = _shared_names(kb)
    assert len(names) > 20
    for name in names[:20]:
        namesakes = kb.candidates(name)
        for p in namesakes:
            if sum(q.admin1 == p.admin1 for q in namesakes) > 1:
                continue  # the text could not tell them apart either
            got = kb.resolve(name, f" ({p.admin2 or p.admin1}, {p.admin1})")
            assert got.country == p.country


def test_the_texts_country_picks_the_namesake_when_no_admin_is_given():
    kb = AcledPlaces.default()
    for name in _shared_names(kb)[:20]:
        for country in {p.country for p in kb.candidates(name)}:
            assert kb.resolve(name, "", [country]).country == country


def test_an_unknown_place_is_put_in_the_admin_unit_the_text_names():
    kb = AcledPlaces.default()
    unit = kb.resolve("Nowhereville", " (Tansarga, Tapoa)")
    assert unit is not None and unit.country == "Burkina Faso"
    assert unit.location == "Tansarga"
    assert to_place(unit, "BF").kind == "region"
    assert kb.resolve("Nowhereville", "") is None


def test_admin1_near_names_regions_the_acled_way():
    kb = AcledPlaces.default()  # shipped data: present on every clone
    # Addis Ababa: GeoNames' own admin1 differs in spelling from ACLED's
    assert kb.admin1_near(9.02, 38.75, "Ethiopia") == "Addis Ababa"
    assert kb.admin1_near(9.02, 38.75, "Kenya") is None  # only that country's places
    assert kb.admin1_near(0.0, -30.0, "Ethiopia") is None  # nothing coded near


def test_ucdp_places_fill_the_countries_acled_rows_lack():
    """The ACLED rows hold no Syria; UCDP's coders placed its villages (train split)."""
    kb = AcledPlaces.default()
    place = kb.resolve("Binnish", "", ["Syria"])
    assert place is not None and (place.country, place.source) == ("Syria", "ucdp")
    assert place.admin1 == "Idlib"  # "Idlib Governorate" read as the text writes it


def test_acled_keeps_its_spelling_where_both_placed_a_town():
    """UCDP writes "Nasarawa", ACLED "Nassarawa": the export speaks ACLED."""
    kb = AcledPlaces.default()
    lafia = [p for p in kb.candidates("Lafia") if p.country == "Nigeria"]
    assert lafia and all(p.source == "acled" for p in lafia)
    assert kb.admin1_near(lafia[0].lat, lafia[0].lon, "Nigeria") == "Nassarawa"


def test_ucdp_builder_reads_the_train_split_and_strips_kind_words(tmp_path):
    import importlib.util
    import json
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "build_ucdp_places.py"
    spec = importlib.util.spec_from_file_location("build_ucdp_places", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    row = {
        "where_prec": "1.0",
        "where_coordinates": "Teir Maaleh village",
        "adm_1": "Homs Governorate",
        "adm_2": "Ar Rastan district",
        "latitude": "34.8",
        "longitude": "36.7",
        "country": "Syria",
    }
    rows = [
        {**row, "id": "11.0"},
        {**row, "id": "12.0"},
        {**row, "id": "10.0", "where_coordinates": "Dev village"},  # id % 5 == 0: dev
        {**row, "id": "13.0", "where_prec": "4.0", "where_coordinates": "Homs province"},
    ]
    doc = module.build(rows, "2026-12-01")
    assert doc["places"] == [["Teir Maaleh", "Homs", "Ar Rastan", "", "Syria", 34.8, 36.7, 1, 2]]
    assert "CC BY 4.0" in doc["_source"]["terms"]
    json.dumps(doc)


def test_a_coded_place_is_found_in_another_spelling():
    kb = AcledPlaces.default()
    assert kb.spelled("Bobo-Dioulassou") == "Bobo-Dioulasso"
    assert kb.spelled("Maarrat al-Nu'man") == "Maarat al-Numaan"  # UCDP's spelling
    assert kb.spelled("Ougarou") == "Ougarou"  # as written, where the data has it
    assert kb.spelled("Nowhereville") == "Nowhereville"


def test_admin_hints_stop_at_the_bracket_or_the_sentence_end():
    from conflictlens.kb.places import admin_hints

    text = "raided Kabougou (Tansarga, Tapoa) at dawn. Osokorivka, Kherson. Casualties unknown."
    assert admin_hints(text, text.index(" (Tansarga")) == " (Tansarga, Tapoa"
    assert admin_hints(text, text.index(", Kherson")) == ", Kherson"
