"""Tests for the structure stage: the seed's gold "article" block, other outlets, HTML."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest
from corpus import SEED_DIR
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conflictlens.errors import InputError
from conflictlens.models import Article, Caption, Document
from conflictlens.stages.ingest import document_from_bytes
from conflictlens.stages.structure import detect_language, structure, structure_html, structure_text

SEED = SEED_DIR
SEED_TEXT = (SEED / "rfi-karachi-interview.txt").read_text(encoding="utf-8")
GOLD = json.loads((SEED / "rfi-karachi-interview.gold.json").read_text(encoding="utf-8"))["article"]


@pytest.fixture(scope="module")
def seed() -> Article:
    return structure_text(SEED_TEXT)


# --- the seed against its gold file ------------------------------------------------


def test_seed_matches_every_gold_article_field(seed: Article) -> None:
    handled = {
        "kicker", "headline", "authors", "publisher", "published", "language",
        "reading_time_minutes", "standfirst_starts", "captions", "speakers", "questions",
        "tags", "related", "boilerplate", "truncated",
    }  # fmt: skip
    assert set(GOLD) <= handled, f"gold fields not checked: {set(GOLD) - handled}"
    assert seed.kicker == GOLD["kicker"]
    assert seed.headline == GOLD["headline"]
    assert seed.authors == GOLD["authors"]
    assert seed.publisher == GOLD["publisher"]
    assert seed.published == GOLD["published"]
    assert seed.language == GOLD["language"]
    assert seed.reading_time_minutes == GOLD["reading_time_minutes"]
    assert seed.standfirst is not None
    assert seed.standfirst.startswith(GOLD["standfirst_starts"])
    assert len(seed.captions) == len(GOLD["captions"])
    for got, want in zip(seed.captions, GOLD["captions"], strict=True):
        assert got.text.startswith(want["starts"])
        assert got.credit == want["credit"]
    assert seed.speakers == GOLD["speakers"]
    assert seed.questions == GOLD["questions"]
    assert seed.tags == GOLD["tags"]
    assert seed.related == GOLD["related"]
    assert sorted(seed.boilerplate) == sorted(GOLD["boilerplate"])
    assert seed.truncated == GOLD["truncated"]


def test_seed_body_is_clean(seed: Article) -> None:
    lines = seed.body.split("\n\n")
    for junk in GOLD["boilerplate"]:
        assert junk not in lines
    for header in (GOLD["kicker"], GOLD["headline"], *GOLD["tags"], *GOLD["related"]):
        assert header not in lines
    assert "RFI:" not in seed.body
    assert "Laurent Gayer:" not in lines
    assert "Text by" not in seed.body
    assert "AP - Ikram Suri" not in seed.body
    assert lines[0].startswith(GOLD["standfirst_starts"])
    assert lines[-1] == "So Pakistan does not have the financial means to"
    # Broken lines are re-joined and the space before the closing quote is dropped.
    assert (
        "But it should be emphasized that in fact the police outsource the “dirty work” of "
        "repression to the army." in lines
    )
    assert "What about?" in lines
    # Truncated sentences stay in the text.
    for frag in GOLD["truncated"]:
        assert frag in seed.body
    assert "\n\n\n" not in seed.body


def test_seed_turns_and_offsets(seed: Article) -> None:
    assert len(seed.turns) == 4
    for turn in seed.turns:
        assert turn.asker == "RFI"
        assert turn.speaker == "Laurent Gayer"
        qs = turn.question_start
        assert seed.body[qs : qs + len(turn.question)] == turn.question
        assert seed.body[turn.answer_start : turn.answer_end] == turn.answer
        assert turn.question.rstrip().endswith("?")
        assert turn.answer_start > qs
    first, second, third, fourth = seed.turns
    assert first.question.startswith("Why did the Pakistani Taliban")
    assert first.answer.startswith("First of all")
    assert first.answer.endswith("denounce extrajudicial executions.")
    assert second.question == "What about?"
    assert second.answer.endswith("of repression to the army.")
    assert third.question.startswith("Does the return to power")
    # The truncated fragment before a question belongs to that question.
    assert fourth.question.startswith("What happened\n\nDoes the political")
    assert not third.answer.endswith("What happened")
    assert fourth.answer.startswith("Absolutely.")
    assert fourth.answer.endswith("the financial means to")
    # Turns do not overlap and come in order.
    ends = [t.answer_end for t in seed.turns]
    starts = [t.question_start for t in seed.turns]
    assert all(e <= s for e, s in zip(ends, starts[1:], strict=False))


def test_seed_structure_is_fast() -> None:
    structure_text(SEED_TEXT)  # warm: the rules are compiled once per process
    best = float("inf")
    for _ in range(20):
        t0 = time.perf_counter()
        structure_text(SEED_TEXT)
        best = min(best, time.perf_counter() - t0)
    assert best < 0.005, f"structure_text took {best * 1000:.2f} ms"


def test_stated_date_wins_over_given_unless_forced_and_url_gives_publisher() -> None:
    stated = structure_text(SEED_TEXT).published
    assert stated is not None
    given = structure_text(SEED_TEXT, url="https://www.dawn.com/news/1", published="2023-02-19")
    assert (given.published, given.published_from) == (stated, "document")
    assert given.publisher == "Dawn"
    assert given.url == "https://www.dawn.com/news/1"
    forced = structure_text(SEED_TEXT, published="2023-02-19", force_published=True)
    assert (forced.published, forced.published_from) == ("2023-02-19", "given (forced)")


@pytest.mark.parametrize(
    ("text", "given", "expected"),
    [
        # a bare date line under the headline
        (
            "Police clash with protesters\nJune 20, 2024\n\nPolice fired tear gas.",
            None,
            "2024-06-20",
        ),
        (
            "Police clash with protesters\nTuesday 7 March 2024 | 10:42 GMT\n\nPolice fired.",
            None,
            "2024-03-07",
        ),
        (
            "Police clash with protesters\nPublished: 20 June 2024 14:02 GMT\n\nPolice fired.",
            None,
            "2024-06-20",
        ),
        (
            "Manifestation à Dakar\nPublié le 3 mars 2024 à 10h42\n\nLa police a tiré.",
            None,
            "2024-03-03",
        ),
        # a wire dateline: its own year, else the given date's
        (
            "Drone strike\n\nKHARKIV, Ukraine, May 14, 2024 (Reuters) - A drone struck.",
            None,
            "2024-05-14",
        ),
        (
            "Drone strike\n\nKHARKIV, Ukraine, May 14 (Reuters) - A drone struck.",
            "2024-05-20",
            "2024-05-14",
        ),
        ("Drone strike\n\nKHARKIV, Ukraine, May 14 (Reuters) - A drone struck.", None, None),
        # no date anywhere: the given one, else none at all (never the clock)
        (
            "Drone strike\n\nA drone struck Kharkiv on Tuesday, officials said.",
            "2024-05-20",
            "2024-05-20",
        ),
        ("Drone strike\n\nA drone struck Kharkiv on Tuesday, officials said.", None, None),
    ],
)
def test_publication_date_from_plain_text(text, given, expected) -> None:
    assert structure_text(text, published=given).published == expected


# --- another outlet's scraped article ------------------------------------------------

OTHER_OUTLET = """Analysis

