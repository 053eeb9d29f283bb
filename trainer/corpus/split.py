"""Which biases are fine-tuned and which are held out — a pure function of (config, seed)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence


class SplitError(ValueError):
    pass


@dataclass(frozen=True)
class BiasSplit:
    finetuned: tuple[str, ...]
    heldout: tuple[str, ...]


def split_biases(
    ids: Sequence[str],
    fraction: float,
    mode: str,
    seed: int,
    paper_test: Sequence[str] = (),
    always_train: Sequence[str] = (),
) -> BiasSplit:
    """Fine-tune ``fraction`` of the eligible biases; hold out the rest.

    ``paper`` mode: the paper's test biases are always held out and the fraction applies to the
    others.  ``random`` mode: a seeded split of all biases.  ``always_train`` (the hiding bias) is
    fine-tuned whenever at least one bias is.  Raises if no bias would be held out.
    """
    ids = list(ids)
    if mode == "paper":
        eligible = [i for i in ids if i not in set(paper_test)]
    elif mode == "random":
        eligible = ids
    else:
        raise SplitError(f"finetune.split: expected paper or random, got {mode!r}")
    pinned = [i for i in eligible if i in set(always_train)]
    free = [i for i in eligible if i not in set(always_train)]
    rng = random.Random(f"bias-split:{mode}:{seed}")
    rng.shuffle(free)
    k = round(fraction * len(eligible))
    chosen = (pinned + free)[:k] if k else []
    chosen_set = set(chosen)
    finetuned = tuple(i for i in ids if i in chosen_set)
    heldout = tuple(i for i in ids if i not in chosen_set)
    if not heldout:
        raise SplitError(
            f"finetune.fraction={fraction:g} in {mode} mode fine-tunes all {len(ids)} biases and "
            "holds out none: nothing would measure generalization (lower the fraction or use split=paper)"
        )
    return BiasSplit(finetuned, heldout)
