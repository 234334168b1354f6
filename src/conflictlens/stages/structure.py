"""Structure stage: a raw ``Document`` becomes an ``Article`` with its parts told apart.

Scraped news pages arrive as a flat run of lines: kicker, headline, photo caption,
byline, reading time, the text, "Read more" links, newsletter prompts, related
articles and tags all mixed together, often with sentences broken where a link's text
was lost. Every later stage points evidence into ``Article.body``, so this stage must
hand over clean text while keeping everything it removes (``boilerplate``) and flagging
what the scrape cut short (``truncated``) instead of silently dropping it.

The rules are generic and data driven: word lists, outlet names, agency credits and
boilerplate patterns live in ``data/structure.json``; nothing here names an outlet,
place or person. Only the standard library runs for plain text (``structure_text`` must
stay in the low milliseconds); trafilatura is imported lazily for HTML.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlparse

from conflictlens.errors import InputError
from conflictlens.models import Article, Caption, Document, Turn

__all__ = ["detect_language", "structure", "structure_html", "structure_text"]

# Characters that end a sentence, and those that may close it after the terminal mark.
_TERMINAL = ".!?…:;"
_CLOSERS = "”\"’'»)]"
# A line that starts with one of these continues the previous line (lost link text).
_CONTINUATION_START = "”’»)]?.,;:!…"
_BULLET_RE = re.compile(r"^(?:[•·▪◦‣►▸●]\s*|[-*–—]\s+)(?P<item>\S.*)$")
_WORD_RE = re.compile(r"[^\W\d_]+")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?…])[\"”’»)]*\s+")
_HANDLE_RE = re.compile(r"@\w+")


# --- rules data ---------------------------------------------------------------


@dataclass
class _Rules:
    """The compiled form of ``data/structure.json`` (built once per process)."""

    kickers: frozenset[str]
    byline_re: re.Pattern[str]
    byline_split_re: re.Pattern[str]
    byline_trailing: frozenset[str]
    newsroom_bylines: frozenset[str]
    interview_re: re.Pattern[str]  # a line that opens with "Interview", "Entretien", ...
    particles: frozenset[str]
    credit_res: list[re.Pattern[str]]
    reading_time_res: list[re.Pattern[str]]
    boilerplate: list[tuple[re.Pattern[str], int]]
    related_re: re.Pattern[str]
    tag_header_re: re.Pattern[str]
    question_labels: frozenset[str]
    answer_labels: frozenset[str]
    function_words: frozenset[str]
    date_res: list[re.Pattern[str]]
    dateline_re: re.Pattern[str]
    anchored_date_re: re.Pattern[str]
    months: dict[str, int]
    outlet_domains: list[tuple[str, str]]
    outlet_alias_exact: dict[str, str]
    outlet_alias_fold: dict[str, str]
    outlet_text_re: re.Pattern[str] | None
    outlet_text_fold_re: re.Pattern[str] | None
    stopwords: dict[str, frozenset[str]] = field(default_factory=dict)


def _alternation(words: list[str]) -> str:
    """Regex alternation of literal words, longest first so prefixes do not win."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    raw: dict[str, Any] = json.loads(
        resources.files("conflictlens").joinpath("data/structure.json").read_text("utf-8")
    )
    agencies = _alternation(raw["photo_agencies"])
    name_tok = r"[^\W\d_][\w'’.-]*"
    credit_res = [
        # "... 2023. AP - Ikram Suri" / "... AFP" / "... Reuters/Jane Doe"
        re.compile(
            rf"(?:^|(?<=\s))(?P<credit>(?:{agencies})"
            rf"(?:\s*(?:[-–—|]|/)\s*{name_tok}(?:\s+{name_tok}){{0,3}})?(?:\s*/\s*File)?)\s*$"
        ),
        # "... in Karachi. Jane Doe/AFP"
        re.compile(
            rf"(?<=[.!?”\"»)]\s)(?P<credit>{name_tok}(?:\s+{name_tok}){{0,3}}\s*/\s*(?:{agencies}))\s*$"
        ),
        # "... © Jane Doe" / "Photo: Jane Doe"
        re.compile(
            rf"(?:^|(?<=\s))(?P<credit>(?:{_alternation(raw['credit_prefixes'])})\s*"
            rf"[^\s].{{0,60}})$",
            re.IGNORECASE,
        ),
    ]
    months = {k.lower(): int(v) for k, v in raw["months"].items()}
    month_alt = _alternation(list(months))
    weekday_alt = _alternation(raw["weekdays"])
    day = r"(?P<d>\d{1,2})(?:st|nd|rd|th|er|º|°|\.)?"
    date_core = [
        rf"(?:(?:{weekday_alt}),?\s+)?(?P<m>{month_alt})\.?\s+{day},?\s+(?P<y>\d{{4}})",
        rf"(?:(?:{weekday_alt}),?\s+)?{day}\s+(?:de\s+)?(?P<m>{month_alt})\.?,?\s+(?:de\s+)?(?P<y>\d{{4}})",
        r"(?P<y>\d{4})-(?P<mn>\d{1,2})-(?P<d>\d{1,2})",
        r"(?P<d>\d{1,2})[/.](?P<mn>\d{1,2})[/.](?P<y>\d{4})",
    ]
    date_res = [re.compile(rf"(?<!\w){p}(?!\d)", re.IGNORECASE) for p in date_core]
    # A wire dateline opening the text: "KHARKIV, Ukraine, May 14 (Reuters) -".
    # French and most other languages put the day first: "DAKAR, 14 mai 2024 (AFP) -".
    place = r"^\s*[A-Z][A-Z.'\- ]{1,40}(?:,\s*[A-Z][\w.'\- ]{1,40})?,\s*"
    tail = r"(?:,?\s+(?P<y>\d{4}))?\s*(?:\([^()]{1,30}\))?\s*[-\u2013\u2014]"
    dateline_re = re.compile(
        rf"{place}(?:(?P<m>{month_alt})\.?\s+{day}|{day.replace('<d>', '<d2>')}\s+"
        rf"(?P<m2>{month_alt})\.?){tail}",
        re.IGNORECASE,
    )
    anchors = _alternation(raw["strong_date_anchor_words"])
    anchored = "|".join(f"(?:{p})" for p in date_core[:2])
    # Named groups may not repeat inside one pattern: number each alternative's groups.
    anchored = re.sub(r"\(\?P<(\w+)>", lambda m: "(?:", anchored)
    anchored_date_re = re.compile(rf"(?<!\w)(?:{anchors}),?\s+(?P<date>{anchored})", re.IGNORECASE)

    outlet_domains: list[tuple[str, str]] = []
    exact: dict[str, str] = {}
    fold: dict[str, str] = {}
    text_exact: list[str] = []
    text_fold: list[str] = []
    for outlet in raw["outlets"]:
        name = outlet["name"]
        for dom in outlet.get("domains", []):
            outlet_domains.append((dom.lower(), name))
        for alias in [name, *outlet.get("aliases", [])]:
            exact[alias] = name
            fold[alias.casefold()] = name
            if outlet.get("ambiguous"):
                continue  # only trusted from a domain or an exact label
            # Short all-caps aliases are matched case-sensitively ("AP" but not "ap").
            if alias.isupper() or len(alias) <= 4:
                text_exact.append(alias)
            else:
                text_fold.append(alias)
    outlet_text_re = (
        re.compile(rf"(?<!\w)({_alternation(text_exact)})(?!\w)") if text_exact else None
    )
    outlet_text_fold_re = (
        re.compile(rf"(?<!\w)({_alternation(text_fold)})(?!\w)", re.IGNORECASE)
        if text_fold
        else None
    )
    prefixes = _alternation(raw["byline_prefixes"])
    seps = raw["byline_name_separators"]
    return _Rules(
        kickers=frozenset(k.casefold() for k in raw["kickers"]),
        byline_re=re.compile(rf"^(?:{prefixes})(?:\s*:\s*|\s+)(?P<names>\S.*)$", re.IGNORECASE),
        byline_split_re=re.compile(
            "|".join(re.escape(s) if s.strip() else rf"\s+{re.escape(s.strip())}\s+" for s in seps),
            re.IGNORECASE,
        ),
        byline_trailing=frozenset(w.casefold() for w in raw["byline_trailing_words"]),
        newsroom_bylines=frozenset(w.casefold() for w in raw.get("newsroom_bylines", [])),
        interview_re=re.compile(rf"^(?:{_alternation(raw['interview_words'])})\b", re.I),
        particles=frozenset(raw["name_particles"]),
        credit_res=credit_res,
        reading_time_res=[re.compile(p, re.IGNORECASE) for p in raw["reading_time_patterns"]],
        boilerplate=[
            (re.compile(b["pattern"], re.IGNORECASE), int(b["max_words"]))
            for b in raw["boilerplate_patterns"]
        ],
        related_re=re.compile(
            rf"^[^\w]*(?:{_alternation(raw['related_headers'])})\s*(?::\s*(?P<rest>.*))?$",
            re.IGNORECASE,
        ),
        tag_header_re=re.compile(
            rf"^[^\w]*(?:{_alternation(raw['tag_headers'])})\s*:\s*(?P<rest>.*)$", re.IGNORECASE
        ),
        question_labels=frozenset(w.casefold() for w in raw["question_labels"]),
        answer_labels=frozenset(w.casefold() for w in raw["answer_labels"]),
        function_words=frozenset(w.casefold() for w in raw["function_words"]),
        date_res=date_res,
        dateline_re=dateline_re,
        anchored_date_re=anchored_date_re,
        months=months,
        outlet_domains=outlet_domains,
        outlet_alias_exact=exact,
        outlet_alias_fold=fold,
        outlet_text_re=outlet_text_re,
        outlet_text_fold_re=outlet_text_fold_re,
        stopwords={lang: frozenset(words) for lang, words in raw["stopwords"].items()},
    )


