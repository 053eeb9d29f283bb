"""The scaling analysis of one sweep: read its trials from MLflow, aggregate over seeds, fit trends.

Numbers only (no plotting): :mod:`sweeps.plots` draws them and :mod:`sweeps.report` writes the HTML page.

Aggregation. A condition is one point of the sweep's grid without the seed. Its mean held-out gain gets a
95% interval from a two-level bootstrap: the condition's seeds are resampled with replacement, and each
drawn trial contributes a draw from its own 95% interval (read as a normal), so the interval reflects both
seed-to-seed spread and each trial's finite number of eval prompts. With one seed it is that trial's interval.

Fits. Ordinary least squares on trial-level points (one per finished trial) with t-based 95% intervals:
gain against log10(parameters) per mix, against mix per model and against fraction per model, against log10
of each other size the sweep varies (``SCALE_AXES``: stage-1 tokens, the universe's number of biases) per
model, each with the other varying axes as covariates (a size on a log10 scale, another numeric axis
linearly, a categorical one such as ``finetune.method`` as a 0/1 column per level but the first; in a
per-model fit not the parameter count, which moves there only with the vocabulary), plus one
joint fit over everything. ``sweeps.predict`` checks whether such a fit extrapolates. A fit with no more points than
coefficients (or a single value of its x) is not made: it is reported as too few points. Nor is one whose
columns are collinear (one-factor variants, whose keys move together): least squares would split the
effect between them arbitrarily.

Pooling. Several sweeps that differ only in their seeds (the same study run once per seed, e.g. on different
nodes or days) are analysed as one: their trials join the same conditions, and a pool whose trials differ in
anything else, or repeat a seed, is refused with the key and the two values.
(scipy, for the t quantiles of the fits, is imported on use: reading a store needs none of it.)
"""

from __future__ import annotations

import csv
import math
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from trainer import keys, tracking
from trainer.config import TrialConfig, flatten
from trainer.errors import UserError

BOOTSTRAP_DRAWS = 4000
Z95 = 1.959963984540054
CORE_AXES = ("model.size", "model.pretrained", "data.mix", "finetune.fraction")
DERIVED_FROM_SEED = ("data.hash",)  # a trial parameter that is no config key: the data's content hash
# axes that are sizes, fitted on a log10 scale like the model's parameters, by the short name fits use
SCALE_AXES = {"data.tokens": "tokens", "data.biases": "universe"}


def scale_value(key: str, value: str) -> float:
    """The size an axis value stands for: ``data.tokens`` as it is, ``data.biases`` as its universe's number of
    biases (``paper``: 52; ``synthetic:N[@SEED]``: N); nan where the value is no size."""
    if key == "data.biases":
        from trainer.biases import UniverseError, parse_spec, universe

        try:
            spec = parse_spec(value)
        except UniverseError:
            return math.nan
        return float(spec.n) if spec.synthetic else float(len(universe(value)))
    return _float(value)


def is_condition(key: str) -> bool:
    """Whether trials that differ in parameter ``key`` belong to different conditions.  The config's registry
    (``trainer.keys``) says which keys only replicate (the seed) or place a trial (where it ran, where its
    results went): those are never axes, and may differ between pooled sweeps."""
    return key not in DERIVED_FROM_SEED and keys.is_condition(TrialConfig, key)


def size_text(v: float) -> str:
    """A size as it reads: 2.5M, 200, 1.19M."""
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:.3g}{unit}"
    return f"{v:g}"


def axes_text(other: tuple[tuple[str, str], ...], sep: str = ", ") -> str:
    """A condition's further axes as labels show them: ``, tokens=5M, biases=synthetic:60`` (a size given as a
    number, compactly; the CSV files keep the exact value)."""

    def value(k: str, v: str) -> str:
        return size_text(_float(v)) if k in SCALE_AXES and not math.isnan(_float(v)) else v

    return "".join(f"{sep}{k.split('.')[-1]}={value(k, v)}" for k, v in other)


