"""extract: triggers, modality filters and arguments on real parses."""

from __future__ import annotations

import datetime as dt

import pytest

from conflictlens.models import Article
from conflictlens.stages.analyse import analyse
from conflictlens.stages.extract import coordinated, extract, find_tolls, tree_distance

REF = dt.date(2024, 3, 6)


def mentions(text: str):
    doc = analyse(text)
    found, _ = extract(Article(body=text), doc, REF)
    return found


def test_tree_distance():
    doc = analyse("Gunmen attacked a checkpoint in Quetta.")
    attacked, quetta = doc[1], doc[5]
    assert tree_distance(attacked, attacked) == 0
    assert tree_distance(attacked, quetta) == 3


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Militants attacked the police station on Monday.", ["attack"]),
        ("Militants did not attack the police station on Monday.", []),
        ("Militants will attack the police station.", []),
        ("Militants threatened to attack the police station.", []),
        ("Militants have been attacking the police for months.", []),
        ("The group denounced extrajudicial executions.", []),
        (
            "The bombing provoked demonstrations in the city on Monday.",
            ["bombing", "demonstration"],
        ),
        ("The police are not used to demonstrating.", []),
        ("Rebels broke the ceasefire on Monday.", ["break"]),
        ("Rebels broke the window on Monday.", []),
        # "set" is arson only with fire as its object, direct or under a preposition
        ("Rebels set fire to the town hall on Monday.", ["set"]),
        ("Rebels set three buses on fire on Monday.", ["set"]),
        ("The rebels set the date for talks on Monday.", []),
    ],
)
def test_modality_filters(text, kept):
    assert [m.lemma for m in mentions(text)] == kept


def test_burning_property_is_news_of_its_own():
    # "burn" is weak (it only joins an event already reported) unless what burns is
    # property: a church, a bus; tyres burned at a protest stay weak
    (church,) = mentions("Jihadists burned a church in Djibo on Sunday.")
    (buses,) = mentions("Three buses were burned in Lima on Tuesday.")
    assert (church.lemma, church.weak, buses.weak) == ("burn", False, False)
    tyres = mentions("Protesters burned tyres in Nairobi on Monday.")
    assert [(m.lemma, m.weak) for m in tyres if m.lemma == "burn"] == [("burn", True)]


def test_arguments_of_a_passive_verb():
    (m,) = mentions("Three soldiers were killed by Boko Haram fighters near Maiduguri on Sunday.")
    assert m.actor1.match.entry.name == "Boko Haram"
    assert m.actor2.span.text == "soldiers"
    assert m.place.place.name == "Maiduguri"
    assert m.date.span.start == "2024-03-03"
    assert m.fatalities.figures.best == 3


def test_relative_clause_subject_and_surface_against():
    text = (
        "The Pakistani Taliban who carried out a vast operation on Friday, February 17, "
        "against the Karachi police center denied it."
    )
    (m,) = mentions(text)
    assert m.actor1.span.text == "Pakistani Taliban"
    assert "police" in m.actor2.span.text.lower()
    assert m.date.span.start == "2024-02-17"  # the explicit date wins over the weekday
    assert m.place.place.name == "Karachi"


def test_anaphora_and_temporal_anaphora():
    found = mentions("This attack shocked the country. At the time, ten people had been killed.")
    assert found[0].anaphoric
    assert found[1].temporal_anaphora and found[1].fatalities.figures.best == 10


def test_nearest_date_goes_to_its_own_trigger():
    text = (
        "Before this spectacular attack, there had already been a bloody attack in "
        "Peshawar on January 30th."
    )
    first, second = mentions(text)
    assert first.anaphoric and first.date is None and first.place is None
    assert second.date.span.start == "2024-01-30" and second.place.place.name == "Peshawar"


def test_tolls_deaths_and_injuries():
    doc = analyse("At least 12 police officers were killed and 20 others wounded on Tuesday.")
    deaths, injuries = find_tolls(next(doc.sents))
    assert [t.figures.best for _, t in deaths] == [12]
    assert [t.figures.best for _, t in injuries] == [20]
    assert deaths[0][1].span.text == "At least 12"


def test_place_is_not_a_role_noun():
    # "Police" is also a town in Poland: a role noun must not become a place.
    (m,) = mentions("Police clashed with protesters on Monday.")
    assert m.place is None