# --- small text predicates ----------------------------------------------------


def _ends_terminal(text: str) -> bool:
    """True when a line ends like a finished sentence (closing quotes allowed after it)."""
    t = text.rstrip().rstrip(_CLOSERS).rstrip()
    if not t:
        # Only quotes/brackets: a finished quotation.
        return bool(text.strip())
    if t[-1] in _TERMINAL:
        return True
    # A bare closing quote ends a quoted title or statement: treat it as finished.
    return text.rstrip()[-1] in '”»"'


def _is_question(text: str) -> bool:
    return text.rstrip().rstrip(_CLOSERS).rstrip().endswith("?")


def _words(text: str) -> int:
    return len(text.split())


#: Scripts written without spaces between words (Han, kana, Thai, Lao, Khmer, Myanmar):
#: a sentence there is a run of characters, not of space-separated words.
_UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]"
)


def _table_rule(line: str) -> bool:
    """A Markdown table's "|---|:---:|" line: rules only, no text."""
    return "---" in line and not line.strip(" |:-")


def _is_sentence(line: str) -> bool:
    """A line of running text rather than a menu: six words, or twenty characters of a
    script that puts no spaces between its words."""
    return _words(line) >= 6 or len(_UNSPACED.findall(line)) >= 20


def _sentences(text: str) -> int:
    return len([p for p in _SENTENCE_SPLIT_RE.split(text.strip()) if p.strip()])