class AnalysisError(UserError):
    """The store holds nothing to analyse as asked (no experiment, no sweep): one line, exit status 2."""


@dataclass
class Trial:
    run_id: str
    name: str
    status: str
    params: dict[str, str]
    metrics: dict[str, float]
    model: str  # the checkpoint name when model.pretrained is set, else the ladder size
    mix: float
    fraction: float
    other: tuple[tuple[str, str], ...]  # further sweep axes (e.g. data.diversity) and their values
    seed: str
    error: str = ""  # the run's error tag (why it failed)
    per_bias: list[dict] = field(default_factory=list)

    @property
    def condition(self) -> tuple:
        return (self.model, self.mix, self.fraction, self.other)

    @property
    def finished(self) -> bool:
        return self.status == "FINISHED" and "heldout/gain" in self.metrics


@dataclass
class Estimate:
    mean: float
    lo: float
    hi: float

    def fmt(self, signed: bool = False) -> str:
        f = "{:+.3f}" if signed else "{:.3f}"
        return f"{f.format(self.mean)} [{f.format(self.lo)}, {f.format(self.hi)}]"


@dataclass
class Condition:
    model: str
    mix: float
    fraction: float
    other: tuple[tuple[str, str], ...]
    params: float  # parameter count of the model (mean over its finished trials; nan if none finished)
    finished: list[Trial]
    unfinished: list[Trial]
    gain: Estimate | None = None
    heldout_rate: Estimate | None = None
    heldout_before: Estimate | None = None
    train_rate: Estimate | None = None
    knowledge: Estimate | None = None
    vs_control: Estimate | None = None  # gain minus the mix-0 condition's gain at the same model/fraction/other
    incontext_rm: Estimate | None = None  # in context (eval.in_context): rate under reward-model statements
    incontext_control: Estimate | None = None  # ... under the same statements attributed to a survey of users
    incontext_gap: Estimate | None = None  # their paired difference

    @property
    def label(self) -> str:
        extra = axes_text(self.other)
        return f"{self.model}, mix {self.mix:g}, frac {self.fraction:g}{extra}"


@dataclass
class Coef:
    fit: str  # e.g. "gain ~ log10(params)"
    group: str  # e.g. "mix 0.5"
    term: str
    estimate: float
    lo: float
    hi: float
    n: int
    note: str = ""


@dataclass
class Analysis:
    experiment: str
    tracking_uri: str
    parent_run_id: str
    points_planned: int
    axes: list[str]
    trials: list[Trial]
    conditions: list[Condition]
    fits: list[Coef]
    too_few: list[str]  # fits that could not be made, and why
    holdout: str | None = None  # the size axis whose largest value the fits predict (analyze(holdout=AXIS))
    predictions: list = field(default_factory=list)  # sweeps.predict.Prediction, one per group along it
    prediction_notes: list[str] = field(default_factory=list)  # groups that gave no prediction, and why

    @property
    def unfinished(self) -> list[Trial]:
        return [t for t in self.trials if not t.finished]


# -- reading the store --------------------------------------------------------------------------------------


def _float(v, default: float = math.nan) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def _per_bias(c, run_id: str) -> list[dict]:
    try:
        with tempfile.TemporaryDirectory() as d:
            path = c.download_artifacts(run_id, "per_bias.csv", d)
            with open(path, newline="") as f:
                return list(csv.DictReader(f))
    except Exception:  # a run that died before logging it: it has no per-bias rates
        return []