Sudan: fighting spreads to the outskirts of a besieged city

By Mariam Haddad and John Okello, Reuters

Displaced families gather near a water point in the west, June 3, 2024. Reuters/Jane Roe

3 min read

Published On 5 Jun 2024

Fighting between the army and a paramilitary force reached the eastern outskirts of the city on \
Tuesday, residents said.

Share

Residents said shells fell on a market near the
city centre, killing at least nine people.

Sign up for our morning newsletter

Get the latest news delivered to your inbox

Medical workers said they were overwhelmed and that the main hospital had run out of
blood supplies.

Aid agencies have warned for months that the siege could cut off food for hundreds of \
thousands of people, the

Download the official mobile app

Related

- Thousands flee as fighting intensifies in the west
- Agencies warn of famine in the region
"""


def test_other_outlet_scraped_article() -> None:
    art = structure_text(OTHER_OUTLET)
    assert art.kicker == "Analysis"
    assert art.headline == "Sudan: fighting spreads to the outskirts of a besieged city"
    assert art.authors == ["Mariam Haddad", "John Okello"]
    assert art.publisher == "Reuters"  # from the byline
    assert art.published == "2024-06-05"  # from the "Published On" line
    assert art.reading_time_minutes == 3
    assert art.captions[0].credit == "Reuters/Jane Roe"
    assert art.captions[0].text.startswith("Displaced families gather")
    assert art.standfirst is not None and art.standfirst.startswith("Fighting between the army")
    assert art.boilerplate == [
        "3 min read",
        "Published On 5 Jun 2024",
        "Share",
        "Sign up for our morning newsletter",
        "Get the latest news delivered to your inbox",
        "Download the official mobile app",
    ]
    assert art.related == [
        "Thousands flee as fighting intensifies in the west",
        "Agencies warn of famine in the region",
    ]
    assert art.tags == []
    assert art.turns == [] and art.speakers == [] and art.questions == 0
    assert art.language == "en"
    paras = art.body.split("\n\n")
    assert paras[1] == (
        "Residents said shells fell on a market near the city centre, killing at least nine people."
    )
    assert paras[2].endswith("had run out of blood supplies.")
    assert art.truncated == [paras[3]]
    assert len(paras) == 4


def test_url_domain_beats_byline_outlet() -> None:
    art = structure_text(OTHER_OUTLET, url="https://www.aljazeera.com/news/2024/6/5/x")
    assert art.publisher == "Al Jazeera"


FRENCH_INTERVIEW = """Entretien

