"""resolve: fields, ACLED conventions and who said it."""

from __future__ import annotations

from conflictlens.models import Article, Turn
from conflictlens.pipeline import extract_text
from conflictlens.stages.resolve import speaker_at


def test_speaker_at_follows_interview_turns():
    article = Article(
        publisher="RFI",
        turns=[
            Turn(
                speaker="An Expert",
                asker="RFI",
                question="Why?",
                answer="Because.",
                question_start=0,
                answer_start=6,
                answer_end=14,
            )
        ],
    )
    assert speaker_at(article, 2) == "RFI"
    assert speaker_at(article, 8) == "An Expert"
    assert speaker_at(article, 50) == "RFI"  # the report's own voice


def test_seed_fields(seed_result):
    by_type = {}
    for e in seed_result.events:
        by_type.setdefault(e.type_string, []).append(e)
    (agreement,) = by_type["Strategic developments/Agreement"]
    assert agreement.actor1.name == "Tehrik-i-Taliban Pakistan"
    assert agreement.actor2.name == "Government of Pakistan"
    assert agreement.location.precision == "country" and agreement.location.country == "Pakistan"
    assert (agreement.date.start, agreement.date.end) == ("2022-11-01", "2022-11-30")
    (takeover,) = [e for e in seed_result.events if e.location.name == "Kabul"]
    assert takeover.actor1.name == "Taliban"  # the Afghan Taliban, not the TTP
    (protest,) = by_type["Protests/Peaceful protest"]
    assert protest.location.name == "Peshawar"
    assert protest.date.start == "2023-01-30" and protest.date.end == "2023-02-18"
    assert protest.fatalities.best == 0


def test_unstated_perpetrator_is_unidentified():
    (event,) = extract_text(
        "A bomb exploded at a bus station in Quetta on Monday, killing four civilians.",
        published="2024-03-06",
    ).events
    assert event.actor1.name.startswith("Unidentified")
    assert event.actor1.mention == ""
    assert event.actor2.category == "Civilians"
    assert event.fatalities.best == 4


def test_since_stretches_to_the_reference_date():
    (event,) = extract_text(
        "Since Monday, troops have clashed with rebels in Goma, a spokesman said. "
        "The fighting began on Monday.",
        published="2024-03-06",
    ).events
    assert (event.date.start, event.date.end) == ("2024-03-04", "2024-03-06")
    assert event.date.precision == "range"
    assert event.location.country_code == "CD"


def test_an_event_placed_only_by_an_admin_unit_acled_knows():
    """No place the gazetteer knows ("Gabate" is in no GeoNames list): the admin unit
    ACLED's coders use, named in the text, places the event in its country and region."""
    from conflictlens.pipeline import extract_text

    text = (
        "People protested against the government agenda in Gabate, Horo Guduru as part of "
        "the second round of Oromo protests."
    )
    (event,) = extract_text(text, published="2016-09-01").events
    assert event.location is not None
    assert (event.location.country, event.location.admin1) == ("Ethiopia", "Oromia")
    assert any(e.field == "location" and e.text in text for e in event.evidence)


def test_compass_words_alone_place_nothing():
    from conflictlens.stages.resolve import _admin_unit_named

    assert _admin_unit_named("Central forces and Western diplomats met on Friday.") is None


def test_a_place_in_the_events_own_sentence_that_no_mention_took():
    """ "Continued clashes in Aleppo countryside": spaCy reads Aleppo as a nationality
    (NORP) and the coder marks no place; the toponym of the sentence places the event."""
    from conflictlens.pipeline import extract_text

    (event,) = extract_text(
        "Continued clashes in Aleppo countryside", published="2016-02-14"
    ).events
    assert event.location is not None and event.location.country == "Syria"
    assert any(e.field == "location" and e.text == "Aleppo" for e in event.evidence)


def test_an_unstated_perpetrator_is_the_one_armed_group_the_sentences_name() -> None:
    from conflictlens.pipeline import process
    from conflictlens.stages.ingest import document_from_bytes

    def actor1(text: str) -> str:
        document = document_from_bytes(text.encode(), "djibo", published="2024-04-13")
        [event] = process(document).events
        return event.actor1.name

    attack = (
        "Vendredi 12 avril 2024, une attaque a visé un poste de police à Djibo, dans le nord "
        "du Burkina Faso, a-t-on appris samedi."
    )
    claimed = attack + " Le GSIM a revendiqué l'attaque."
    assert actor1(claimed) == "JNIM: Group for Support of Islam and Muslims"
    # Two groups named around the attack: neither is said to have acted.
    both = attack.replace("Burkina Faso,", "Burkina Faso, où le GSIM et l'EIGS sont actifs,")
    assert actor1(both) == "Unidentified Armed Group (Burkina Faso)"