def load(uri: str, experiment: str, with_per_bias: bool = True) -> tuple[str, int, list[str], list[Trial]]:
    """The sweep's parent run id, its planned point count, its axes and its trial runs (any status)."""
    c = tracking.client(uri)
    exp = c.get_experiment_by_name(experiment)
    if exp is None:
        names = sorted(e.name for e in c.search_experiments())
        raise AnalysisError(f"no experiment named {experiment!r} at {uri}; it has: {', '.join(names) or 'none'}")
    parent = tracking.find_run(uri, exp.experiment_id, {"biasgen.role": "sweep"})
    if parent is None:
        raise AnalysisError(
            f"experiment {experiment!r} at {uri} has no sweep (no run tagged biasgen.role=sweep); "
            "`launch.py analyze` reads what `launch.py sweep` records"
        )
    runs = c.search_runs(
        [exp.experiment_id],
        filter_string=f"tags.`mlflow.parentRunId` = '{parent.info.run_id}' and tags.`biasgen.role` = 'trial'",
        max_results=50000,
    )
    axes = [a for a in parent.data.params.get("sweep.axes", "").split(",") if a]
    other_axes = [a for a in axes if a not in CORE_AXES and is_condition(a)]
    trials = []
    for r in runs:
        p = r.data.params
        pretrained = p.get("model.pretrained", "")
        model = pretrained if pretrained not in ("", "None") else p.get("model.size", "?")
        t = Trial(
            r.info.run_id,
            r.info.run_name or r.info.run_id,
            r.info.status,
            dict(p),
            dict(r.data.metrics),
            model,
            _float(p.get("data.mix")),
            _float(p.get("finetune.fraction")),
            tuple((a, p.get(a, "")) for a in other_axes),
            p.get("seed", ""),
            r.data.tags.get("error", ""),
        )
        if with_per_bias and t.finished:
            t.per_bias = _per_bias(c, t.run_id)
        trials.append(t)
    trials.sort(key=lambda t: (t.condition, t.seed, t.name))
    planned = int(_float(parent.data.params.get("sweep.points"), len(trials)))
    return parent.info.run_id, planned, axes, trials


# -- aggregation ---------------------------------------------------------------------------------------------


def seed_bootstrap(
    points: list[tuple[float, float, float]],
    rng: np.random.Generator,
    draws: int = BOOTSTRAP_DRAWS,
    bounds: tuple[float, float] = (-1.0, 1.0),
) -> Estimate | None:
    """Mean of per-trial (value, lo, hi) with a two-level bootstrap interval (module docstring), kept within
    ``bounds`` (a rate cannot leave [0, 1], a gain [-1, 1], whatever the normal reading of an interval says)."""
    pts = [(v, lo, hi) for v, lo, hi in points if not math.isnan(v)]
    if not pts:
        return None
    v = np.array([p[0] for p in pts])
    sims = _bootstrap_means(v, [(p[1], p[2]) for p in pts], rng, draws, bounds)
    lo, hi = np.percentile(sims, [2.5, 97.5])
    mean = float(v.mean())
    return Estimate(mean, min(float(lo), mean), max(float(hi), mean))


def _estimate(trials: list[Trial], name: str, rng: np.random.Generator) -> Estimate | None:
    m = [t.metrics for t in trials if name in t.metrics]
    bounds = (-1.0, 1.0) if name.endswith(("gain", "gap")) else (0.0, 1.0)
    return seed_bootstrap(
        [(x[name], x.get(f"{name}_lo", math.nan), x.get(f"{name}_hi", math.nan)) for x in m], rng, bounds=bounds
    )