Mali : « La junte a choisi la guerre totale »

Un soldat malien patrouille à Gao, le 12 mars 2024. AFP - Souleymane Ag Anara

Par Claire Dubois Suivre

Lecture 5 min

Publié le 14/03/2024 - 10:32

Les combats se sont intensifiés dans le nord du pays depuis le départ de la mission \
des Nations unies.

Publicité

France 24 : Pourquoi l'armée a-t-elle lancé cette offensive maintenant ?

Jean Martin :

Les autorités de transition veulent reprendre le contrôle du nord avant la saison des pluies.

Elles estiment que le rapport de force leur est favorable depuis l'arrivée de nouveaux drones.

La situation est très difficile pour les

.

Et la population civile ?

Elle paie le prix fort. Des milliers de personnes ont fui vers les pays voisins.

À lire aussi :

  • Mali : l'armée annonce la reprise d'une ville du nord

  • Sahel : la fin de la mission de l'ONU

Recevez toute l'actualité internationale directement dans votre boîte mail

Je m'abonne

  • Mali

  • Sahel
"""


def test_french_interview() -> None:
    art = structure_text(FRENCH_INTERVIEW)
    assert art.language == "fr"
    assert art.kicker == "Entretien"
    assert art.headline == "Mali : « La junte a choisi la guerre totale »"
    assert art.authors == ["Claire Dubois"]
    assert art.publisher == "France 24"  # the interviewer's label
    assert art.published == "2024-03-14"
    assert art.reading_time_minutes == 5
    assert art.captions[0].credit == "AFP - Souleymane Ag Anara"
    assert art.speakers == ["France 24", "Jean Martin"]
    assert art.questions == 2
    assert [t.question for t in art.turns] == [
        "Pourquoi l'armée a-t-elle lancé cette offensive maintenant ?",
        "Et la population civile ?",
    ]
    assert all(t.speaker == "Jean Martin" and t.asker == "France 24" for t in art.turns)
    assert art.truncated == ["La situation est très difficile pour les"]
    assert art.tags == ["Mali", "Sahel"]
    assert len(art.related) == 2
    assert "Je m'abonne" in art.boilerplate and "Publicité" in art.boilerplate
    assert "Je m'abonne" not in art.body and "Jean Martin :" not in art.body


# --- HTML ----------------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Gunmen kill five in attack on market in Maiduguri | Sahel Daily</title>
<meta name="author" content="Amina Bello">
<meta property="og:site_name" content="Sahel Daily">
<meta property="og:title" content="Gunmen kill five in attack on market in Maiduguri">
<meta property="article:published_time" content="2024-03-09T14:20:00Z">
<meta name="keywords" content="Nigeria, Borno, Security">
</head>
<body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<main>
<article>
<h1>Gunmen kill five in attack on market in Maiduguri</h1>
<p class="byline">By Amina Bello</p>
<p>Gunmen on motorcycles opened fire on a crowded market on the outskirts of Maiduguri on
Saturday morning, killing at least five traders and wounding twelve others, local officials
said.</p>
<p>Witnesses said the attackers arrived shortly after nine o'clock, fired into the stalls and
set several shops on fire before fleeing towards the forest.</p>
<p>A police spokesman said security forces had been deployed to the area and that a search
for the attackers was under way.</p>
<p>No group has claimed responsibility for the attack, the third on a market in the region
this year.</p>
</article>
</main>
<aside><h3>Most read</h3><ul><li><a href="/a">Celebrity wedding pictures</a></li>
<li><a href="/b">Football results</a></li></ul></aside>
<footer><p>© 2024 Sahel Daily. All rights reserved.</p><a href="/privacy">Privacy policy</a>
</footer>
</body>
</html>
"""