def test_a_crowd_is_actor1_and_the_group_behind_it_an_associated_actor() -> None:
    """ACLED codes every peaceful protest of its training rows with actor 1 "Protesters
    (Country)"; the organisation or profession that marched is the associated actor."""
    (event,) = extract_text(
        "On 1 June 2020, a peaceful Black Lives Matter protest was held in Louisville "
        "(Kentucky) in the wake of the death of George Floyd.",
        published="2020-06-01",
    ).events
    assert event.sub_event_type == "Peaceful protest"
    assert event.actor1.name == "Protesters (United States)"
    assert [a.name for a in event.assoc_actor1] == ["BLM: Black Lives Matter"]
    (event,) = extract_text(
        "On 4 June 2020, dozens of policemen staged a demonstration in Bobo-Dioulasso "
        "to demand the payment of their bonuses.",
        published="2020-06-04",
    ).events
    assert event.actor1.name == "Protesters (Burkina Faso)"
    assert event.actor1.mention == "dozens of policemen"
    assert event.assoc_actor1[0].name.startswith("Police Forces of Burkina Faso")


def test_the_first_side_named_in_a_clash_between_two_is_actor1() -> None:
    (event,) = extract_text(
        "On 27 March 2022, there was an armed clash between Ukrainian forces, including "
        "Azov battalion, and Russian forces in Mariupol, Donetsk. Casualties unknown.",
        published="2022-03-27",
    ).events
    assert event.actor1.name == "Military Forces of Ukraine (2019-)"
    assert event.actor2.name == "Military Forces of Russia (2000-)"


def test_an_air_strike_is_the_air_force_s_where_acled_names_one() -> None:
    (event,) = extract_text(
        "On 9 April 2022, Russian forces carried out air strikes at Troitske, Luhansk. "
        "Casualties unknown.",
        published="2022-04-09",
    ).events
    assert event.sub_event_type == "Air/drone strike"
    assert event.actor1.name == "Military Forces of Russia (2000-) Air Force"
    (event,) = extract_text(
        "On 22 March 2022, Ukrainian air defense shot down two Russian airplanes near "
        "Nova Vodolaha, Kharkiv.",
        published="2022-03-22",
    ).events
    assert event.actor1.name == "Military Forces of Ukraine (2019-)"


def test_a_village_acled_placed_beats_the_country_of_the_forces_that_struck_it() -> None:
    """ "Russian forces shelled Osokorivka, Kherson": GeoNames lacks the village and the
    only country named is the attackers'; ACLED's coders placed Osokorivka in Kherson."""
    (event,) = extract_text(
        "On 11 April 2022, Russian forces shelled Osokorivka, Kherson. Casualties unknown.",
        published="2022-04-11",
    ).events
    assert (event.location.name, event.location.country) == ("Osokorivka", "Ukraine")
    assert event.location.admin1 == "Kherson"


def test_a_name_acled_only_associates_stands_for_its_side() -> None:
    """ACLED never codes "Luhansk People's Militia" as actor 1 or 2: it is associated
    with "NAF: ..." in 315 of its 319 rows. The record says both, as ACLED does."""
    (event,) = extract_text(
        "On 20 March 2022, the Ukrainian Forces fired 122mm mortars at the positions of the "
        "Luhansk People's Militia near Holubivka, Luhansk.",
        published="2022-03-20",
    ).events
    assert event.actor2.name == "NAF: United Armed Forces of Novorossiya"
    assert [a.name for a in event.assoc_actor2] == ["Luhansk People's Militia"]


def test_islamist_militants_are_acleds_islamist_militia_of_the_country() -> None:
    (event,) = extract_text(
        "On 20 May 2020, Islamist militants burned homes and a gas station in Namirumo "
        "(Quissanga, Cabo Delgado).",
        published="2020-05-20",
    ).events
    assert event.actor1.name == "Islamist Militia (Mozambique)"


def test_a_place_acled_named_whole_beats_a_town_inside_its_name() -> None:
    (event,) = extract_text(
        "On 10 October 2020, people staged a protest on the Brooklyn Bridge in "
        "New York-Brooklyn (New York) in support of Armenia.",
        published="2020-10-10",
    ).events
    assert (event.location.name, event.location.country) == (
        "New York-Brooklyn",
        "United States",
    )
    assert event.actor1.name == "Protesters (United States)"


def test_the_whole_name_beats_a_town_named_by_its_first_part() -> None:
    (event,) = extract_text(
        "IS shells kill 7 civilians in Der-Ezzor", published="2018-01-01"
    ).events
    assert (event.location.name, event.location.country) == ("Deir ez-Zor", "Syria")
    assert event.actor2.name == "Civilians (Syria)"