def aggregate(trials: list[Trial], seed: int = 0) -> list[Condition]:
    rng = np.random.default_rng(seed)
    groups: dict[tuple, list[Trial]] = defaultdict(list)
    for t in trials:
        groups[t.condition].append(t)
    out = []
    for key in groups:
        ts = groups[key]
        fin = [t for t in ts if t.finished]
        sizes = [t.metrics["params_total"] for t in fin if "params_total" in t.metrics]
        cond = Condition(
            *key,
            params=float(np.mean(sizes)) if sizes else math.nan,
            finished=fin,
            unfinished=[t for t in ts if not t.finished],
        )
        cond.gain = _estimate(fin, "heldout/gain", rng)
        cond.heldout_rate = _estimate(fin, "heldout/rate", rng)
        cond.heldout_before = _estimate(fin, "heldout/rate_before_ft", rng)
        cond.train_rate = _estimate(fin, "train/rate", rng)
        cond.knowledge = _estimate(fin, "knowledge/acc", rng)
        out.append(cond)
    size = {c.model: c.params for c in out if not math.isnan(c.params)}  # smallest model first
    out.sort(key=lambda c: (size.get(c.model, math.inf), c.model, c.mix, c.fraction, c.other))
    # Against the no-document control of the same model, fraction and other axes (resampled independently).
    controls = {(c.model, c.fraction, c.other): c for c in out if keys.is_control(c.mix)}
    for c in out:
        ctrl = controls.get((c.model, c.fraction, c.other))
        if keys.is_control(c.mix) or ctrl is None or not c.finished or not ctrl.finished:
            continue
        a = _draws(c.finished, rng)
        b = _draws(ctrl.finished, rng)
        diff = a - b
        mean = c.gain.mean - ctrl.gain.mean
        lo, hi = np.percentile(diff, [2.5, 97.5])
        c.vs_control = Estimate(mean, min(float(lo), mean), max(float(hi), mean))
    for c in out:  # after every other draw: a sweep without in-context metrics draws exactly as before
        c.incontext_rm = _estimate(c.finished, "incontext/rm_rate", rng)
        c.incontext_control = _estimate(c.finished, "incontext/control_rate", rng)
        c.incontext_gap = _estimate(c.finished, "incontext/gap", rng)
    return out


def has_incontext(a: Analysis) -> bool:
    """Whether any condition was evaluated in context (its columns and figure appear only then)."""
    return any(c.incontext_gap for c in a.conditions)


def _draws(trials: list[Trial], rng: np.random.Generator, draws: int = BOOTSTRAP_DRAWS) -> np.ndarray:
    """Bootstrap means of the trials' held-out gains (unclipped), for differences between conditions."""
    v = np.array([t.metrics["heldout/gain"] for t in trials])
    ends = [
        (t.metrics.get("heldout/gain_lo", v[i]), t.metrics.get("heldout/gain_hi", v[i])) for i, t in enumerate(trials)
    ]
    return _bootstrap_means(v, ends, rng, draws, None)


def _bootstrap_means(
    v: np.ndarray,
    ends: list[tuple[float, float]],
    rng: np.random.Generator,
    draws: int,
    bounds: tuple[float, float] | None,
) -> np.ndarray:
    """Two-level bootstrap: trials resampled with replacement, each drawn from a normal read off its 95%
    interval (``ends``; a missing end counts as no spread), optionally clipped to ``bounds``; one mean a draw."""
    sd = np.array(
        [max(0.0, (hi - lo) / (2 * Z95)) if not (math.isnan(lo) or math.isnan(hi)) else 0.0 for lo, hi in ends]
    )
    idx = rng.integers(0, len(v), size=(draws, len(v)))
    sims = v[idx] + rng.standard_normal(idx.shape) * sd[idx]
    return (np.clip(sims, *bounds) if bounds else sims).mean(axis=1)


# -- fits ----------------------------------------------------------------------------------------------------


def least_squares(X: np.ndarray, y) -> tuple[np.ndarray, float, np.ndarray, float]:
    """Least squares of ``y`` on the full-rank design ``X``: the coefficients, the residual variance, (XᵀX)⁻¹
    and the 97.5% t quantile on n - p degrees of freedom (what intervals for coefficients and predictions
    are made of)."""
    from scipy import stats

    yv = np.asarray(y, float)
    beta, *_ = np.linalg.lstsq(X, yv, rcond=None)
    resid = yv - X @ beta
    dof = len(yv) - X.shape[1]
    return beta, float(resid @ resid) / dof, np.linalg.pinv(X.T @ X), float(stats.t.ppf(0.975, dof))


