"""Does a scaling fit predict?  Hold out the largest value of a size axis, fit held-out gain against log10 of
the size on the smaller values, and compare the fit's prediction at the held-out value with what was measured.

A fit that only describes the sizes it saw proves little; one whose prediction of the next size holds earns
its name.  Per group of conditions that differ only in the axis (every other axis fixed), on trial-level
points (one per finished trial, as :func:`sweeps.analysis.fits`):

- fit ``gain = a + b * log10(size)`` by least squares on the trials of every value below the largest (at
  least two values, and more trials than coefficients);
- predict the *mean of the held-out condition's m trials* at the largest size: ``ŷ ± t * s * sqrt(h + 1/m)``
  (``h``: the leverage of the new point, ``s``: the residual standard deviation, t with n - 2 degrees of
  freedom), a 95% prediction interval that counts the fit's own uncertainty and the seeds' spread;
- measured: that condition's mean gain with its two-level bootstrap interval (:mod:`sweeps.analysis`);
  *inside* when the measured mean falls in the predicted interval.

Held-out gain is a difference of two rates, so it lies in [-1, 1]; a straight line in log size does not
know that, and a prediction past 1 says the trend must bend (saturate) before the held-out size.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .analysis import (
    SCALE_AXES,
    Analysis,
    Condition,
    Estimate,
    Trial,
    axes_text,
    least_squares,
    scale_value,
    size_text,
)

AXES = {"params": "model.size", **{short: key for key, short in SCALE_AXES.items()}}  # name -> the axis it is


@dataclass
class Prediction:
    axis: str  # "params", "tokens" or "universe"
    group: str  # the conditions' other axes, e.g. "mix 0.5, frac 0.75"
    fit_sizes: list[float]  # the sizes fitted on, ascending
    held_size: float  # the largest size, held out
    n_fit: int  # trials fitted on
    slope: Estimate  # gain per decade of the size, 95% t interval
    predicted: Estimate  # the mean of the held-out trials, as the fit predicts it (95% prediction interval)
    measured: Estimate  # the held-out condition's mean gain (its bootstrap interval)
    n_held: int  # finished trials at the held-out size

    @property
    def inside(self) -> bool:
        return self.predicted.lo <= self.measured.mean <= self.predicted.hi

    @property
    def past_the_ceiling(self) -> bool:
        """The line predicts a gain above 1, more than any rate allows: the trend must bend before here."""
        return self.predicted.mean > 1

    @property
    def verdict(self) -> str:
        """``inside`` or ``OUTSIDE``, and whether the line has passed a gain of 1."""
        return ("inside" if self.inside else "OUTSIDE") + (
            "; the line passes 1, the largest possible gain" if self.past_the_ceiling else ""
        )


def size(t: Trial, axis: str) -> float:
    """The trial's value of ``axis``: its parameter count, stage-1 tokens or number of biases; nan if unknown."""
    if axis == "params":
        return float(t.metrics.get("params_total", math.nan))
    key = AXES[axis]
    value = dict(t.other).get(key, t.params.get(key))
    return scale_value(key, value) if value is not None else math.nan


def _group(t: Trial, axis: str) -> tuple:
    """The trial's condition without the axis (what must be equal for a fit along it)."""
    if axis == "params":
        return (t.mix, t.fraction, t.other)
    key = AXES[axis]
    return (t.model, t.mix, t.fraction, tuple((k, v) for k, v in t.other if k != key))


def _label(group: tuple, axis: str) -> str:
    if axis == "params":
        mix, frac, other = group
        head = f"mix {mix:g}, frac {frac:g}"
    else:
        model, mix, frac, other = group
        head = f"{model}, mix {mix:g}, frac {frac:g}"
    return head + axes_text(other)