def test_coordinated_groups_written_lists():
    text = "towns of Villanueva, Somotillo, (name indistinct), San Pedro and Esteli. Then Leon."
    names = ["Villanueva", "Somotillo", "San Pedro", "Esteli", "Leon"]
    spans = [(text.index(n), text.index(n) + len(n)) for n in names]
    assert coordinated(text, spans) == [[0, 1, 2, 3], [4]]
    # Adjacent names with no separator, or with words between, are not a list.
    assert coordinated("Karachi Lahore", [(0, 7), (8, 14)]) == [[0], [1]]
    assert coordinated("Karachi to Lahore", [(0, 7), (11, 17)]) == [[0], [1]]


def test_toponyms_in_a_list_are_placed_as_neighbours():
    text = (
        "Contra rebels attacked the Nicaraguan border towns of Villanueva, Somotillo, "
        "San Pedro and San Francisco on Sunday, killing four soldiers, the army said."
    )
    doc = analyse(text)
    _, context = extract(Article(body=text), doc, REF)
    where = {t.span.text: t.place for t in context.toponyms}
    assert {where[n].admin1 for n in ["Villanueva", "Somotillo", "San Pedro", "San Francisco"]} == {
        "Chinandega"
    }
    assert where["San Francisco"].name == "San Francisco del Norte"


def test_a_city_read_as_a_person_after_in_is_a_place():
    # The small model reads "Dakar" here as a PERSON; after "in" a city's name is a place.
    text = "Thousands of people protested in Dakar on Friday. Police arrested Smith in Lagos."
    doc = analyse(text)
    assert ("Dakar", "PERSON") in [(e.text, e.label_) for e in doc.ents]
    found, context = extract(Article(body=text), doc, REF)
    where = {t.span.text: t.place for t in context.toponyms}
    assert where["Dakar"].country_code == "SN"
    assert "Smith" not in where  # a person who is not after "in" stays a person
    assert found[0].place is not None and found[0].place.span.text == "Dakar"


@pytest.mark.parametrize(
    ("text", "protest"),
    [
        ("Hundreds of protesters marched in Dakar on Friday.", True),
        ("Students and teachers marched to parliament on Tuesday.", True),
        ("Thousands marched in Lagos on Friday.", True),
        ("Thousands of troops marched into the town on Monday.", False),
        ("Troops marched into the town on Monday.", False),
        ("The army marched on the capital.", False),
    ],
)
def test_marching_is_a_protest_when_the_marchers_are_protesters(text, protest):
    kinds = [m.kind for m in mentions(text)]
    assert ("protest" in kinds) is protest, kinds


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # a street named after a city is not that city
        (
            "Belfast was hit by a wave of bombs on Friday.\n\n"
            "A car bomb exploded at the bus station on Oxford Street, killing six people.",
            ["Belfast"],
        ),
        # a country naming whose people or forces is not where
        (
            "Six U.S. service members were killed in a Taliban attack near Bagram Airfield "
            "in Afghanistan on Monday.",
            ["Afghanistan"],
        ),
    ],
)
def test_names_that_are_not_where_it_happened(text, places):
    _, context = extract(Article(body=text), analyse(text), REF)
    assert [t.place.name for t in context.toponyms] == places


def test_a_region_named_with_its_country_is_that_region():
    """ "in South-West Cameroon": the South-West region, not the country alone."""
    from conflictlens.pipeline import extract_text

    text = "Separatist fighters killed two soldiers in South-West Cameroon on Monday."
    (event,) = extract_text(text, published="2023-03-08").events
    assert event.location is not None
    assert (event.location.country, event.location.precision) == ("Cameroon", "region")
    assert event.location.name.startswith("South-West")


def test_a_common_word_capitalised_in_a_name_is_not_a_small_town():
    """ "arrested by Military Police forces": Police is a town in Poland (33,000), but a
    capitalised common word with no entity label is the word, not the town."""
    from conflictlens.pipeline import extract_text

    text = (
        "The FDC Deputy Secretary General Kaija was arrested by Military Police forces on his "
        "way from the voting station on Monday."
    )
    for event in extract_text(text, published="2016-09-26").events:
        assert event.location is None or event.location.country != "Poland"