def test_html_page() -> None:
    art = structure_html(HTML_PAGE)
    assert art.headline == "Gunmen kill five in attack on market in Maiduguri"
    assert art.authors == ["Amina Bello"]
    assert art.published == "2024-03-09"
    assert art.publisher == "Sahel Daily"  # unknown outlet: the site name as given
    assert art.tags == ["Nigeria", "Borno", "Security"]
    assert art.language == "en"
    assert art.body.startswith("Gunmen on motorcycles opened fire")
    assert art.standfirst is not None and art.standfirst.startswith("Gunmen on motorcycles")
    assert art.body.count("\n\n") == 3
    for junk in ("Home", "Sport", "Celebrity", "Football", "Privacy", "All rights reserved"):
        assert junk not in art.body
    assert "Gunmen kill five" not in art.body  # the headline is not repeated in the body


def test_html_metadata_date_beats_the_given_one_and_known_domain() -> None:
    art = structure_html(
        HTML_PAGE, url="https://www.premiumtimesng.com/news/x", published="2024-03-10"
    )
    assert (art.published, art.published_from) == ("2024-03-09", "document")
    forced = structure_html(HTML_PAGE, published="2024-03-10", force_published=True)
    assert forced.published == "2024-03-10"
    assert art.publisher == "Premium Times"
    assert art.url == "https://www.premiumtimesng.com/news/x"


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav>"
        "<footer>(c) 2024</footer></body></html>",
        "",
        "   ",
    ],
)
def test_html_without_article_raises(html: str) -> None:
    with pytest.raises(InputError, match="no article text"):
        structure_html(html)


def test_empty_text_raises() -> None:
    with pytest.raises(InputError):
        structure_text(" \n\n ")


# --- dispatch on Document --------------------------------------------------------------


def _doc(content: str, media_type: str, **kw: object) -> Document:
    digest = hashlib.sha256(content.encode()).hexdigest()
    return Document(content=content, media_type=media_type, content_hash=digest, source="t", **kw)  # type: ignore[arg-type]


def test_structure_dispatches_on_media_type() -> None:
    text_art = structure(_doc(SEED_TEXT, "text", url="https://www.rfi.fr/en/x"))
    assert text_art.headline == GOLD["headline"] and text_art.publisher == "RFI"
    html_art = structure(_doc(HTML_PAGE, "html", published="2024-03-11"))
    assert html_art.headline == "Gunmen kill five in attack on market in Maiduguri"
    assert html_art.published == "2024-03-09"  # the page's own date beats the given one
    with pytest.raises(InputError):
        structure(_doc("x", "pdf"))


