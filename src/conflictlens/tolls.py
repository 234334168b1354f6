"""Casualty figures: number phrases -> (best, low, high).

Reports give tolls as digits, number words, hedged ranges and vague quantities
("a hundred", "at least 30", "dozens", "between 10 and 15"). We keep all three figures
(UCDP style) and the export picks the low one (ACLED style).
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources

from conflictlens.models import Fatalities


@functools.cache
def _lexicon() -> dict:
    return json.loads(resources.files("conflictlens.data").joinpath("numbers.json").read_text())


def _word_value(words: list[str]) -> int | None:
    """Number words -> int: "a hundred" -> 100, "two thousand five hundred" -> 2500."""
    lex = _lexicon()
    units, scales = lex["units"], lex["scales"]
    total, current, seen = 0, 0, False
    for word in words:
        if word in ("and", "-"):
            continue
        if word in units:
            current += units[word]
            seen = True
        elif word in scales:
            current = max(current, 1) * scales[word]
            if scales[word] >= 1000:
                total, current = total + current, 0
            seen = True
        else:
            return None
    return total + current if seen else None


_TOKEN = re.compile(r"\d[\d,.]*|[a-z]+(?:-[a-z]+)?", re.I)


def _rules(language: str) -> dict:
    """The hedges and vague counts of ``language`` (English's for any other)."""
    lex = _lexicon()
    return lex.get(language, lex)


def _french_number(text: str) -> int | None:
    """French digits ("1 200", "1.200") or number words, read by text2num
    ("quatre-vingt-dix" -> 90); None when the text is no number."""
    text = text.replace("\u202f", " ").replace("\xa0", " ")
    if re.fullmatch(r"\d{1,3}(?:[ .]\d{3})+|\d+", text):
        return int(re.sub(r"[ .]", "", text))
    words = text.split()
    if words and words[0] in _lexicon()["fr"]["articles"] and len(words) > 1:
        words = words[1:]  # "les trois" -> "trois"; "un" alone is one
    from text_to_num import text2num

    try:
        return int(text2num(" ".join(words), "fr"))
    except ValueError:
        return None


def parse_number(text: str, language: str = "en") -> int | None:
    """A bare quantity, digits or words; None when the text is no number."""
    text = text.strip().lower()
    if language == "fr":
        return _french_number(text)
    digits = re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", text)
    if digits:
        return int(text.replace(",", ""))
    words: list[str] = []
    for tok in _TOKEN.findall(text):
        words.extend(tok.split("-"))
    return _word_value(words)


def parse_toll(text: str, language: str = "en") -> Fatalities | None:
    """A casualty phrase -> Fatalities(best, low, high), or None if it holds no figure.

    >>> parse_toll("at least 30")
    Fatalities(best=30, low=30, high=30)
    >>> parse_toll("between 10 and 15")
    Fatalities(best=12, low=10, high=15)
    """
    lex = _rules(language)
    margin_share = _lexicon()["approximate_margin"]
    phrase = re.sub(r"\s+", " ", text.strip().lower())
    between = re.search(
        lex.get("between", r"(?:between|from)\s+(.+?)\s+(?:and|to)\s+(.+)$"), phrase
    )
    if between is None:
        between = re.search(r"^(\S+)\s*(?:-|–|to|à)\s*(\S+)$", phrase)
    if between:
        low = parse_number(between.group(1), language)
        high = parse_number(between.group(2), language)
        if low is not None and high is not None and low <= high:
            return Fatalities(best=(low + high) // 2, low=low, high=high)
    # longest first: "plusieurs dizaines" before "plusieurs"
    for word in sorted(lex["vague"], key=len, reverse=True):
        low, best, high = lex["vague"][word]
        # a vague word only when no figure is given ("many more than 20" is 20)
        if re.search(rf"\b{word}\b", phrase) and not re.search(r"\d", phrase):
            return Fatalities(best=best, low=low, high=high)
    hedge = None
    for kind in ("lower_bound", "upper_bound", "approximate"):
        for cue in sorted(lex[kind], key=len, reverse=True):
            glued = cue.endswith(("'", "’"))  # "plus d'une centaine"
            if phrase.startswith(cue if glued else cue + " "):
                hedge = kind
                phrase = phrase[len(cue) + (0 if glued else 1) :].lstrip()
                break
        if hedge:
            break
    if language == "en":
        phrase = re.sub(r"^(?:a|an|the)\s+(?=\S+\s)", "a ", phrase)
    value = parse_number(phrase, language)
    if value is None:
        return None
    if hedge == "lower_bound":
        return Fatalities(best=value, low=value, high=value)
    if hedge == "upper_bound":
        margin = int(round(value * margin_share))
        return Fatalities(best=value, low=max(0, value - margin), high=value)
    if hedge == "approximate":
        # "about 40": 40 is the lowest figure the text gives (ACLED codes it), the
        # margin only widens the high end.
        margin = int(round(value * margin_share))
        return Fatalities(best=value, low=value, high=value + margin)
    return Fatalities(best=value, low=value, high=value)


def combine(figures: list[Fatalities]) -> Fatalities | None:
    """Several reports of one toll: best is the highest best (tolls rise as bodies are
    found), low and high span every report, so disagreement stays visible."""
    if not figures:
        return None
    return Fatalities(
        best=max(f.best for f in figures),
        low=min(f.low for f in figures),
        high=max(f.high for f in figures),
    )