def test_lake_alone_is_no_place() -> None:
    """ "Lake Chad": "Lake" is a county in six US states, not this lake."""
    (event,) = extract_text(
        "Air Force neutralises more terrorists in Lake Chad", published="2018-01-01"
    ).events
    assert event.location is None or event.location.country != "United States"


def test_a_peaceful_protest_has_no_actor2_but_its_counter_protesters() -> None:
    (event,) = extract_text(
        "People protested against the government agenda in Dire Dawa.", published="2016-10-05"
    ).events
    assert event.sub_event_type == "Peaceful protest" and event.actor2 is None
    (event,) = extract_text(
        "On 13 June 2020, hundreds of protesters took to the streets in Belton (Texas) in "
        "support for the Black Lives Matter movement and were met by counter-protesters.",
        published="2020-06-13",
    ).events
    assert event.actor1.name == event.actor2.name == "Protesters (United States)"


def test_the_crowd_a_force_fired_on_is_actor2() -> None:
    (event,) = extract_text(
        "Soldiers opened fire on protesters in Ambo, killing three.", published="2019-06-01"
    ).events
    assert event.sub_event_type == "Excessive force against protesters"
    assert event.actor1.name.startswith("Military Forces of Ethiopia")
    assert event.actor2.name == "Protesters (Ethiopia)"


def test_two_groups_joined_by_or_name_acleds_pair_actor_of_the_period() -> None:
    (event,) = extract_text(
        "On 29 July 2020, presumed ISWAP or Boko Haram militants abducted a man in "
        "Klakamana (N'Guigmi, Diffa).",
        published="2020-07-29",
    ).events
    # ACLED's spelling of the pair in Niger until 2020 ("Jamaatu ... Dawati" after).
    assert event.actor1.name == (
        "Islamic State (West Africa) and/or Boko Haram - Jamatu Ahli is-Sunnah "
        "lid-Dawatai wal-Jihad"
    )
    assert event.actor1.mention == "ISWAP or Boko Haram militants"


def test_an_unplaced_event_takes_the_one_country_of_the_named_groups() -> None:
    """No place, no actor with a country: the CMA, a Malian coalition, says where."""
    (event,) = extract_text(
        "A civilian was kidnapped and shot dead. The CMA claims that the victim was "
        "targeted by pro-government groups for his support.",
        published="2019-01-01",
    ).events
    assert event.location is not None and event.location.country == "Mali"
    assert event.actor2.name == "Civilians (Mali)"
    assert event.actor1.category != "Civilians"  # a state is no associated-only name


def test_a_demonym_before_a_role_noun_names_the_forces_of_the_events_date():
    text = (
        "On 23 February 2022, rebel forces fired 82mm mortars at positions near Schastia, "
        "Luhansk. As a result of shelling, one Ukrainian soldier was killed."
    )
    (event,) = extract_text(text, published="2022-02-23").events
    assert event.actor2 is not None and event.actor2.name == "Military Forces of Ukraine (2019-)"


def test_a_place_in_another_spelling_is_found_in_a_headline():
    (event,) = extract_text(
        "Shelling targets Deir Ezzor city causes casualties", published="2017-05-01"
    ).events
    assert event.location is not None and event.location.country == "Syria"
    assert event.location.name in ("Deir ez-Zor", "Deir ez Zor")  # GeoNames', UCDP's


def test_the_coders_namesake_wins_where_the_admin_units_after_it_are_its_own():
    text = (
        "On 28 September 2020, Burkinabe forces shot dead a suspected but unarmed "
        "militant in Solhan (Solhan, Yagha)."
    )
    (event,) = extract_text(text, published="2020-09-28").events
    assert event.location is not None and event.location.country == "Burkina Faso"  # not Turkey


def test_with_no_country_named_the_coders_namesake_beats_a_town_abroad():
    (event,) = extract_text(
        "On June 3, 2 ASWJ militants were killed by police in the district of Palma.",
        published="2020-06-03",
    ).events
    assert event.location is not None and event.location.country == "Mozambique"  # not Spain
    (us,) = extract_text(
        "On 31 May 2020, a group of women staged a protest in Cambridge (New York).",
        published="2020-05-31",
    ).events
    assert us.location is not None and us.location.admin1 == "New York"  # the state it says


def test_a_state_force_named_before_the_event_is_its_actor_1_where_no_group_is():
    (event,) = extract_text(
        "FAA burns Talibeka and Tadikuma villages in Cabinda province.", published="2004-05-01"
    ).events
    assert event.actor1 is not None and event.actor1.name == "Military Forces of Angola (1975-)"