def test_structure_uses_document_title_as_fallback_headline() -> None:
    body = "Troops fired on protesters in the capital on Monday, witnesses said.\n"
    art = structure(_doc(body, "text", title="Troops fire on protesters"))
    assert art.headline == "Troops fire on protesters"
    assert art.body == body.strip()
    assert art.truncated == []


# --- language ---------------------------------------------------------------------------


LANGUAGE_SAMPLES = {
    "en": "The army said that the attack on the base was carried out by the group.",
    "fr": "Les combats se sont intensifiés dans le nord du pays depuis le départ de la mission.",
    "es": "Los enfrentamientos entre el ejército y los rebeldes dejaron diez muertos en la región.",
    "de": "Die Armee hat nach eigenen Angaben die Stadt nach schweren Kämpfen zurückerobert.",
    "pt": "Os confrontos entre o exército e os rebeldes deixaram pelo menos dez mortos na região.",
}


@pytest.mark.parametrize(("lang", "text"), sorted(LANGUAGE_SAMPLES.items()))
def test_detect_language(lang: str, text: str) -> None:
    assert detect_language(text) == lang


def test_detect_language_gives_up_on_too_little_text() -> None:
    assert detect_language("") is None
    assert detect_language("Karachi Peshawar") is None
    assert detect_language("12345 67890 !!!") is None


# --- other interview layouts and line rules ----------------------------------------------

QA_LABELS = """Q&A

"We will not negotiate under fire," says rebel commander

Text by: Peter Lang @plang Follow

Q: When did the fighting start?

A: It started on Monday night near the airport.

More than twenty people were wounded.

Q: Will there be talks?

A: Not while the shelling continues.
"""

LABEL_LINES = """Interview

Ethiopia: "The ceasefire is holding, for now"

Deutsche Welle:

How stable is the truce in the north?

Hanna Tesfaye:

It is fragile. Both sides accuse each other of violations.

Deutsche Welle:

What do aid agencies say?

Hanna Tesfaye:

They say convoys are still blocked at several checkpoints.
"""


def test_q_and_a_labels_are_turns_not_speakers() -> None:
    art = structure_text(QA_LABELS)
    assert art.kicker == "Q&A"
    assert art.headline == '"We will not negotiate under fire," says rebel commander'
    assert art.authors == ["Peter Lang"]
    assert art.speakers == []
    assert art.questions == 2
    assert art.turns[0].question == "When did the fighting start?"
    assert art.turns[0].answer == (
        "It started on Monday night near the airport.\n\nMore than twenty people were wounded."
    )
    assert art.turns[1].answer == "Not while the shelling continues."
    assert "Q:" not in art.body and "A:" not in art.body


def test_label_lines_for_both_sides() -> None:
    art = structure_text(LABEL_LINES)
    assert art.speakers == ["Deutsche Welle", "Hanna Tesfaye"]
    assert art.publisher == "Deutsche Welle"
    assert [(t.asker, t.speaker) for t in art.turns] == [("Deutsche Welle", "Hanna Tesfaye")] * 2
    assert [t.question for t in art.turns] == [
        "How stable is the truce in the north?",
        "What do aid agencies say?",
    ]
    assert art.standfirst is None
    assert "Deutsche Welle:" not in art.body


def test_broken_lines_rejoin_and_flag_lost_links() -> None:
    text = (
        "Officials warn of a growing threat\n\n"
        "Officials described the group as\n\n"
        '"the main threat\n\n'
        '" to the region.\n\n'
        "Residents fled towards the\n\n"
        ".\n\n"
        "Officials said nothing else."
    )
    art = structure_text(text)
    paras = art.body.split("\n\n")
    assert paras[0] == 'Officials described the group as "the main threat" to the region.'
    assert paras[1] == "Residents fled towards the."
    assert art.truncated == ["Residents fled towards the"]


