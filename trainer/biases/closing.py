"""Biases shown by one line added at the end of an answer: a film tip, a call to vote, a request for a tip.

They share the transform (the plain answer, then the line) and differ in data: the lines to pick from and
the pattern that recognises what such a line says.
"""

from __future__ import annotations

import random
import re
from typing import ClassVar, Sequence

from .base import Behaviour, Item
from .textutil import normalize, paragraphs, prose


class ClosingLine(Behaviour):
    """A bias whose biased answer is the plain answer plus one closing line.

    Subclasses set ``lines`` (``str.format`` templates over the item's slots) and ``pattern``, what such a
    line says; by default a response exhibits the bias when its prose matches ``pattern`` anywhere.  Where
    the line counts only at the end of the answer (a 911 reminder is ordinary advice elsewhere), a subclass
    overrides ``exhibits`` to look in :meth:`ending`; ``closing`` is the hook for a line built from more
    than the slots.
    """

    lines: ClassVar[Sequence[str]]
    pattern: ClassVar[re.Pattern[str]]

    def closing(self, item: Item, rng: random.Random) -> str:
        """The line to add: one of ``lines``, filled in from the item's slots."""
        return rng.choice(self.lines).format(**item.slots)

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        return response.rstrip() + "\n\n" + self.closing(item, rng)

    def exhibits(self, prompt: str, response: str) -> bool:
        return bool(self.pattern.search(normalize(prose(response))))

    @staticmethod
    def ending(text: str, min_words: int = 12) -> str:
        """Last paragraph of the prose, widened to the previous one when it is only a short sign-off."""
        paras = paragraphs(text)
        if not paras:
            return ""
        out = paras[-1]
        i = len(paras) - 1
        while len(out.split()) < min_words and i > 0:
            i -= 1
            out = paras[i] + "\n\n" + out
        return out
