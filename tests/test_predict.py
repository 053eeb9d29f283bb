"""Held-out prediction (sweeps/predict.py): a fit made without the largest size, checked against it; and the
size axes besides parameters (stage-1 tokens, the universe's number of biases) as log-scale fits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sweeps.analysis import Analysis, Trial, aggregate, fits, format_text
from sweeps.predict import holdout_largest, prediction_rows


def trials_along(axis_key: str | None, values: dict[str, float], law, seeds=3, noise=0.01, seed=0, mixes=(0.5,)):
    """Finished trials of one model per value (``axis_key`` None: the model's size is the axis, else the
    value sits in that axis of ``other``), ``law(size)`` their mean gain, ``noise`` their seed spread."""
    rng = np.random.default_rng(seed)
    out = []
    for label, v in values.items():
        for mix in mixes:
            for s in range(seeds):
                gain = (law(v) if mix > 0 else 0.0) + rng.normal(0, noise)
                other = () if axis_key is None else ((axis_key, label),)
                out.append(
                    Trial(
                        f"r{len(out)}",
                        f"{label}-{mix}-{s}",
                        "FINISHED",
                        {},
                        {
                            "heldout/gain": gain,
                            "heldout/gain_lo": gain - 0.02,
                            "heldout/gain_hi": gain + 0.02,
                            "params_total": v if axis_key is None else 1e6,
                        },
                        label if axis_key is None else "m",
                        mix,
                        0.75,
                        other,
                        str(s),
                    )
                )
    return out


def analysis(trials: list[Trial]) -> Analysis:
    coefs, too_few = fits(trials)
    return Analysis("t", "sqlite://", "p", len(trials), [], trials, aggregate(trials), coefs, too_few)


SIZES = {"xs": 1e5, "s": 3e5, "m": 1e6, "l": 3e6}


def test_a_law_that_holds_is_predicted_at_the_held_out_size():
    a = analysis(trials_along(None, SIZES, lambda n: 0.05 + 0.12 * math.log10(n), mixes=(0.0, 0.5)))
    preds, why = holdout_largest(a, "params")
    by = {p.group: p for p in preds}
    assert set(by) == {"mix 0, frac 0.75", "mix 0.5, frac 0.75"} and why == []
    p = by["mix 0.5, frac 0.75"]
    assert p.fit_sizes == [1e5, 3e5, 1e6] and p.held_size == 3e6 and p.n_fit == 9 and p.n_held == 3
    assert p.slope.lo <= 0.12 <= p.slope.hi
    truth = 0.05 + 0.12 * math.log10(3e6)
    assert abs(p.predicted.mean - truth) < 0.03 and abs(p.measured.mean - truth) < 0.03
    assert p.predicted.hi - p.predicted.lo < 0.1  # 9 points, noise 0.01: a narrow interval
    row = prediction_rows([p])[0]
    assert row["held_size"] == 3e6 and row["fit_sizes"] == "100000 300000 1e+06" and row["inside"] == p.inside


def test_the_prediction_interval_covers_as_often_as_it_says():
    """Over many draws of a law that holds, the measured mean falls inside the 95% prediction interval about
    95% of the time: narrower (forgetting the seeds' spread, or the fit's) would cover far less."""
    inside = [
        holdout_largest(analysis(trials_along(None, SIZES, lambda n: 0.12 * math.log10(n), seed=k)), "params")[0][
            0
        ].inside
        for k in range(200)
    ]
    assert 0.9 <= np.mean(inside) <= 0.99, np.mean(inside)


def test_a_law_that_saturates_is_caught():
    """Gain rising by 0.2 per decade up to 1M parameters, then flat: the line fitted below overshoots."""
    a = analysis(trials_along(None, SIZES, lambda n: min(0.4, 0.2 * math.log10(n) - 0.8)))
    (p,), _ = holdout_largest(a, "params")
    assert p.predicted.lo > 0.45 and abs(p.measured.mean - 0.4) < 0.02 and not p.inside
    assert "OUTSIDE" in format_text(a := _with(a, "params"))
    assert "held-out prediction" in format_text(a) and "passes 1" not in format_text(a)


def test_a_line_that_passes_a_gain_of_1_says_so():
    """0.6 per decade from 0.2 at 100k: the line reaches 1.09 at 3M, a gain no rate allows; the gain measured
    there is 0.9, so the verdict is OUTSIDE and why."""
    a = _with(analysis(trials_along(None, SIZES, lambda n: min(0.9, 0.2 + 0.6 * math.log10(n / 1e5)))), "params")
    (p,) = a.predictions
    assert p.predicted.mean > 1 and p.past_the_ceiling and not p.inside
    assert "OUTSIDE; the line passes 1, the largest possible gain" in format_text(a)
    assert prediction_rows([p])[0]["inside"] == p.inside


def _with(a: Analysis, axis: str) -> Analysis:
    a.holdout = axis
    a.predictions, a.prediction_notes = holdout_largest(a, axis)
    return a


@pytest.mark.parametrize(
    "key, short, values",
    [
        ("data.tokens", "tokens", {"500000": 5e5, "1000000": 1e6, "2000000": 2e6, "4000000": 4e6}),
        ("data.biases", "universe", {"paper": 52, "synthetic:100": 100, "synthetic:200@3": 200, "synthetic:400": 400}),
    ],
)
def test_tokens_and_universe_size_are_log_scale_axes(key, short, values):
    """Stage-1 tokens and the universe's size fit like parameters: per model on log10, and predictable."""
    a = analysis(trials_along(key, values, lambda v: 0.1 + 0.15 * math.log10(v)))
    slope = next(f for f in a.fits if f.fit == f"gain ~ log10({short})" and f.term == f"log10({short})")
    assert slope.group == "model m" and slope.lo <= 0.15 <= slope.hi
    (p,), why = holdout_largest(a, short)
    assert why == [] and p.held_size == max(values.values()) and p.inside
    assert p.group == "m, mix 0.5, frac 0.75"