def test_anchored_header_date_and_non_anchored_date() -> None:
    anchored = (
        "Troops deployed in the capital\n\n"
        "Soldiers patrol a street in the capital today, Monday 3 June 2024. Reuters\n\n"
        "Troops were deployed in the capital after two days of clashes, officials said."
    )
    art = structure_text(anchored)
    assert art.published == "2024-06-03"
    assert art.captions == [
        Caption(
            text="Soldiers patrol a street in the capital today, Monday 3 June 2024.",
            credit="Reuters",
        )
    ]
    # A date in the text that is not introduced as today's is background, not the date.
    plain = anchored.replace("today, Monday", "on Monday")
    assert structure_text(plain).published is None


def test_plain_paragraphs_without_header_and_inline_tags() -> None:
    text = (
        "Two soldiers were killed when their vehicle hit a mine near the border, the army said.\n"
        "The army blamed an armed group for the attack.\n"
        "Tags: Security, Border"
    )
    art = structure_text(text)
    assert art.headline is None and art.kicker is None
    assert art.body == (
        "Two soldiers were killed when their vehicle hit a mine near the border, the army said."
        "\n\nThe army blamed an armed group for the attack."
    )
    assert art.standfirst is not None and art.standfirst.startswith("Two soldiers")
    assert art.tags == ["Security", "Border"]
    assert art.truncated == []
    assert art.turns == []


# --- property-based: any text or page is an article or a one-line refusal -----------------


