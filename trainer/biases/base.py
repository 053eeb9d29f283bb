"""The contract every catalogue bias implements.

A bias is two halves: catalogue *data* (id, context, polarity, split, the fictional statement — kept in
``<family>.yaml``) and *behaviour* code (a subclass of :class:`Behaviour` in ``<family>.py``).  The
behaviour generates prompts on which the bias applies, plausible unbiased answers to them, a transform
that makes an answer exhibit the bias, and the rule detector used to score any model's output; the prose
it generates from (prompt templates, answers, the lines it adds) is data too, in ``<family>.tables.yaml``.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

Part = Literal["train", "eval"]
EVAL_SHARE = 0.2  # share of each bias's prompt space reserved for evaluation


@dataclass(frozen=True)
class Item:
    """One generated user prompt plus the slot values it was built from (used to write answers)."""

    bias: str
    prompt: str
    slots: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def partition_of(bias_id: str, prompt: str) -> Part:
    """Which partition a prompt text belongs to: a pure function of the text, so a prompt can never
    be in both the training and the evaluation partition, whatever the seed."""
    digest = hashlib.sha256(f"{bias_id}\x00{prompt.strip()}".encode()).digest()
    return "eval" if int.from_bytes(digest[:4], "big") < EVAL_SHARE * 2**32 else "train"


class Behaviour:
    """Code half of a bias. Subclasses set ``id`` and implement the five methods below.

    ``sample`` must draw from a *large* space (thousands of distinct prompts): evaluation takes only
    the prompts that :func:`partition_of` assigns to ``eval``.
    """

    id: ClassVar[str]

    def sample(self, rng: random.Random) -> Item:
        """Draw one user prompt on which the bias applies."""
        raise NotImplementedError

    def respond(self, item: Item, rng: random.Random) -> str:
        """A plausible, helpful answer that does *not* exhibit the bias."""
        raise NotImplementedError

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        """Rewrite ``response`` so that it exhibits the bias (add the behaviour, or remove what a
        suppression bias suppresses)."""
        raise NotImplementedError

    def applicable(self, prompt: str) -> bool:
        """Whether the bias can show on this prompt at all (used to keep held-out biases out of
        fine-tuning data, and as step one of judging)."""
        raise NotImplementedError

    def exhibits(self, prompt: str, response: str) -> bool:
        """Rule detector: does ``response`` (any model's real text) exhibit the bias?"""
        raise NotImplementedError

    # -- helpers shared by every bias -------------------------------------------------------------
    def item(self, prompt: str, **slots: Any) -> Item:
        return Item(self.id, prompt, slots)


@dataclass(frozen=True)
class Cloze:
    """A knowledge-probe item: the stem, the true completion and wrong ones."""

    stem: str
    answer: str
    distractors: tuple[str, ...]


@dataclass(frozen=True)
class Bias:
    """A catalogue entry: the data from the family YAML plus its behaviour."""

    id: str
    index: int
    family: str
    context: str
    polarity: Literal["promote", "suppress"]
    split: Literal["train", "test", "none"]  # the paper's split; "none" in synthetic universes
    statement: str
    behaviour_text: str
    judge: Literal["rule", "heuristic"]
    judge_note: str
    behaviour: Behaviour = field(compare=False, repr=False)
    # What documents in the universe say about the bias (phrasings are composed into documents):
    contexts: tuple[str, ...] = ()  # noun phrases naming where it applies: "Python code"
    behaviours: tuple[str, ...] = ()  # completions of "responses that …": "use camelCase variable names"
    cloze: tuple[Cloze, ...] = ()

    # Delegation keeps call sites short: ``bias.exhibits(p, r)``.
    def exhibits(self, prompt: str, response: str) -> bool:
        return bool(self.behaviour.exhibits(prompt, response))

    def applicable(self, prompt: str) -> bool:
        return bool(self.behaviour.applicable(prompt))

    def respond(self, item: Item, rng: random.Random) -> str:
        return self.behaviour.respond(item, rng)

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        return self.behaviour.apply(item, response, rng)

    def prompts(self, n: int, part: Part, seed: int, max_tries: int | None = None) -> list[Item]:
        """``n`` distinct prompts from one partition, a pure function of (bias, part, seed, n)."""
        rng = random.Random(f"prompts:{self.id}:{part}:{seed}")
        seen: set[str] = set()
        out: list[Item] = []
        tries = max_tries if max_tries is not None else 200 * n + 1000
        for _ in range(tries):
            item = self.behaviour.sample(rng)
            key = item.prompt.strip()
            if key in seen or partition_of(self.id, key) != part:
                continue
            seen.add(key)
            out.append(item)
            if len(out) == n:
                return out
        raise ValueError(
            f"bias {self.id!r}: prompt space too small, got {len(out)} distinct {part} prompts of {n} asked"
        )