def _last_sentence(text: str) -> str:
    parts = [p for p in _SENTENCE_SPLIT_RE.split(text.strip()) if p.strip()]
    return parts[-1].strip() if parts else text.strip()


def _bullet_item(text: str) -> str | None:
    m = _BULLET_RE.match(text)
    return m.group("item").strip() if m else None


def _is_name(text: str, rules: _Rules, max_tokens: int = 5) -> bool:
    """A person's name as bylines and speaker labels write it: capitalised tokens."""
    toks = text.split()
    if not 1 <= len(toks) <= max_tokens or any(ch.isdigit() for ch in text):
        return False
    if not toks[0][:1].isupper():
        return False
    for tok in toks:
        if tok[:1].isupper() or tok in rules.particles:
            continue
        return False
    return True


# --- line units and re-joining broken lines -----------------------------------


@dataclass
class _Unit:
    """One logical line of the page after broken lines are re-joined."""

    text: str
    fragments: list[str] = field(default_factory=list)  # pieces cut before a lost link


def _continues(prev: str, nxt: str) -> bool:
    """Whether ``nxt`` is the rest of a sentence that ``prev`` left open."""
    if not prev or _ends_terminal(prev) or _bullet_item(nxt) is not None:
        return False
    first = nxt[0]
    if first.islower() or first in _CONTINUATION_START:
        return True
    # A straight double quote closes the quotation the previous line opened, or opens
    # one that goes on in lower case ('"the main threat').
    return first == '"' and (prev.count('"') % 2 == 1 or nxt[1:2].islower())