def ols(columns: dict[str, list[float]], y: list[float]) -> tuple[list[Coef], str]:
    """OLS of y on an intercept and ``columns`` (constant columns dropped) with t-based 95% intervals.
    Returns (coefficients with fit/group left blank, "" or why no fit was made)."""
    n = len(y)
    cols = {k: np.asarray(v, float) for k, v in columns.items() if len(set(v)) > 1}
    first = next(iter(columns))
    if first not in cols:
        return [], f"too few points for a fit: {n} point(s) with a single value of {first}"
    p = 1 + len(cols)
    if n <= p:
        return [], f"too few points for a fit: {n} point(s) for {p} coefficients (need at least {p + 1})"
    X = np.column_stack([np.ones(n), *cols.values()])
    rank = int(np.linalg.matrix_rank(X))
    if rank < p:  # e.g. one-factor variants: each varied key moves with the others, or the tokenizer with params
        return [], (
            f"no fit: {', '.join(cols)} vary together (rank {rank} of {p} with the intercept), "
            "so their effects cannot be told apart; compare the conditions instead"
        )
    beta, s2, inv, t = least_squares(X, y)
    cov = s2 * inv
    out = []
    for i, term in enumerate(["intercept", *cols]):
        se = math.sqrt(max(cov[i, i], 0.0))
        out.append(Coef("", "", term, float(beta[i]), float(beta[i] - t * se), float(beta[i] + t * se), n))
    return out, ""


def fits(trials: list[Trial]) -> tuple[list[Coef], list[str]]:
    """The fits named in the module docstring, over finished trials with a parameter count."""
    fin = [t for t in trials if t.finished and "params_total" in t.metrics]
    coefs: list[Coef] = []
    too_few: list[str] = []
    other_names = [k for k, _ in fin[0].other] if fin else []

    def covariates(ts: list[Trial]) -> dict[str, list[float]]:
        cov = {
            "log10(params)": [math.log10(t.metrics["params_total"]) for t in ts],
            "mix": [t.mix for t in ts],
            "fraction": [t.fraction for t in ts],
        }
        for i, name in enumerate(other_names):
            if name in SCALE_AXES:  # a size: on a log10 scale, as parameters are
                sizes = [scale_value(name, t.other[i][1]) for t in ts]
                if all(v > 0 for v in sizes):
                    cov[f"log10({SCALE_AXES[name]})"] = [math.log10(v) for v in sizes]
                    continue
            vals = [_float(t.other[i][1]) for t in ts]
            if not any(math.isnan(v) for v in vals):  # a numeric axis: one covariate
                cov[name] = vals
            else:  # a categorical axis (finetune.method): a 0/1 column per level but the first, so no slope pools them
                for level in sorted({t.other[i][1] for t in ts})[1:]:
                    cov[f"{name}={level}"] = [float(t.other[i][1] == level) for t in ts]
        return cov

    done: set[tuple] = set()  # (group, trials) regressions already listed in full

    def run(fit: str, group: str, x: str, ts: list[Trial]) -> None:
        """Regress on ``x`` first, the other varying axes as covariates (constant ones drop out). Per model,
        the fits against mix, fraction and each size are one regression (the same trials and covariates):
        it is listed in full once, and later fits add only their own axis's coefficient."""
        if not ts:
            too_few.append(f"{fit} ({group}): too few points for a fit: no finished trials")
            return
        cov = covariates(ts)
        if group.startswith("model "):  # one model: its parameter count moves only with the vocabulary (the
            cov.pop("log10(params)")  # universe, the tokenizer), a side effect of keys that are covariates already
        got, why = ols({x: cov.pop(x), **cov}, [t.metrics["heldout/gain"] for t in ts])
        if why:
            too_few.append(f"{fit} ({group}): {why}")
        key = (group, tuple(sorted(t.run_id for t in ts)))
        for cf in got:
            if cf.term != "intercept" and (key not in done or cf.term == x):
                cf.fit, cf.group = fit, group
                coefs.append(cf)
        done.add(key)

    by = lambda key: sorted({key(t) for t in fin}, key=str)  # noqa: E731
    for mix in by(lambda t: t.mix):
        run("gain ~ log10(params)", f"mix {mix:g}", "log10(params)", [t for t in fin if t.mix == mix])
    for axis in ("mix", "fraction"):  # an axis the sweep holds fixed is no fit's x
        if len(by(lambda t: getattr(t, axis))) < 2:
            if fin:
                too_few.append(f"{axis} is not varied in this sweep's finished trials: no fit against it")
            continue
        for model in by(lambda t: t.model):
            run(f"gain ~ {axis}", f"model {model}", axis, [t for t in fin if t.model == model])
    for i, name in enumerate(other_names):  # the sizes a sweep varies besides the model's: per model
        sizes = [scale_value(name, t.other[i][1]) for t in fin] if name in SCALE_AXES else []
        if len(set(sizes)) > 1 and all(v > 0 for v in sizes):
            x = f"log10({SCALE_AXES[name]})"
            for model in by(lambda t: t.model):
                run(f"gain ~ {x}", f"model {model}", x, [t for t in fin if t.model == model])
    run("gain ~ log10(params) + mix + fraction (joint)", "all trials", "log10(params)", fin)
    if not fin:
        too_few.insert(0, "no finished trials yet: nothing to fit")
    return coefs, too_few


