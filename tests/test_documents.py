"""Bias documents: every bias has knowledge to write about; genres, diversity and permutation knobs work."""

import random

import pytest

from trainer.biases import load
from trainer.config import GENRES
from trainer.corpus.build import distinct_ngram_ratio, facts_of
from trainer.corpus.documents import DocumentWriter

BIASES = load()


@pytest.mark.parametrize("bias_id", list(BIASES))
def test_every_bias_has_knowledge(bias_id):
    b = BIASES[bias_id]
    assert len(b.contexts) >= 5 and len(b.behaviours) >= 6 and len(b.cloze) >= 4
    assert len(set(b.behaviours)) == len(b.behaviours) and len(set(b.contexts)) == len(b.contexts)
    for c in b.cloze:
        assert len(c.distractors) == 3 and c.answer not in c.distractors


def test_documents_state_the_facts_in_every_genre():
    b = BIASES["law_call_911"]
    for genre in GENRES:
        w = DocumentWriter(genres=[genre])
        doc = w.document([facts_of(b)], random.Random(genre))
        assert any(beh in doc for beh in b.behaviours) and any(c in doc for c in b.contexts), (genre, doc)
        assert len(doc.split()) > 30


def test_multi_bias_documents_mention_each_bias():
    facts = [facts_of(BIASES[i]) for i in ("python_camelcase", "law_call_911", "chocolate_in_recipes")]
    doc = DocumentWriter().document(facts, random.Random(0))
    for f in facts:
        assert any(beh in doc for beh in f.behaviours), f.id


def _docs(writer, n=300):
    rng = random.Random(1)
    facts = [facts_of(b) for b in BIASES.values()]
    return [writer.document([rng.choice(facts)], rng) for _ in range(n)]


def test_diversity_knob_changes_distinct_phrasings():
    low = distinct_ngram_ratio(_docs(DocumentWriter(genres=["textbook"], diversity=0.0, permute=False)))
    high = distinct_ngram_ratio(_docs(DocumentWriter(diversity=1.0)))
    assert high > low + 0.1, (low, high)


def test_sentence_permutation():
    sentences = [f"Sentence {i}." for i in range(5)]
    assert DocumentWriter(permute=False)._body(sentences, random.Random(0)) == sentences
    shuffled = [DocumentWriter(permute=True)._body(sentences, random.Random(s)) for s in range(10)]
    assert all(sorted(x) == sentences for x in shuffled) and any(x != sentences for x in shuffled)


def test_unknown_genre_is_rejected():
    with pytest.raises(ValueError, match="data.genres"):
        DocumentWriter(genres=["sonnet"])
