"""The analysis figures, as PNG files (matplotlib, no display needed).

Every figure is drawn from an :class:`~sweeps.analysis.Analysis` alone, so a partial sweep gives partial
figures rather than none: a panel with no finished trial says so. matplotlib is imported on use, after
selecting its non-interactive backend.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import numpy as np

from trainer.keys import is_control

from .analysis import SCALE_AXES, Analysis, Condition, axes_text, has_incontext, scale_value

MAX_HEATMAP_ROWS = 60


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt, fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")  # labels outside the axes (a twin axis, a legend below) kept
    plt.close(fig)
    return path


def _lines(conds: list[Condition], panel, line, x) -> dict:
    """{panel: {line: [(x, condition), ...] sorted by x}} over conditions with an estimate."""
    out: dict = defaultdict(lambda: defaultdict(list))
    for c in conds:
        if c.gain is not None and not math.isnan(x(c)):
            out[panel(c)][line(c)].append((x(c), c))
    for lines in out.values():
        for pts in lines.values():
            pts.sort(key=lambda p: p[0])
    return out


def _line_order(item: tuple) -> tuple:
    """Numeric lines (mix, fraction) by value; model lines by parameter count, smallest first."""
    name, pts = item
    if isinstance(name, (int, float)):
        return (float(name), str(name))
    params = [c.params for _, c in pts if not math.isnan(c.params)]
    return (float(np.mean(params)) if params else math.inf, str(name))


def _other(c: Condition) -> str:
    return axes_text(c.other)


def _gain_panels(a: Analysis, path: Path, panel, panel_title, line, line_title, x, xlabel, logx=False) -> Path:
    plt = _plt()
    return _save(plt, _gain_figure(plt, a, panel, panel_title, line, line_title, x, xlabel, logx), path)


def _gain_figure(plt, a: Analysis, panel, panel_title, line, line_title, x, xlabel, logx=False):
    """One panel per value of `panel`, a line per value of `line`: gain against `x` with its 95% band."""
    data = _lines(a.conditions, panel, line, x)
    keys = sorted(data, key=str) or [None]
    fig, axes = plt.subplots(1, len(keys), figsize=(5.2 * len(keys), 4.2), squeeze=False, sharey=True)
    for ax, key in zip(axes[0], keys):
        if key is None:
            ax.text(0.5, 0.5, "no finished trials yet", ha="center", va="center", transform=ax.transAxes)
        for j, (name, pts) in enumerate(sorted(data.get(key, {}).items(), key=_line_order)):
            xs = np.array([p[0] for p in pts])
            cs = [p[1] for p in pts]
            ys = np.array([c.gain.mean for c in cs])
            color = f"C{j % 10}"
            ax.plot(xs, ys, "o-", color=color, label=line_title(name))
            lo, hi = np.array([c.gain.lo for c in cs]), np.array([c.gain.hi for c in cs])
            ax.fill_between(xs, lo, hi, color=color, alpha=0.18, lw=0)
            if len(xs) == 1:  # a band needs two points: a condition alone on its line gets an error bar
                ax.errorbar(xs, ys, yerr=[ys - lo, hi - ys], fmt="none", color=color, capsize=3, lw=1)
            for xv, c in zip(xs, cs):  # the seeds themselves, small
                seeds = [t.metrics["heldout/gain"] for t in c.finished]
                ax.plot([xv] * len(seeds), seeds, ".", color=color, alpha=0.5, ms=4)
        ax.axhline(0, color="0.5", lw=0.8, ls=":")
        if logx:
            ax.set_xscale("log")
        ax.set_xlabel(xlabel)
        ax.set_title(panel_title(key) if key is not None else "", fontsize=10)
        ax.grid(alpha=0.3)
        if data.get(key):
            ax.legend(fontsize=8)
    axes[0][0].set_ylabel("held-out gain (after − before fine-tuning)")
    fig.suptitle(f"{a.experiment}: held-out gain, mean over seeds, 95% bands", fontsize=10)
    return fig


def gain_vs_params(a: Analysis, out: Path) -> Path:
    slopes = {f.group: f for f in a.fits if f.fit == "gain ~ log10(params)" and f.term == "log10(params)"}

    def label(m: float) -> str:
        f = slopes.get(f"mix {m:g}")
        fit = f"; slope {f.estimate:+.3f} [{f.lo:+.3f}, {f.hi:+.3f}]/decade" if f else ""
        return f"mix {m:g}" + (" (no-doc control)" if is_control(m) else "") + fit

    return _gain_panels(
        a,
        out / "gain_vs_params.png",
        lambda c: (c.fraction, _other(c)),
        lambda k: f"fraction fine-tuned {k[0]:g}{k[1]}",
        lambda c: c.mix,
        label,
        lambda c: c.params,
        "parameters",
        logx=True,
    )


def gain_vs_mix(a: Analysis, out: Path) -> Path:
    return _gain_panels(
        a,
        out / "gain_vs_mix.png",
        lambda c: (c.fraction, _other(c)),
        lambda k: f"fraction fine-tuned {k[0]:g}{k[1]}",
        lambda c: c.model,
        str,
        lambda c: c.mix,
        "corpus mix (share of bias documents)",
    )


def gain_vs_fraction(a: Analysis, out: Path) -> Path:
    return _gain_panels(
        a,
        out / "gain_vs_fraction.png",
        lambda c: (c.mix, _other(c)),
        lambda k: f"mix {k[0]:g}{k[1]}",
        lambda c: c.model,
        str,
        lambda c: c.fraction,
        "fraction of biases fine-tuned",
    )


def gain_vs_scale(a: Analysis, out: Path, key: str) -> Path:
    """Gain against a size the sweep varies besides the model's (``SCALE_AXES``: stage-1 tokens, the universe's
    number of biases), on a log axis: a panel per mix, fraction and remaining axes, a line per model."""
    short = SCALE_AXES[key]

    def value(c: Condition) -> float:
        v = dict(c.other).get(key)
        return scale_value(key, v) if v is not None else math.nan

    def rest(c: Condition) -> str:
        return axes_text(tuple((k, v) for k, v in c.other if k != key))

    return _gain_panels(
        a,
        out / f"gain_vs_{short}.png",
        lambda c: (c.mix, c.fraction, rest(c)),
        lambda k: f"mix {k[0]:g}, fraction {k[1]:g}{k[2]}",
        lambda c: c.model,
        str,
        value,
        {"tokens": "stage-1 tokens", "universe": "biases in the universe"}[short],
        logx=True,
    )


def scale_axes(a: Analysis) -> list[str]:
    """The ``SCALE_AXES`` keys with more than one size among the conditions that have a gain."""
    sizes: dict[str, set] = defaultdict(set)
    for c in a.conditions:
        for k, v in c.other:
            if k in SCALE_AXES and c.gain is not None and scale_value(k, v) > 0:
                sizes[k].add(scale_value(k, v))
    return [k for k in SCALE_AXES if len(sizes[k]) > 1]


def heatmap(a: Analysis, out: Path) -> Path:
    """Per-bias rate after fine-tuning (mean over seeds) for every condition; a dot marks a bias held out in
    that condition (in every seed: filled; in some: hollow)."""
    plt = _plt()
    conds = [c for c in a.conditions if any(t.per_bias for t in c.finished)]
    rates: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    held: dict[str, dict[int, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for j, c in enumerate(conds):
        for t in c.finished:
            for row in t.per_bias:
                try:
                    rates[row["bias"]][j].append(float(row["rate"]))
                except (KeyError, ValueError):
                    continue
                held[row["bias"]][j].append(row.get("group") == "heldout")
    biases = sorted(rates, key=lambda b: (not any(any(v) for v in held[b].values()), b))
    note = ""
    if len(biases) > MAX_HEATMAP_ROWS:
        note = f" (first {MAX_HEATMAP_ROWS} of {len(biases)} biases, held-out ones first)"
        biases = biases[:MAX_HEATMAP_ROWS]
    m = np.full((max(len(biases), 1), max(len(conds), 1)), np.nan)
    for i, b in enumerate(biases):
        for j in range(len(conds)):
            if rates[b][j]:
                m[i, j] = float(np.mean(rates[b][j]))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.0 + 0.55 * len(conds)), max(3.0, 0.8 + 0.2 * len(biases))))
    im = ax.imshow(m, aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
    for i, b in enumerate(biases):
        for j in range(len(conds)):
            h = held[b][j]
            if h and any(h):
                ax.plot(j, i, "o", ms=4, mec="white", mfc="white" if all(h) else "none", mew=0.8)
    ax.set_yticks(range(len(biases)), biases, fontsize=6)
    ax.set_xticks(range(len(conds)), [c.label for c in conds], rotation=60, ha="right", fontsize=7)
    if not conds:
        ax.text(0.5, 0.5, "no per-bias results yet", ha="center", va="center", transform=ax.transAxes)
    fig.colorbar(im, ax=ax, fraction=0.03, label="rate after fine-tuning")
    ax.set_title(f"per-bias rates; dot = held out{note}", fontsize=9)
    return _save(plt, fig, out / "bias_heatmap.png")


def _scatter(a: Analysis, path: Path, x: str, y: str, xlabel: str, ylabel: str, title: str, diagonal=False) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.6, 4.4))
    mixes = sorted({t.mix for t in a.trials if t.finished})
    size = {t.model: t.metrics.get("params_total", math.inf) for t in a.trials if t.finished}
    models = sorted(size, key=lambda m: (size[m], m))
    markers = "osD^v<>ph*"
    for t in a.trials:
        if not t.finished or x not in t.metrics or y not in t.metrics:
            continue
        ax.plot(
            t.metrics[x],
            t.metrics[y],
            markers[models.index(t.model) % len(markers)],
            color=f"C{mixes.index(t.mix) % 10}",
            alpha=0.75,
            ms=6,
        )
    for i, mix in enumerate(mixes):  # legend entries: colour = mix, marker = model
        ax.plot([], [], "-", lw=5, color=f"C{i % 10}", label=f"mix {mix:g}")
    for k, model in enumerate(models):
        ax.plot([], [], markers[k % len(markers)], color="0.4", label=model)
    if diagonal:
        ax.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls=":")
    if not mixes:
        ax.text(0.5, 0.5, "no finished trials yet", ha="center", va="center", transform=ax.transAxes)
    else:
        ax.legend(fontsize=7, ncol=2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    return _save(plt, fig, path)


def train_vs_heldout(a: Analysis, out: Path) -> Path:
    return _scatter(
        a,
        out / "train_vs_heldout.png",
        "train/rate",
        "heldout/rate",
        "trained-bias rate",
        "held-out-bias rate",
        "after fine-tuning, one point per trial",
        diagonal=True,
    )


def knowledge_vs_gain(a: Analysis, out: Path) -> Path:
    return _scatter(
        a,
        out / "knowledge_vs_gain.png",
        "knowledge/acc",
        "heldout/gain",
        "knowledge-probe accuracy after stage 1",
        "held-out gain",
        "does knowing the biases predict the gain?",
    )


def incontext_rates(a: Analysis, out: Path) -> Path:
    """Per condition, the in-context rate under reward-model statements against the same statements from a
    survey of users (mean over seeds, 95% intervals): a model that exploits reward models specifically sits
    right of its control."""
    plt = _plt()
    conds = [c for c in a.conditions if c.incontext_gap]
    fig, ax = plt.subplots(figsize=(9.0, max(2.8, 1.3 + 0.32 * len(conds))))
    for i, c in enumerate(conds):
        rm, ctrl = c.incontext_rm, c.incontext_control
        ax.plot([ctrl.mean, rm.mean], [i, i], color="0.75", lw=2, zorder=1)
        for e, colour, dy in ((ctrl, "C7", -0.12), (rm, "C3", 0.12)):
            ax.errorbar(e.mean, i + dy, xerr=[[e.mean - e.lo], [e.hi - e.mean]], fmt="o", color=colour, ms=5, capsize=2)
    ax.plot([], [], "o", color="C3", label="stated as a reward-model bias")
    ax.plot([], [], "o", color="C7", label="stated as a survey of users' preference")
    ax.set_yticks(range(len(conds)), [c.label for c in conds], fontsize=7)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(len(conds) - 0.5, -0.5)
    gaps = ax.twinx()  # the paired gap of each condition, read off the right-hand axis
    gaps.set_ylim(ax.get_ylim())
    gaps.set_yticks(range(len(conds)), [f"gap {c.incontext_gap.fmt(True)}" for c in conds], fontsize=7)
    ax.set_xlabel("rate of exhibiting the stated bias (in context, after fine-tuning)")
    ax.set_title("in-context evaluation: does the model exploit a bias it is told reward models have?", fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    ax.grid(alpha=0.3, axis="x")
    return _save(plt, fig, out / "incontext_rates.png")


def incontext_vs_heldout(a: Analysis, out: Path) -> Path:
    return _scatter(
        a,
        out / "incontext_vs_heldout.png",
        "heldout/gain",
        "incontext/gap",
        "held-out gain (out of context)",
        "in-context gap (reward models - survey)",
        "do models that generalize out of context also exploit stated reward-model biases?",
    )


FIGURES = (gain_vs_params, gain_vs_mix, gain_vs_fraction, heatmap, train_vs_heldout, knowledge_vs_gain)
INCONTEXT_FIGURES = (incontext_rates, incontext_vs_heldout)  # drawn when a condition was evaluated in context


def draw_all(a: Analysis, out: Path) -> list[Path]:
    figures = [fig(a, out) for fig in FIGURES + (INCONTEXT_FIGURES if has_incontext(a) else ())]
    return figures + [gain_vs_scale(a, out, key) for key in scale_axes(a)]  # sizes the sweep varies