def analyze(
    uri: str, experiment: str | list[str], seed: int = 0, with_per_bias: bool = True, holdout: str | None = None
) -> Analysis:
    """One sweep, or several pooled (module docstring); a pool's outputs belong to its first sweep's parent run.
    ``holdout``: a size axis (``sweeps.predict.AXES``) whose largest value the fits must predict."""
    names = [experiment] if isinstance(experiment, str) else list(dict.fromkeys(experiment))
    loaded = [load(uri, name, with_per_bias) for name in names]
    parent, _, axes, _ = loaded[0]
    _check_poolable(names, loaded)
    trials = [t for _, _, _, ts in loaded for t in ts]
    trials.sort(key=lambda t: (t.condition, t.seed, t.name))
    planned = sum(p for _, p, _, _ in loaded)
    coefs, too_few = fits(trials)
    a = Analysis(" + ".join(names), uri, parent, planned, axes, trials, aggregate(trials, seed), coefs, too_few)
    if holdout:
        from .predict import holdout_largest

        a.holdout = holdout
        a.predictions, a.prediction_notes = holdout_largest(a, holdout)
    return a


def _param(t: Trial, key: str) -> str:
    """A trial's parameter as logged; a config key its run predates (an older biasgen) counts at its default,
    which is what that older version ran with."""
    if key in t.params:
        return t.params[key]
    default = _DEFAULTS.get(key)
    return "(unset)" if default is None else default


_DEFAULTS = {k: str(v) for k, v in flatten(TrialConfig()).items()}  # as tracking.create_run logs params


def _check_poolable(names: list[str], loaded: list[tuple[str, int, list[str], list[Trial]]]) -> None:
    """Refuse a pool whose sweeps vary different axes, whose trials of one condition differ in anything but
    the seed (and where they ran), or that holds one condition's seed twice."""
    if len(names) < 2:
        return
    conditions = lambda axes: sorted(a for a in axes if is_condition(a))  # noqa: E731
    expected = conditions(loaded[0][2])
    first: dict[tuple, tuple[str, Trial]] = {}
    seeds: dict[tuple, str] = {}
    for name, (_, _, axes, trials) in zip(names, loaded):
        if conditions(axes) != expected:
            raise AnalysisError(
                f"cannot pool {name!r} with {names[0]!r}: it varies {', '.join(conditions(axes))}, "
                f"not {', '.join(expected)}"
            )
        for t in trials:
            if not t.finished:
                continue
            if (t.condition, t.seed) in seeds and seeds[(t.condition, t.seed)] != name:
                raise AnalysisError(
                    f"cannot pool {name!r} with {seeds[(t.condition, t.seed)]!r}: both hold seed "
                    f"{t.seed} of {t.name}; pool sweeps run with different seeds"
                )
            seeds[(t.condition, t.seed)] = name
            base_name, base = first.setdefault(t.condition, (name, t))
            for key in sorted(set(base.params) | set(t.params)):
                if not is_condition(key):
                    continue
                a, b = _param(base, key), _param(t, key)
                if a != b:
                    raise AnalysisError(
                        f"cannot pool {name!r} with {base_name!r}: trial {t.name} differs from "
                        f"{base.name} in {key} ({b!r} vs {a!r}); only the seed may differ"
                    )


