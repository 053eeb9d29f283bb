"""Exploitation rates and their 95% intervals.

A bias's rate is the share of its evaluation responses that exhibit it (Wilson interval).  A group's
rate (held-out, trained) is the mean of its biases' rates.  Its interval is the Jeffreys posterior
Beta(k + 1/2, n - k + 1/2) of the group's *pooled* counts, each bias weighted equally (its counts scaled
to the mean number of prompts), so the centre is the group rate itself.  Why pooled: a prior per bias
(the earlier design) adds one pseudo-answer per bias and, with 4 prompts a bias, pulls a 30-bias group
rate of 0.075 to a posterior of about 0.16; one prior for the group does not grow with the number of
biases.  Treating the group's prompts as one binomial sample is conservative for a fixed set of biases
(stratification only lowers the variance) and, unlike a bootstrap, never collapses to a point when every
answer agrees (0/4 or 4/4), the common case with few prompts.  A gain is *paired*: each prompt is scored
before and after fine-tuning, the pooled counts of the four outcomes (0->0, 0->1, 1->0, 1->1) get a
Dirichlet posterior and the gain is P(0->1) - P(1->0), so prompt difficulty cancels.  Intervals are
equal-tailed and always contain the observed value.  Draws are seeded: same verdicts, same interval.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

Z95 = 1.959963984540054
DRAWS = 4000


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def _interval(point: float, draws: np.ndarray) -> tuple[float, float, float]:
    """Equal-tailed 95% interval, widened to contain the observed value (the usual boundary fix for
    Jeffreys intervals: 0 of n gives a lower end of 0, n of n an upper end of 1)."""
    lo, hi = float(np.percentile(draws, 2.5)), float(np.percentile(draws, 97.5))
    return point, min(lo, point), max(hi, point)


def _equal_weights(counts: list[np.ndarray], sizes: list[int]) -> np.ndarray:
    """Summed counts with every bias scaled to the mean number of prompts (equal weight per bias)."""
    mean_n = float(np.mean(sizes))
    return np.sum([c / n * mean_n for c, n in zip(counts, sizes)], axis=0)


def group_rate(verdicts: Mapping[str, Sequence[bool]], draws: int = DRAWS, seed: int = 0) -> tuple[float, float, float]:
    """(mean of per-bias rates, lo, hi)."""
    v = [np.asarray(x, dtype=float) for x in verdicts.values() if len(x)]
    if not v:
        return (float("nan"),) * 3
    hits, misses = _equal_weights([np.array([x.sum(), len(x) - x.sum()]) for x in v], [len(x) for x in v])
    samples = np.random.default_rng(seed).beta(hits + 0.5, misses + 0.5, size=draws)
    return _interval(float(np.mean([x.mean() for x in v])), samples)


def paired_gain(
    after: Mapping[str, Sequence[bool]], before: Mapping[str, Sequence[bool]], draws: int = DRAWS, seed: int = 0
) -> tuple[float, float, float]:
    """(mean rate after - mean rate before, lo, hi); verdict i of a bias is the same prompt in both."""
    keys = [k for k in after if len(after[k])]
    if not keys:
        return (float("nan"),) * 3
    points, cells = [], []
    for k in keys:
        a, b = np.asarray(after[k], dtype=bool), np.asarray(before[k], dtype=bool)
        if a.shape != b.shape:
            raise ValueError(f"bias {k}: {len(a)} verdicts after fine-tuning vs {len(b)} before")
        cells.append(np.array([np.sum(~b & ~a), np.sum(~b & a), np.sum(b & ~a), np.sum(b & a)], dtype=float))
        points.append(a.mean() - b.mean())
    pooled = _equal_weights(cells, [len(after[k]) for k in keys])
    p = np.random.default_rng(seed).dirichlet(pooled + 0.5, size=draws)
    return _interval(float(np.mean(points)), p[:, 1] - p[:, 2])


def with_interval(name: str, value: tuple[float, float, float]) -> dict[str, float]:
    return {name: value[0], f"{name}_lo": value[1], f"{name}_hi": value[2]}


def trial_metrics(
    after: Mapping[str, Sequence[bool]],
    before: Mapping[str, Sequence[bool]] | None,
    heldout: Sequence[str],
    finetuned: Sequence[str],
    seed: int = 0,
) -> dict[str, float]:
    """The metrics every trial reports, under their fixed names."""
    out: dict[str, float] = {}
    groups = {"heldout": list(heldout), "train": list(finetuned)}
    for group, ids in groups.items():
        sub_after = {i: after[i] for i in ids if i in after}
        out |= with_interval(f"{group}/rate", group_rate(sub_after, seed=seed))
        if before is not None:
            sub_before = {i: before[i] for i in ids if i in before}
            out |= with_interval(f"{group}/rate_before_ft", group_rate(sub_before, seed=seed))
            out |= with_interval(f"{group}/gain", paired_gain(sub_after, sub_before, seed=seed))
    for bias_id, v in after.items():
        k, n = int(sum(v)), len(v)
        lo, hi = wilson(k, n)
        out |= {
            f"bias/{bias_id}/rate": k / n if n else float("nan"),
            f"bias/{bias_id}/rate_lo": lo,
            f"bias/{bias_id}/rate_hi": hi,
        }
        if before is not None and bias_id in before:
            b = before[bias_id]
            out[f"bias/{bias_id}/rate_before_ft"] = sum(b) / len(b) if len(b) else float("nan")
    return out