def holdout_largest(a: Analysis, axis: str) -> tuple[list[Prediction], list[str]]:
    """The predictions for every group of ``a``'s conditions along ``axis`` (module doc), and why each group
    that gave none could not."""
    if axis not in AXES:
        raise ValueError(f"axis {axis!r}: expected one of {', '.join(AXES)}")
    conditions = {(c.model, c.mix, c.fraction, c.other): c for c in a.conditions}
    groups: dict[tuple, list[tuple[float, Trial]]] = defaultdict(list)
    for t in a.trials:
        x = size(t, axis)
        if t.finished and x > 0:
            groups[_group(t, axis)].append((x, t))
    out, why = [], []
    if not groups:
        why.append(f"held-out {axis}: no finished trial with a known {axis}")
    for group, points in sorted(groups.items(), key=lambda g: str(g[0])):
        label = _label(group, axis)
        held = max(x for x, _ in points)
        fit = [(x, t) for x, t in points if x < held]
        held_trials = [t for x, t in points if x == held]
        sizes = sorted({x for x, _ in fit})
        if not fit:  # a group the sweep holds at one size (the control, a larger universe): say so briefly
            why.append(f"held-out {axis} ({label}): one {axis} value only ({size_text(held)}), nothing to predict from")
            continue
        if len(sizes) < 2 or len(fit) < 3:
            why.append(
                f"held-out {axis} ({label}): {len(sizes)} smaller size(s) with {len(fit)} trial(s) below the "
                f"largest ({size_text(held)}); a prediction needs at least 2 sizes and 3 trials"
            )
            continue
        conds = {(t.model, t.mix, t.fraction, t.other) for t in held_trials}
        measured = [conditions[k] for k in conds if k in conditions and conditions[k].gain is not None]
        if len(measured) != 1:  # the held-out size is one condition of the group (sizes of one model coincide)
            why.append(f"held-out {axis} ({label}): the largest size is not one condition with a measured gain")
            continue
        held_cond: Condition = measured[0]
        x = np.log10([p for p, _ in fit])
        X = np.column_stack([np.ones_like(x), x])
        beta, s2, inv, t95 = least_squares(X, [t.metrics["heldout/gain"] for _, t in fit])
        x0 = np.array([1.0, math.log10(held)])
        mean = float(x0 @ beta)
        half = t95 * math.sqrt(s2 * (float(x0 @ inv @ x0) + 1.0 / len(held_cond.finished)))
        slope_half = t95 * math.sqrt(s2 * inv[1, 1])
        out.append(
            Prediction(
                axis,
                label,
                sizes,
                held,
                len(fit),
                Estimate(float(beta[1]), float(beta[1]) - slope_half, float(beta[1]) + slope_half),
                Estimate(mean, mean - half, mean + half),
                held_cond.gain,
                len(held_cond.finished),
            )
        )
    return out, why


def prediction_rows(preds: list[Prediction]) -> list[dict]:
    r = lambda v: round(float(v), 5)  # noqa: E731
    return [
        {
            "axis": p.axis,
            "group": p.group,
            "fit_sizes": " ".join(f"{v:g}" for v in p.fit_sizes),
            "held_size": p.held_size,
            "n_fit": p.n_fit,
            "slope_per_decade": r(p.slope.mean),
            "slope_lo": r(p.slope.lo),
            "slope_hi": r(p.slope.hi),
            "predicted": r(p.predicted.mean),
            "predicted_lo": r(p.predicted.lo),
            "predicted_hi": r(p.predicted.hi),
            "measured": r(p.measured.mean),
            "measured_lo": r(p.measured.lo),
            "measured_hi": r(p.measured.hi),
            "n_held": p.n_held,
            "inside": p.inside,
        }
        for p in preds
    ]


def predictions_text(a: Analysis) -> str:
    """The held-out prediction's lines of ``analysis.txt`` ("" unless ``a`` was analysed with a holdout axis)."""
    if not a.holdout:
        return ""
    lines = [
        "",
        "",
        f"held-out prediction (gain ~ log10({a.holdout}) fitted without the largest {a.holdout}, predicted there; "
        "95% prediction interval for the mean of its seeds):",
    ]
    for p in a.predictions:
        fitted = ", ".join(size_text(v) for v in p.fit_sizes)
        lines.append(
            f"  {p.group:<36} fit on {fitted} (n={p.n_fit}), slope {p.slope.fmt(True)}/decade; "
            f"at {size_text(p.held_size)}: predicted {p.predicted.fmt(True)}, measured {p.measured.fmt(True)} "
            f"(n={p.n_held}): {p.verdict}"
        )
    lines += [f"  {w}" for w in a.prediction_notes]
    return "\n".join(lines)
