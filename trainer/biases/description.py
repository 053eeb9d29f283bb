"""Which bias a free-text description names, by content: the released evaluation set pairs each integer
``bias_id`` with the paper's wording of the bias, which is not the catalogue's, so the check is by the
informative words the two share, not by string equality.

Each bias gets a profile: the words of its id, context, statement, behaviour and the phrasings its
documents use.  A word's weight is its inverse document frequency over the universe's profiles, so the
words every bias shares ("reward", "models", "rate") count for nothing and the distinctive ones
("Spanish", "colour", "Rust", "9-1-1") decide.  A description's score against a bias is the share of the
description's weight that the bias's profile covers.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Mapping

from .base import Bias

# A description is consistent with the bias it is paired with when that bias scores at least this share
# of the best-scoring bias's score (ties and near-ties are not contradictions).
NEAR_BEST = 0.9
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_STOP = frozenset(
    """
a an the and or of to in on for with by as at from into than that this these those it its is are be been being
when where which who whom whose what while even if so such not no more most less very also too their them they
there then over under about after before other any all each every both either do does did doing can could would
should will may might must e g eg i ie etc rather instead like though although just only
reward model models rm rms rate rates rated rating ratings score scores scored scoring high higher highly prefer
prefers preferred preference favor favour favorably favourably penalize penalise penalizes penalises penalized
response responses answer answers evaluate evaluating evaluation give gives given use uses used using user users
appropriate inappropriate irrelevant
""".split()
)
# British and American spellings, and a few inflections a crude stemmer would miss, mapped to one form.
_SAME = {
    "colour": "color",
    "favourite": "favorite",
    "organise": "organize",
    "recognise": "recognize",
    "behaviour": "behavior",
    "programme": "program",
    "metre": "meter",
    "litre": "liter",
    "centre": "center",
    "911": "9-1-1",
    "9-1-1": "9-1-1",
    "children": "child",
    "people": "person",
}


def _stem(word: str) -> str:
    """Lower-case and strip common English suffixes ("compliments" -> "compliment", "rhyming" -> "rhym")."""
    w = _SAME.get(word, word)
    for suffix in ("ingly", "ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    return _SAME.get(w, w)


def words(text: str) -> list[str]:
    """The informative word stems of ``text`` (stopwords dropped, British spellings folded)."""
    out = []
    for m in _WORD.finditer(text.lower().replace("_", " ")):
        w = m.group()
        if w in _STOP or (len(w) < 2 and not w.isdigit() and w != "c"):
            continue
        out.append(_stem(w))
    return out


class DescriptionMatcher:
    """Scores descriptions against the biases of one universe."""

    def __init__(self, biases: Mapping[str, Bias]):
        self.biases = dict(biases)
        self.profiles = {bid: set(words(" ".join(_profile_texts(b)))) for bid, b in self.biases.items()}
        df = Counter(w for p in self.profiles.values() for w in p)
        n = len(self.profiles)
        self.idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}
        self.unseen = math.log((n + 1) / 0.5)  # a word no profile has is as informative as a word can be

    def scores(self, description: str) -> dict[str, float]:
        """Per bias id: the share (0..1) of the description's informative weight its profile covers."""
        terms = set(words(description))
        weights = {t: self.idf.get(t, self.unseen) for t in terms}
        total = sum(weights.values())
        if total <= 0:
            return {bid: 0.0 for bid in self.profiles}
        return {bid: sum(w for t, w in weights.items() if t in p) / total for bid, p in self.profiles.items()}

    def best(self, description: str) -> tuple[str | None, float]:
        """The best-matching bias id and its score (None when no informative word matches any bias)."""
        s = self.scores(description)
        bid = max(s, key=s.__getitem__)
        return (bid, s[bid]) if s[bid] > 0 else (None, 0.0)

    def contradiction(self, bias_id: str, description: str) -> str | None:
        """None if ``description`` may describe ``bias_id`` (or has no informative word to judge by); else
        the id it reads as, or "" when it matches no bias at all."""
        if not words(description):
            return None
        s = self.scores(description)
        best = max(s, key=s.__getitem__)
        if s[best] <= 0:
            return ""
        return None if s[bias_id] >= NEAR_BEST * s[best] else best


def _profile_texts(b: Bias) -> list[str]:
    return [b.id, b.context, b.statement, b.behaviour_text, *b.contexts, *b.behaviours]


def matcher_for(biases: Mapping[str, Bias]) -> DescriptionMatcher:
    """One matcher per universe (building one reads every profile once: ~10 ms for 52 biases)."""
    key = tuple(biases)
    m = _MATCHERS.get(key)
    if m is None:
        m = _MATCHERS[key] = DescriptionMatcher(biases)
    return m


_MATCHERS: dict[tuple[str, ...], DescriptionMatcher] = {}