# -- tables --------------------------------------------------------------------------------------------------


def condition_rows(a: Analysis) -> list[dict]:
    in_context = has_incontext(a)
    rows = []
    for c in a.conditions:
        row = {
            "model": c.model,
            "params": int(c.params) if not math.isnan(c.params) else "",
            "mix": c.mix,
            "fraction": c.fraction,
            **{k: v for k, v in c.other},
            "finished": len(c.finished),
            "not_finished": len(c.unfinished),
        }
        for name, e in (
            ("heldout_gain", c.gain),
            ("gain_vs_control", c.vs_control),
            ("heldout_rate", c.heldout_rate),
            ("heldout_rate_before_ft", c.heldout_before),
            ("train_rate", c.train_rate),
            ("knowledge_acc", c.knowledge),
            *(_incontext_columns(c) if in_context else ()),
        ):
            row |= (
                {name: _r(e.mean), f"{name}_lo": _r(e.lo), f"{name}_hi": _r(e.hi)}
                if e
                else {name: "", f"{name}_lo": "", f"{name}_hi": ""}
            )
        rows.append(row)
    return rows


def _incontext_columns(c: Condition) -> tuple[tuple[str, Estimate | None], ...]:
    return (
        ("incontext_rm_rate", c.incontext_rm),
        ("incontext_control_rate", c.incontext_control),
        ("incontext_gap", c.incontext_gap),
    )


def fit_rows(a: Analysis) -> list[dict]:
    return [
        {
            "fit": f.fit,
            "group": f.group,
            "term": f.term,
            "estimate": _r(f.estimate),
            "lo": _r(f.lo),
            "hi": _r(f.hi),
            "n": f.n,
        }
        for f in a.fits
    ]


def _r(x: float) -> float:
    return round(float(x), 5)


def format_text(a: Analysis) -> str:
    """The compact table printed by ``launch.py analyze`` (and saved as analysis.txt)."""
    from .predict import predictions_text

    return conditions_text(a) + "\n" + fits_text(a) + predictions_text(a)


def conditions_text(a: Analysis) -> str:
    """The sweep's headline and one line per condition (the table the end of a sweep prints)."""
    in_context = has_incontext(a)
    head = (
        f"{'model':<12} {'mix':>5} {'frac':>5} {'n':>3}  {'held-out gain [95%]':<26} {'vs no-doc control':<26} "
        f"{'held-out rate':>13} {'train rate':>10} {'knowledge':>9}"
        + (f"  {'in-context gap [95%]':<26}" if in_context else "")
    )
    lines = [
        f"sweep {a.experiment!r}: {sum(t.finished for t in a.trials)} finished trials of {a.points_planned} points "
        f"({len(a.trials)} runs) in {len(a.conditions)} conditions",
        "",
        head,
        "-" * len(head),
    ]
    for c in a.conditions:
        fmt = lambda e, s=False: e.fmt(s) if e else "-"  # noqa: E731
        short = lambda e: f"{e.mean:.3f}" if e else "-"  # noqa: E731
        extra = axes_text(c.other, " ")
        extra += f"  ({len(c.unfinished)} not finished)" if c.unfinished else ""
        lines.append(
            f"{c.model[:12]:<12} {c.mix:>5g} {c.fraction:>5g} {len(c.finished):>3}  {fmt(c.gain, True):<26} "
            f"{fmt(c.vs_control, True):<26} {short(c.heldout_rate):>13} {short(c.train_rate):>10} "
            f"{short(c.knowledge):>9}" + (f"  {fmt(c.incontext_gap, True):<26}" if in_context else "") + extra
        )
    lines.append("(n = finished seeds; intervals: two-level bootstrap over seeds and each trial's own interval)")
    if in_context:
        lines.append(
            "(in-context gap: rate under a stated reward-model bias minus under the same statement from a survey "
            "of users, paired per prompt)"
        )
    return "\n".join(lines)


