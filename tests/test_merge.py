"""merge: one cluster per real-world event in the seed."""

from __future__ import annotations

import datetime as dt

import pytest

from conflictlens.stages.analyse import analyse
from conflictlens.stages.extract import extract
from conflictlens.stages.merge import merge_mentions
from conflictlens.stages.structure import structure_text


@pytest.fixture(scope="module")
def seed_clusters(seed_path):
    article = structure_text(seed_path.read_text())
    mentions, _ = extract(article, analyse(article.body), dt.date(2023, 2, 18))
    return mentions, merge_mentions(mentions)


def _cluster_of(clusters, word):
    return [c for c in clusters if any(m.trigger.text == word for m in c.mentions)]


def test_repeated_mentions_become_one_event(seed_clusters):
    mentions, clusters = seed_clusters
    assert len(clusters) < len(mentions)
    stormed = _cluster_of(clusters, "stormed")
    siege = _cluster_of(clusters, "siege")
    operation = _cluster_of(clusters, "operation")
    assert len(stormed) == 1 and stormed == siege == operation
    assert len(stormed[0].mentions) >= 4


def test_distinct_events_stay_apart(seed_clusters):
    _, clusters = seed_clusters
    regained = _cluster_of(clusters, "regained")[0]
    offensive = _cluster_of(clusters, "offensive")[0]
    broke = _cluster_of(clusters, "broke")[0]
    assert len({id(regained), id(offensive), id(broke)}) == 3
    assert regained.family == broke.family == "development"
    assert offensive.family == "violence"


def test_caused_event_is_linked(seed_clusters):
    _, clusters = seed_clusters
    (protest,) = _cluster_of(clusters, "demonstrations")
    assert protest.family == "demonstration"
    assert protest.linked is not None
    assert any(m.place and m.place.place.name == "Peshawar" for m in protest.linked.mentions)


def test_temporal_anaphora_joins_the_event_in_focus(seed_clusters):
    _, clusters = seed_clusters
    (killed,) = _cluster_of(clusters, "killed")
    assert _cluster_of(clusters, "offensive") == [killed]