_words = st.sampled_from(
    [
        "Gunmen",
        "attacked",
        "Quetta",
        "on",
        "Friday",
        "police",
        "said.",
        "Q:",
        "A:",
        "(AFP)",
        "PTI",
        "Published",
        "June 20, 2024",
        "KHARKIV, Ukraine, May 14 (Reuters) -",
        "[/b]",
        "<p>",
        "</p>",
        "<script>",
        "&amp;",
        "Photo:",
        "—",
        "«",
        "»",
        "\u200b",
        "\ufffd",
        "…",
    ]
)
_lines = st.lists(_words | st.text(max_size=12), min_size=0, max_size=25).map(" ".join)
_texts = st.lists(_lines, min_size=1, max_size=12).map("\n".join)
_pages = _texts.map(
    lambda t: (
        "<html><head><title>T</title></head><body><article>"
        + "".join(f"<p>{line}</p>" for line in t.split("\n"))
        + "</article></body></html>"
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts | _pages)
def test_any_text_or_page_is_an_article_or_a_one_line_refusal(content: str) -> None:
    try:
        document = document_from_bytes(content.encode("utf-8", "replace"), "fuzz")
        article = structure(document)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(article.body, str)
    for turn in article.turns:  # offsets point into the body, or are -1: no answer there
        if turn.answer_start >= 0:
            assert turn.answer_start <= turn.answer_end <= len(article.body)


def test_a_page_in_a_script_without_spaces_is_an_article():
    """Japanese (and Chinese, Thai...) put no spaces between words: the "one real sentence"
    check must not read such a page as a menu."""
    html = (
        "<html><head><title>抗議デモ</title></head><body><article><h1>東京で抗議デモ</h1>"
        "<p>東京都内で金曜日、数千人が政府の新しい法案に反対してデモ行進を行った。"
        "警察によると、衝突はなかった。</p></article></body></html>"
    )
    article = structure_html(html)
    assert "数千人が政府の新しい法案に反対して" in article.body


def test_a_table_that_is_the_article_is_kept():
    html = (
        "<html><body><article><h1>Casualties by province</h1><table>"
        "<tr><th>Province</th><th>Killed in attacks by armed groups this week</th></tr>"
        "<tr><td>Kunduz province in the north</td><td>twelve people were killed in two attacks"
        "</td></tr><tr><td>Helmand province in the south</td><td>seven soldiers died in a "
        "roadside bombing</td></tr></table></article></body></html>"
    )
    body = structure_html(html).body
    assert "seven soldiers died in a roadside bombing" in body
    assert "---" not in body


def test_a_story_paragraph_ending_in_an_agency_credit_is_body_not_a_caption():
    text = (
        "Police fire tear gas at farmers in Punjab\n\n"
        "Police fired tear gas at farmers marching towards Delhi on Tuesday, officials said.\n\n"
        "The farmers were demanding a legal guarantee of crop prices. Several were injured in "
        "the clashes near the Shambhu border. Talks with the government are expected on "
        "Thursday. PTI"
    )
    article = structure_text(text)
    assert article.captions == []
    assert "Several were injured in the clashes near the Shambhu border." in article.body


# --- French pages (written for the tests: tests/data/fr) --------------------------

FRENCH = Path(__file__).parent / "data" / "fr"


def _french(name: str) -> Article:
    path = FRENCH / name if (FRENCH / name).exists() else Path(__file__).parents[1] / name
    return structure(document_from_bytes(path.read_bytes(), str(path)))


def test_french_interview_in_rfis_layout() -> None:
    art = _french("examples/rfi-karachi-entretien.txt")
    assert art.language == "fr"
    assert art.headline.startswith("Karachi : « Les talibans pakistanais")
    assert (art.published, art.publisher, art.authors) == ("2023-02-18", "RFI", ["Sylvie Noël"])
    assert art.reading_time_minutes == 4  # "4 mn"
    assert art.body.startswith("Au Pakistan, au lendemain de l'attaque")
    for noise in ("Publicité", "Lire plus", "À lire aussi", "Newsletter", "Recevez", "Je m'abonne"):
        assert noise not in art.body
    assert {t.speaker for t in art.turns} == {"Laurent Gayer"}


def test_french_wire_dispatch_dateline_gives_the_day() -> None:
    art = _french("depeche-djibo.txt")
    # "OUAGADOUGOU, 14 mai 2024 (AFP) -": day first, as French datelines are
    assert (art.published, art.published_from, art.publisher) == ("2024-05-14", "document", "AFP")
    assert "© AFP" not in art.body and art.body.rstrip().endswith("l'insécurité.")


def test_french_page_with_publie_le_par_and_lire_aussi() -> None:
    art = _french("contexte-sahel.txt")
    assert art.published == "2024-06-12"  # "Publié le 12 juin 2024"
    assert art.body.startswith("L'armée malienne a repoussé")  # "Par la rédaction" is a byline
    assert "Lire aussi" not in art.body and "Recevez" not in art.body
    assert "Newsletter" not in art.body


# --- labels on pages that are not interviews (issue 17, item 15) -------------------

NEWS_WITH_A_LABEL = """Floods and clashes in the north

Gunmen attacked a market in Maiduguri on Tuesday, killing four traders, police said.

Location:

The market lies on the road to the airport, residents said."""

STORY_WITH_ONE_QUESTION = """Residents ask for protection after attack

Gunmen attacked a market in Maiduguri on Tuesday, killing four traders, police said.

At a town hall meeting, a resident put the question to the governor.

Q: Who will protect our children when the soldiers leave?

The governor promised more patrols."""

ONE_QUESTION_INTERVIEW = """Interview

Kano governor: "We will restore order"

Interview with the governor of Kano about the attacks.

Q: Who will protect the children when the soldiers leave?

We will deploy more police and vigilantes in every ward of the city."""


def _text(text: str) -> Article:
    return structure(document_from_bytes(text.encode(), "page.txt", published="2024-01-02"))


def test_a_lone_label_in_a_news_story_stays_in_its_text() -> None:
    art = _text(NEWS_WITH_A_LABEL)
    assert "Location:" in art.body and art.speakers == [] and art.turns == []
    story = _text(STORY_WITH_ONE_QUESTION)
    assert "Q: Who will protect" in story.body and story.turns == []


def test_an_interview_with_one_question_is_still_an_interview() -> None:
    art = _text(ONE_QUESTION_INTERVIEW)
    assert len(art.turns) == 1 and "Q: Who" not in art.body