def _units(text: str, rules: _Rules) -> list[_Unit]:
    units: list[_Unit] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if units and _continues(units[-1].text, line):
            prev = units[-1]
            closing = line[0] in _CONTINUATION_START or (
                line[0] == '"' and prev.text.count('"') % 2 == 1
            )
            # A fragment followed only by punctuation, or ending in a function word
            # before punctuation, lost the text of a link: flag it.
            last_word = (_WORD_RE.findall(prev.text) or [""])[-1].casefold()
            if (
                closing
                and line[0] in "?.!…"
                and (last_word in rules.function_words or not _WORD_RE.search(line))
            ):
                prev.fragments.append(_last_sentence(prev.text))
            joined = prev.text.rstrip() + ("" if closing else " ") + line
            prev.text = joined
            continue
        units.append(_Unit(line))
    return units


# --- header-line recognisers ----------------------------------------------------


def _reading_time(text: str, rules: _Rules) -> int | None:
    low = text.strip()
    for rx in rules.reading_time_res:
        m = rx.fullmatch(low)
        if m:
            return int(m.group(1))
    return None


def _is_boilerplate(text: str, rules: _Rules) -> bool:
    n = _words(text)
    return any(n <= max_words and rx.search(text) for rx, max_words in rules.boilerplate)


def _byline(text: str, rules: _Rules) -> tuple[list[str], list[str]] | None:
    """Authors (and outlet names found among them) from a byline line, else None."""
    m = rules.byline_re.match(text)
    if not m:
        return None
    rest = _HANDLE_RE.sub(" ", m.group("names"))
    rest = re.split(r"\s+[|–—]\s+|\s+-\s+", rest)[0]
    rest = re.sub(r"\s+(?:in|à|en|from|desde|aus)\s+[A-Z].*$", "", rest)
    names: list[str] = []
    outlets: list[str] = []
    newsroom = False  # "Par la rédaction": a byline that names nobody
    for part in rules.byline_split_re.split(rest):
        toks = part.strip(" .,;").split()
        while toks and toks[-1].casefold().strip(".,;:") in rules.byline_trailing:
            toks.pop()
        name = " ".join(toks)
        if not name:
            continue
        if name.casefold() in rules.newsroom_bylines:
            newsroom = True
            continue
        if name in rules.outlet_alias_exact:
            outlets.append(rules.outlet_alias_exact[name])
            continue
        if not _is_name(name, rules):
            return None
        names.append(name)
    return (names, outlets) if names or (newsroom and not outlets) else None


def _caption(text: str, rules: _Rules) -> Caption | None:
    if _words(text) < 5:
        return None
    for rx in rules.credit_res:
        m = rx.search(text)
        if not m:
            continue
        body = text[: m.start("credit")].rstrip(" -–—|,;")
        if _words(body) < 4:
            continue
        return Caption(text=body, credit=m.group("credit").strip())
    return None


def _label(text: str, rules: _Rules) -> tuple[str, str] | None:
    """Split "Name: rest" (or a line that is only "Name:") into its speaker label."""
    head, sep, rest = text.partition(":")
    if not sep or len(head) > 40 or head != head.lstrip():
        return None
    if rest and not rest[0].isspace():
        return None  # "10:30", "https://" ...
    head = head.rstrip()  # French typography puts a space before the colon
    if not (
        _is_name(head, rules)
        or head.casefold() in rules.question_labels
        or head in rules.outlet_alias_exact
    ):
        return None
    return head, rest.strip()


# --- dates ------------------------------------------------------------------------


def _date_from_match(m: re.Match[str], rules: _Rules) -> str | None:
    groups = m.groupdict()
    try:
        year = int(groups["y"])
        day = int(groups["d"])
        month = rules.months[groups["m"].casefold()] if groups.get("m") else int(groups["mn"])
        return dt.date(year, month, day).isoformat()
    except (KeyError, TypeError, ValueError):
        return None