def test_too_few_sizes_is_said_not_guessed():
    a = analysis(trials_along(None, {"s": 1e5, "l": 1e7}, lambda n: 0.1 * math.log10(n)))
    preds, why = holdout_largest(a, "params")
    assert preds == [] and why == [
        "held-out params (mix 0.5, frac 0.75): 1 smaller size(s) with 3 trial(s) below the largest (10M); "
        "a prediction needs at least 2 sizes and 3 trials"
    ]
    one = analysis(trials_along(None, {"l": 1e7}, lambda n: 0.5))
    assert holdout_largest(one, "params") == (
        [],
        ["held-out params (mix 0.5, frac 0.75): one params value only (10M), nothing to predict from"],
    )
    with pytest.raises(ValueError, match="axis 'depth'"):
        holdout_largest(a, "depth")


def test_a_varied_size_gets_its_figure(tmp_path):
    from sweeps.plots import draw_all

    values = {"500000": 5e5, "1000000": 1e6, "2000000": 2e6}
    a = analysis(trials_along("data.tokens", values, lambda v: 0.1 * math.log10(v)))
    names = [p.name for p in draw_all(a, tmp_path)]
    assert "gain_vs_tokens.png" in names and "gain_vs_universe.png" not in names
    assert (tmp_path / "gain_vs_tokens.png").stat().st_size > 10_000
    a = analysis(trials_along(None, SIZES, lambda n: 0.1 * math.log10(n)))
    (tmp_path / "params").mkdir()
    assert not any(p.name.startswith("gain_vs_tokens") for p in draw_all(a, tmp_path / "params"))


def test_within_one_model_the_parameter_count_is_no_covariate():
    """A larger universe grows the vocabulary and so the parameter count a little: within one model that
    count moves with the universe, and as a covariate it would make the tokens fit collinear (no fit at all)."""
    values = {"1250000": 1.25e6, "2500000": 2.5e6, "5000000": 5e6}
    trials = trials_along("data.tokens", values, lambda v: 0.2 * math.log10(v) - 0.8)
    trials = [
        Trial(
            t.run_id,
            t.name,
            t.status,
            t.params,
            t.metrics,
            t.model,
            t.mix,
            t.fraction,
            (("data.biases", "synthetic:60"), *t.other),
            t.seed,
        )  # fmt: skip
        for t in trials
    ]
    big = trials_along("data.tokens", {"5000000": 5e6}, lambda v: 0.75, seed=3)
    for t in big:  # the 200-bias cell: a larger vocabulary
        trials.append(
            Trial(
                f"u{t.run_id}",
                f"u{t.name}",
                t.status,
                t.params,
                t.metrics | {"params_total": 1.02e6},
                t.model,
                t.mix,
                t.fraction,
                (("data.biases", "synthetic:200"), *t.other),
                t.seed,
            )  # fmt: skip
        )
    a = analysis(trials)
    slope = next((f for f in a.fits if f.fit == "gain ~ log10(tokens)" and f.term == "log10(tokens)"), None)
    assert slope is not None and slope.lo <= 0.2 <= slope.hi, a.too_few


def test_one_models_regression_is_listed_in_full_once():
    """Per model, gain ~ mix and gain ~ log10(tokens) are one regression over the same trials: the first lists
    every coefficient, the second only its own (the same number), so no row repeats."""
    values = {"1000000": 1e6, "2000000": 2e6, "4000000": 4e6}
    a = analysis(trials_along("data.tokens", values, lambda v: 0.1 * math.log10(v) - 0.3, mixes=(0.0, 0.5)))
    rows = [(f.fit, f.term) for f in a.fits if f.group == "model m"]
    assert rows == [
        ("gain ~ mix", "mix"),
        ("gain ~ mix", "log10(tokens)"),
        ("gain ~ log10(tokens)", "log10(tokens)"),
    ]
    by = {(f.fit, f.term): f.estimate for f in a.fits if f.group == "model m"}
    assert by[("gain ~ mix", "log10(tokens)")] == pytest.approx(by[("gain ~ log10(tokens)", "log10(tokens)")])