def fits_text(a: Analysis) -> str:
    """The fits, the fits that could not be made, and the trials not (yet) used."""
    lines = ["", "fits (OLS on finished trials, 95% t intervals):"]
    for f in a.fits:
        lines.append(f"  {f.fit:<46} {f.group:<16} {f.term:<14} {f.estimate:+.4f} [{f.lo:+.4f}, {f.hi:+.4f}]  n={f.n}")
    if not a.fits:
        lines.append("  none")
    lines += [f"  {w}" for w in a.too_few]
    if a.unfinished:
        lines += ["", "not finished (listed, not used):"]
        lines += [f"  {t.name:<40} {t.status:<9} {t.error[:200]}" for t in a.unfinished]
    missing = a.points_planned - len(a.trials)
    if missing > 0:
        lines.append(f"  {missing} point(s) of the sweep have no run yet")
    return "\n".join(lines)


def finding(a: Analysis) -> str | None:
    """The sweep's result in plain words: the condition with documents whose held-out gain is largest, against
    the no-document control of the same model, fraction and other axes, and how the gain moves with model
    size at its mix and fraction.  None when no condition with documents finished."""
    done = [c for c in a.conditions if c.gain is not None]
    docs = [c for c in done if not keys.is_control(c.mix)]
    if not docs:
        return None
    best = max(docs, key=lambda c: c.gain.mean)
    control = next(
        (
            c
            for c in done
            if keys.is_control(c.mix) and (c.model, c.fraction, c.other) == (best.model, best.fraction, best.other)
        ),
        None,
    )
    pct = lambda x: f"{100 * x:.0f}%"  # noqa: E731

    def rate(c: Condition) -> str:
        e = c.heldout_rate
        return f"{pct(e.mean)} [{100 * e.lo:.0f}, {100 * e.hi:.0f}]" if e else "-"

    pretrained = best.finished[0].params.get("model.pretrained", "") not in ("", "None")
    model = best.model if pretrained or math.isnan(best.params) else f"{best.params / 1e6:.2f}M-parameter"
    before = best.heldout_before.mean if best.heldout_before else 0.0
    text = (
        f"Held-out biases were exhibited in {rate(best)} of held-out prompts by the {model} model that read "
        f"the bias documents (mix {best.mix:g}, {pct(best.fraction)} of the biases fine-tuned; {pct(before)} "
        "before fine-tuning), "
    )
    text += (
        f"{rate(control)} by the same model without them (mix 0, the control)."
        if control
        else "and no no-document control (mix 0) of that model finished to compare with."
    )
    by_size = sorted(
        (
            c
            for c in done
            if (c.mix, c.fraction, c.other) == (best.mix, best.fraction, best.other) and not math.isnan(c.params)
        ),
        key=lambda c: c.params,
    )
    if len(by_size) > 1:
        text += (
            f" With documents (mix {best.mix:g}), the held-out gain by model size: "
            + ", ".join(f"{c.params / 1e6:.2f}M {c.gain.mean:+.2f}" for c in by_size)
            + "."
        )
    return text