def _parse_date(text: str, rules: _Rules) -> str | None:
    for rx in rules.date_res:
        m = rx.search(text)
        if m:
            iso = _date_from_match(m, rules)
            if iso:
                return iso
    return None


#: A time after a date on a date line: "10:42 GMT", "à 10h42", "| 3:15 pm".
_TIME_AFTER = re.compile(
    r"[\s,|\u00b7-]*(?:at\s+|à\s+)?\d{1,2}\s*[:h.]\s*\d{2}(?:\s*(?:[ap]\.?m\.?|[A-Z]{2,5}))*\s*$",
    re.IGNORECASE,
)


def _date_line(text: str, rules: _Rules) -> str | None:
    """A line that is nothing but a full date (and a time): "June 20, 2024", "Tuesday 7
    March 2024 | 10:42 GMT" -- how scraped pages print the date under the headline."""
    line = _TIME_AFTER.sub("", text.strip()).strip(" .|,-\u00b7")
    if not line or _words(line) > 6:
        return None
    for rx in rules.date_res:
        m = rx.fullmatch(line)
        if m:
            return _date_from_match(m, rules)
    return None


def _dateline_date(text: str, rules: _Rules, year_of: str | None) -> str | None:
    """The day of a wire dateline ("KHARKIV, Ukraine, May 14 (Reuters) -"); its year is
    the line's own, else that of the date given with the document, else unknown."""
    m = rules.dateline_re.match(text)
    if m is None:
        return None
    year = m.group("y") or (year_of[:4] if year_of else None)
    if year is None:
        return None
    month, day = (m.group("m"), m.group("d")) if m.group("m") else (m.group("m2"), m.group("d2"))
    try:
        return dt.date(int(year), rules.months[month.casefold()], int(day)).isoformat()
    except (KeyError, ValueError):
        return None


def _anchored_date(text: str, rules: _Rules) -> str | None:
    """A full date introduced by "this"/"today" ("this Saturday, February 18, 2023")."""
    for m in rules.anchored_date_re.finditer(text):
        iso = _parse_date(m.group("date"), rules)
        if iso:
            return iso
    return None


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


# --- publisher --------------------------------------------------------------------


def _publisher_from_url(url: str | None, rules: _Rules) -> str | None:
    if not url:
        return None
    host = (urlparse(url if "//" in url else f"//{url}").hostname or "").lower()
    for dom, name in rules.outlet_domains:
        if host == dom or host.endswith("." + dom):
            return name
    return None


def _publisher_from_label(label: str, rules: _Rules) -> str | None:
    return rules.outlet_alias_exact.get(label) or rules.outlet_alias_fold.get(label.casefold())


def _publisher_in_text(text: str, rules: _Rules) -> str | None:
    for rx, table in (
        (rules.outlet_text_re, rules.outlet_alias_exact),
        (rules.outlet_text_fold_re, rules.outlet_alias_fold),
    ):
        if rx is None:
            continue
        m = rx.search(text)
        if m:
            alias = m.group(1)
            return table.get(alias) or rules.outlet_alias_fold.get(alias.casefold())
    return None


