"""Rate and interval arithmetic: exact values on small cases, coverage on simulated ones."""

import numpy as np
import pytest

from trainer.metrics import group_rate, paired_gain, trial_metrics, wilson


def test_wilson_known_values():
    lo, hi = wilson(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    assert wilson(0, 20)[0] == 0.0 and wilson(20, 20)[1] == 1.0


def test_group_rate_is_mean_of_bias_rates_not_of_responses():
    rate, lo, hi = group_rate({"a": [1] * 10, "b": [0] * 90 + [1] * 10})
    assert rate == pytest.approx((1.0 + 0.1) / 2)
    assert lo < rate < hi
    # degenerate verdicts still give an interval of positive width that contains the observed value
    r, lo, hi = group_rate({"a": [0, 0, 0, 0]})
    assert r == 0.0 and lo == 0.0 and hi > 0.1


def test_paired_gain_uses_pairs():
    before = {"a": [0] * 50 + [1] * 50}
    flipped = {"a": [1] * 50 + [0] * 50}  # same rate, every prompt changed
    same = {"a": [0] * 50 + [1] * 50}
    g_same = paired_gain(same, before)
    g_flip = paired_gain(flipped, before)
    assert g_same[0] == g_flip[0] == 0.0
    assert (g_flip[2] - g_flip[1]) > 3 * (g_same[2] - g_same[1])  # unchanged pairs are strong evidence
    g = paired_gain({"a": [1] * 30 + [0] * 70}, {"a": [0] * 100})
    assert g[0] == pytest.approx(0.3) and g[1] > 0.15
    with pytest.raises(ValueError, match="verdicts"):
        paired_gain({"a": [1, 0]}, {"a": [1]})


def test_many_biases_few_prompts_interval_is_centred_on_the_rate():
    """30 biases x 4 prompts, 9 hits: a prior per bias would centre the interval near 0.16 (every bias
    pulled toward 1/2); one pooled prior keeps it around the observed 0.075."""
    after = {f"b{i}": [1, 1, 1, 0] if i < 3 else [0, 0, 0, 0] for i in range(30)}
    rate, lo, hi = group_rate(after)
    assert rate == pytest.approx(0.075) and 0.02 < lo < 0.06 and 0.10 < hi < 0.15
    before = {k: [0, 0, 0, 0] for k in after}
    gain, glo, ghi = paired_gain(after, before)  # 9 prompts 0->1, none back: clear evidence of a gain
    assert gain == pytest.approx(0.075) and 0.02 < glo < 0.06 and 0.10 < ghi < 0.15
    _, zlo, zhi = group_rate(before)
    assert zlo == 0.0 and 0.005 < zhi < 0.04  # 0 of 120: positive width, near the pooled Jeffreys bound
    _, dlo, dhi = paired_gain(before, before)
    assert dlo < 0 < dhi and dhi - dlo < 0.06


def coverage(rng: np.random.Generator, true: np.ndarray, prompts: int, trials: int = 200) -> float:
    """Share of simulated groups (``prompts`` verdicts per bias at rates ``true``) whose interval holds the mean."""
    covered = 0
    for trial in range(trials):
        verdicts = {str(i): list(rng.random(prompts) < p) for i, p in enumerate(true)}
        _, lo, hi = group_rate(verdicts, seed=trial)
        covered += lo <= true.mean() <= hi
    return covered / trials


def test_interval_coverage_on_simulated_groups():
    rng = np.random.default_rng(0)
    assert 0.90 <= coverage(rng, np.array([0.05, 0.2, 0.5, 0.8, 0.35]), prompts=40) <= 0.995
    # the held-out regime: many biases, 4 prompts each, most rates near 0
    assert 0.90 <= coverage(rng, np.where(np.arange(30) < 5, 0.6, 0.02), prompts=4) <= 0.999


def test_trial_metrics_names_and_groups():
    after = {"h1": [1, 1, 0, 0], "h2": [0, 0, 0, 0], "t1": [1, 1, 1, 1]}
    before = {"h1": [0, 0, 0, 0], "h2": [0, 0, 0, 0], "t1": [0, 1, 0, 0]}
    m = trial_metrics(after, before, heldout=["h1", "h2"], finetuned=["t1"])
    assert m["heldout/rate"] == pytest.approx(0.25) and m["heldout/rate_before_ft"] == 0.0
    assert m["heldout/gain"] == pytest.approx(0.25) and m["train/gain"] == pytest.approx(0.75)
    for name in ("heldout/rate", "heldout/rate_before_ft", "heldout/gain", "train/rate", "train/rate_before_ft"):
        assert m[f"{name}_lo"] <= m[name] <= m[f"{name}_hi"]
    assert m["bias/h1/rate"] == 0.5 and m["bias/t1/rate_before_ft"] == 0.25
    assert (m["bias/h1/rate_lo"], m["bias/h1/rate_hi"]) == pytest.approx(wilson(2, 4))