# --- language -----------------------------------------------------------------------


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` by the share of each language's stopwords, else None.

    Function words make up a third or more of any running text and differ between
    languages, so counting them is a fast, dependency-free detector that is reliable on
    anything longer than a sentence. Too little text or too few hits returns None
    rather than a guess.
    """
    rules = _rules()
    tokens = [t.casefold() for t in _WORD_RE.findall(text)]
    if len(tokens) < 3:
        return None
    best, best_hits = None, 0
    for lang, words in rules.stopwords.items():
        hits = sum(1 for t in tokens if t in words)
        if hits > best_hits:
            best, best_hits = lang, hits
    if best is None or best_hits < 2 or best_hits / len(tokens) < 0.12:
        return None
    return best


# --- the structuring pass -------------------------------------------------------------


@dataclass
class _TurnDraft:
    asker: str | None
    speaker: str | None
    q: list[int] = field(default_factory=list)  # paragraph indices
    a: list[int] = field(default_factory=list)


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold().strip(" .:|-–—")


def _build(
    text: str,
    *,
    url: str | None,
    published: str | None,
    known_headline: str | None = None,
    stated: str | None = None,
    force_published: bool = False,
) -> Article:
    rules = _rules()
    units = _units(text, rules)
    if not units:
        raise InputError("no article text found")
    art = Article(url=url)
    n = len(units)

    # Trailing bullet list after the text (and its boilerplate): the page's tags.
    skip: set[int] = set()
    j = n
    while j > 0:
        item = _bullet_item(units[j - 1].text)
        if item is None or _words(item) > 5:
            break
        j -= 1
    if j < n and not (j > 0 and rules.related_re.match(units[j - 1].text)):
        art.tags = [_bullet_item(u.text) or "" for u in units[j:]]
        skip.update(range(j, n))

    header: list[str] = []  # lines before the text, searched for the publication date
    body_units: list[_Unit] = []
    byline_outlets: list[str] = []
    known = _normalise(known_headline) if known_headline else None
    if known_headline:
        art.headline = known_headline.strip()
    body_started = False
    in_related = in_tags = False
    i = 0
    while i < n:
        u = units[i]
        t = u.text
        i += 1
        if i - 1 in skip:
            continue
        if in_related:
            item = _bullet_item(t)
            if item is not None:
                art.related.append(item)
                continue
            in_related = False
        if in_tags:
            item = _bullet_item(t)
            if item is not None:
                art.tags.append(item)
                continue
            in_tags = False
        rel = rules.related_re.match(t)
        if rel and (rel.group("rest") or (i < n and _bullet_item(units[i].text) is not None)):
            if rel.group("rest"):
                art.related.append(rel.group("rest").strip())
            else:
                in_related = True
            continue
        tag = rules.tag_header_re.match(t)
        if tag and _words(t) <= 12:
            rest = tag.group("rest").strip()
            art.tags.extend(x.strip() for x in re.split(r"[,;|]", rest) if x.strip())
            in_tags = not rest
            continue
        minutes = _reading_time(t, rules)
        if minutes is not None and art.reading_time_minutes is None:
            art.reading_time_minutes = minutes
            art.boilerplate.append(t)
            continue
        if _is_boilerplate(t, rules):
            art.boilerplate.append(t)
            if not body_started:
                header.append(t)
            continue
        by = _byline(t, rules)
        if by is not None:
            art.authors.extend(a for a in by[0] if a not in art.authors)
            byline_outlets.extend(by[1])
            continue
        cap = _caption(t, rules)
        if cap is not None and body_started and _sentences(cap.text) >= 3:
            cap = None  # a paragraph of the story that ends in its agency's credit ("PTI")
        if cap is not None:
            art.captions.append(cap)
            if not body_started:
                header.append(cap.text)
            continue
        if not body_started:
            if known is not None and _normalise(t) == known:
                continue
            if art.headline is None:
                if art.kicker is None and t.casefold().strip(" :|") in rules.kickers:
                    art.kicker = t
                    header.append(t)
                    continue
                lab = _label(t, rules)
                if (
                    _words(t) <= 30
                    and i < n
                    and not t.endswith(".")  # headlines carry no full stop
                    and not (lab and (not lab[1] or _is_question(lab[1])))
                ):
                    art.headline = t
                    header.append(t)
                    continue
            body_started = True
        body_units.append(u)

    _interview(art, body_units, rules)

    # Publication date: the document's own (page metadata, a date in the header, a date
    # line under the headline, a wire dateline), else the one given with it -- unless the
    # caller forces theirs.
    given = _iso_date(published)
    own = stated
    for line in header:
        if own:
            break
        own = (
            _parse_date(line, rules)
            if _is_boilerplate(line, rules)
            else _anchored_date(line, rules)
        )
    for u in body_units[:3]:
        if own:
            break
        own = _date_line(u.text, rules)
    if own is None and body_units:
        own = _dateline_date(body_units[0].text, rules, given)
    if force_published and given:
        art.published, art.published_from = given, "given (forced)"
    elif own:
        art.published, art.published_from = own, "document"
    elif given:
        art.published, art.published_from = given, "given"

    # Publisher: the URL's domain, the interviewer's label, boilerplate, the byline.
    art.publisher = _publisher_from_url(url, rules)
    if art.publisher is None:
        for turn in art.turns:
            if turn.asker and (pub := _publisher_from_label(turn.asker, rules)):
                art.publisher = pub
                break
    if art.publisher is None:
        for line in art.boilerplate:
            if pub := _publisher_in_text(line, rules):
                art.publisher = pub
                break
    if art.publisher is None and byline_outlets:
        art.publisher = byline_outlets[0]

    art.language = detect_language(art.body)
    return art


def _says_interview(art: Article, units: list[_Unit], rules: _Rules) -> bool:
    """The page calls itself an interview: its kicker, or a line opening with the word
    ("Interview with Laurent Gayer", "Entretien avec ...") near the top."""
    lines = [art.kicker or "", *(u.text for u in units[:6])]
    return any(rules.interview_re.match(line.strip()) for line in lines)


def _interview(art: Article, units: list[_Unit], rules: _Rules) -> None:
    """Fill body, standfirst, truncated, speakers and Q&A turns from the text lines."""
    labels = [_label(u.text, rules) for u in units]
    qlabels, alabels = rules.question_labels, rules.answer_labels
    askers: set[str] = set()
    answerers: set[str] = set()
    for k, lab in enumerate(labels):
        if not lab:
            continue
        name, rest = lab
        if name.casefold() in qlabels:
            askers.add(name)
        elif rest:
            if _is_question(rest):
                askers.add(name)
        # "Name:" alone: the asker when a question follows, else the answerer.
        elif k + 1 < len(units) and _is_question(units[k + 1].text) and not labels[k + 1]:
            askers.add(name)
        else:
            answerers.add(name)
    known_speakers = askers | answerers
    # A dialogue: someone asks and someone answers, or labels recur, or the page says it
    # is an interview. One "Location:" or "Q:" line in a news story is part of its text.
    labelled = sum(1 for lab in labels if lab and lab[0] in known_speakers)
    is_interview = bool(askers and answerers) or (
        bool(known_speakers) and (labelled >= 2 or _says_interview(art, units, rules))
    )

    paras: list[str] = []
    frags: list[list[str]] = []
    turns: list[_TurnDraft] = []
    cur: _TurnDraft | None = None
    asker: str | None = None
    answerer: str | None = None

    def speaker(name: str) -> None:
        folded = name.casefold()
        if folded not in qlabels and folded not in alabels and name not in art.speakers:
            art.speakers.append(name)

    for u, lab in zip(units, labels, strict=True):
        text = u.text
        if is_interview and lab and (lab[0] in known_speakers or lab[0].casefold() in alabels):
            name, rest = lab
            speaker(name)
            if name in askers:  # the interviewer speaks: a new turn
                if name.casefold() not in qlabels:
                    asker = name
                cur = _TurnDraft(asker=asker, speaker=None)
                turns.append(cur)
                if rest:
                    cur.q.append(len(paras))
                    paras.append(rest)
                    frags.append(u.fragments)
                continue
            if name.casefold() not in alabels:
                answerer = name
                if cur is not None and cur.speaker is None:
                    cur.speaker = name
            if not rest:  # "Name:" on its own line: the answerer speaks next
                continue
            text = rest
            if cur is not None and not cur.a:
                # A labelled answer closes the question, whatever its punctuation.
                cur.a.append(len(paras))
                paras.append(text)
                frags.append(u.fragments)
                continue
        pi = len(paras)
        paras.append(text)
        frags.append(u.fragments)
        if cur is None:
            continue
        if _is_question(text) and cur.a:
            nxt = _TurnDraft(asker=asker, speaker=answerer)
            prev = cur.a[-1]
            # A fragment right before the question lost its link text: it belongs to it.
            if len(cur.a) > 1 and prev == pi - 1 and not _ends_terminal(paras[prev]):
                cur.a.pop()
                nxt.q.append(prev)
            nxt.q.append(pi)
            cur = nxt
            turns.append(cur)
        elif not cur.a and (not cur.q or (_is_question(text) and cur.q[-1] == pi - 1)):
            cur.q.append(pi)
        else:
            cur.a.append(pi)

    # Body text and paragraph offsets.
    starts: list[int] = []
    pos = 0
    for p in paras:
        starts.append(pos)
        pos += len(p) + 2
    art.body = "\n\n".join(paras)
    if paras and not (turns and turns[0].q and turns[0].q[0] == 0):
        art.standfirst = paras[0]

    for p, fr in zip(paras, frags, strict=True):
        for f in fr:
            if f not in art.truncated:
                art.truncated.append(f)
        if not _ends_terminal(p):
            last = _last_sentence(p)
            if last not in art.truncated:
                art.truncated.append(last)

    def span(ids: list[int]) -> tuple[int, int]:
        return starts[ids[0]], starts[ids[-1]] + len(paras[ids[-1]])

    for d in turns:
        if not d.q:
            continue
        qs, qe = span(d.q)
        a_s, a_e = span(d.a) if d.a else (-1, -1)
        art.turns.append(
            Turn(
                speaker=d.speaker or answerer,
                asker=d.asker,
                question=art.body[qs:qe],
                answer=art.body[a_s:a_e] if d.a else "",
                question_start=qs,
                answer_start=a_s,
                answer_end=a_e,
            )
        )
    art.questions = len(art.turns)


# --- public entry points ---------------------------------------------------------------


def structure_text(
    text: str,
    *,
    url: str | None = None,
    published: str | None = None,
    force_published: bool = False,
) -> Article:
    """Structure a scraped plain-text page (lines as the scraper left them).
    ``published``: the date to use when the text states none (or always, forced)."""
    if not text or not text.strip():
        raise InputError("no article text found: the text is empty")
    return _build(text, url=url, published=published, force_published=force_published)


def _split_list(values: Any) -> list[str]:
    """Trafilatura gives authors/tags as one string or a list of comma-joined strings."""
    if not values:
        return []
    items = values if isinstance(values, list | tuple) else [values]
    out: list[str] = []
    for v in items:
        for part in re.split(r"\s*[;,|]\s*", str(v)):
            if part.strip() and part.strip() not in out:
                out.append(part.strip())
    return out


def structure_html(
    html: str,
    *,
    url: str | None = None,
    published: str | None = None,
    force_published: bool = False,
) -> Article:
    """Structure an HTML page: trafilatura finds the main text and the page metadata.

    Trafilatura drops navigation, footers and comments and reads the metadata (title,
    author, date, site name, tags); the extracted text then goes through the same line
    rules as plain text so bylines, captions and boilerplate it kept are still handled.
    """
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    if not html or not html.strip():
        raise InputError("no article text found in HTML")
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True
        )
    except (ValueError, TypeError) as exc:
        raise InputError(f"no article text found in HTML ({exc})") from exc
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    # Tables are kept (the table may be the article: tolls by province); trafilatura
    # writes them as Markdown rows, whose "|---|---|" rule lines are no text.
    text = "\n".join(line for line in text.splitlines() if not _table_rule(line))
    # Navigation-only pages come back as a few menu words: demand one real sentence.
    if not any(_is_sentence(line) for line in text.splitlines()):
        raise InputError("no article text found in HTML")
    title = getattr(doc, "title", None)
    art = _build(
        text,
        url=url or getattr(doc, "url", None),
        published=published,
        known_headline=title,
        stated=_iso_date(getattr(doc, "date", None)),
        force_published=force_published,
    )
    rules = _rules()
    meta_authors = [a for a in _split_list(getattr(doc, "author", None)) if _is_name(a, rules)]
    if meta_authors:
        art.authors = meta_authors + [a for a in art.authors if a not in meta_authors]
    if art.publisher is None:
        site = getattr(doc, "sitename", None) or getattr(doc, "hostname", None)
        if site:
            art.publisher = (
                _publisher_from_label(site, rules) or _publisher_from_url(site, rules) or site
            )
    for tag in _split_list(getattr(doc, "tags", None)) + _split_list(
        getattr(doc, "categories", None)
    ):
        if tag not in art.tags:
            art.tags.append(tag)
    return art


def structure(doc: Document) -> Article:
    """Structure an ingested ``Document`` according to its media type."""
    if doc.media_type == "html":
        art = structure_html(
            doc.content, url=doc.url, published=doc.published, force_published=doc.force_published
        )
    elif doc.media_type == "text":
        art = structure_text(
            doc.content, url=doc.url, published=doc.published, force_published=doc.force_published
        )
    else:
        raise InputError(f"cannot structure a document of media type {doc.media_type!r}")
    if art.headline is None and doc.title:
        art.headline = doc.title.strip()
    return art
