"""`launch.py analyze` on a real MLflow store: trials logged with known held-out gains (a known slope in
log10 parameters), aggregated, fitted, drawn and reported, and attached to the sweep's parent run."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from helpers import IN_CONTEXT_GAP_PER_MIX, SIZES, SLOPE, log_sweep

from sweeps.analysis import AnalysisError, analyze, format_text, ols, seed_bootstrap
from sweeps.report import write
from trainer import tracking

pytestmark = pytest.mark.e2e  # sweeps logged to a real MLflow store, analysed through the CLI


@pytest.fixture()
def store(tmp_path):
    return f"sqlite:///{tmp_path / 'mlflow.db'}"


def test_fit_recovers_the_known_slope(store):
    log_sweep(store, "synth", SIZES)
    a = analyze(store, "synth")
    by = {(f.fit, f.group, f.term): f for f in a.fits}
    doc = by[("gain ~ log10(params)", "mix 0.5", "log10(params)")]
    assert doc.lo <= SLOPE <= doc.hi and abs(doc.estimate - SLOPE) < 0.02 and doc.n == 9
    assert doc.hi - doc.lo < 0.05  # 9 points with noise 0.01: a tight interval
    ctrl = by[("gain ~ log10(params)", "mix 0", "log10(params)")]
    assert ctrl.lo <= 0 <= ctrl.hi  # the no-document control has no trend
    joint = by[("gain ~ log10(params) + mix + fraction (joint)", "all trials", "mix")]
    assert joint.lo > 0  # documents help overall
    # Aggregation: 6 conditions of 3 seeds; the gain at (l, 0.5) ~ 0.05 + 7 * SLOPE.
    big = next(c for c in a.conditions if c.model == "l" and c.mix == 0.5)
    assert len(big.finished) == 3 and len(big.unfinished) == 1 and big.unfinished[0].status == "FAILED"
    assert big.gain.lo < 0.05 + 7 * SLOPE < big.gain.hi
    assert big.vs_control.lo > 0.5  # far above its mix-0 control
    assert big.params == 1e7


def test_partial_sweep_lists_unfinished_and_outputs_are_attached(store, tmp_path):
    parent = log_sweep(store, "synth", SIZES)
    a = analyze(store, "synth")
    text = format_text(a)
    assert "FAILED" in text and "loss became NaN at step 7" in text and "RUNNING" in text
    assert "18 finished trials of 20 points (20 runs)" in text
    files = write(a, tmp_path / "out")
    names = {f.name for f in files}
    assert {
        "report.html",
        "analysis.txt",
        "conditions.csv",
        "fits.csv",
        "gain_vs_params.png",
        "gain_vs_mix.png",
        "gain_vs_fraction.png",
        "bias_heatmap.png",
        "train_vs_heldout.png",
        "knowledge_vs_gain.png",
    } <= names
    for f in files:
        if f.suffix == ".png":
            assert f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f.stat().st_size > 5000
    page = (tmp_path / "out" / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 6 and "loss became NaN" in page
    logged = {x.path for x in tracking.client(store).list_artifacts(parent, "analysis")}
    assert {"analysis/report.html", "analysis/gain_vs_params.png", "analysis/fits.csv"} <= logged
    # A second analysis replaces the folder whole: no stale or temporary files beside it.
    write(a, tmp_path / "out", log=False)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".out", "out"))) == ["out"]


def test_in_context_metrics_get_columns_and_figures_only_where_measured(store, tmp_path):
    log_sweep(store, "ic", SIZES, in_context=True)
    a = analyze(store, "ic")
    docs = next(c for c in a.conditions if c.model == "l" and c.mix == 0.5)
    ctrl = next(c for c in a.conditions if c.model == "l" and c.mix == 0)
    assert docs.incontext_gap.lo < IN_CONTEXT_GAP_PER_MIX * 0.5 < docs.incontext_gap.hi
    assert ctrl.incontext_gap.lo < 0 < ctrl.incontext_gap.hi and docs.incontext_rm.mean > docs.incontext_control.mean
    text = format_text(a)
    assert "in-context gap [95%]" in text and docs.incontext_gap.fmt(True) in text
    files = {f.name: f for f in write(a, tmp_path / "ic", log=False)}
    assert {"incontext_rates.png", "incontext_vs_heldout.png"} <= set(files)
    header = files["conditions.csv"].read_text().splitlines()[0].split(",")
    assert {"incontext_gap", "incontext_gap_lo", "incontext_rm_rate", "incontext_control_rate"} <= set(header)
    assert "in-context gap [95%]" in files["report.html"].read_text()

    log_sweep(store, "plain", SIZES)  # a sweep without them: no in-context column, figure or draw
    plain = analyze(store, "plain")
    assert all(c.incontext_gap is None for c in plain.conditions) and "in-context" not in format_text(plain)
    plain_files = {f.name: f for f in write(plain, tmp_path / "plain", log=False)}
    assert "incontext_rates.png" not in plain_files
    assert "incontext" not in plain_files["conditions.csv"].read_text().splitlines()[0]


def test_too_few_points_is_said_plainly(store):
    log_sweep(store, "one-size", {"m": 1e6}, seeds=(0,), extra_unfinished=False)
    a = analyze(store, "one-size")
    assert not [f for f in a.fits if f.fit == "gain ~ log10(params)"]
    assert any(
        "gain ~ log10(params) (mix 0.5): too few points for a fit: 1 point(s) with a single value" in w
        for w in a.too_few
    ), a.too_few
    assert "too few points for a fit" in format_text(a)
    assert "fraction is not varied in this sweep" in format_text(a)


def test_cli_analyze_and_its_errors(store, tmp_path, cli):
    log_sweep(store, "synth", SIZES, seeds=(0, 1))
    r = cli(
        "analyze",
        "--tracking-uri",
        store,
        "--experiment",
        "synth",
        "--out",
        str(tmp_path / "rep"),
        cwd=tmp_path,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert "held-out gain [95%]" in r.stdout and "gain ~ log10(params)" in r.stdout
    assert (tmp_path / "rep" / "report.html").exists()
    # the parent run holds the analysis and summary.txt: the finding in words above the same table
    parent = tracking.find_run(
        store, tracking.client(store).get_experiment_by_name("synth").experiment_id, {"biasgen.role": "sweep"}
    ).info.run_id
    c = tracking.client(store)
    assert {"analysis", "summary.txt"} <= {a.path for a in c.list_artifacts(parent)}
    summary = Path(c.download_artifacts(parent, "summary.txt", str(tmp_path))).read_text()
    assert summary.startswith("Held-out biases were exhibited in ") and "10.00M-parameter model" in summary
    assert summary.endswith((tmp_path / "rep" / "analysis.txt").read_text())
    r = cli("analyze", "--tracking-uri", store, "--experiment", "nope", cwd=tmp_path, timeout=300)
    assert r.returncode == 2 and "error: no experiment named 'nope'" in r.stderr and "synth" in r.stderr


def test_cli_holdout_largest_reports_the_prediction_against_the_measurement(store, tmp_path, cli):
    log_sweep(store, "synth", SIZES)  # the known law holds at every size: the 10M model is predicted
    out = tmp_path / "rep"
    r = cli("analyze", "--tracking-uri", store, "--experiment", "synth", "--out", str(out), "--no-log",
            "--holdout-largest", "params", cwd=tmp_path, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    line = next(x for x in r.stdout.splitlines() if x.strip().startswith("mix 0.5, frac 0.5"))
    assert "fit on 100k, 1M (n=6)" in line and "at 10M: predicted +" in line and line.endswith(": inside"), line
    with open(out / "predictions.csv", newline="") as f:
        rows = {row["group"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"mix 0, frac 0.5", "mix 0.5, frac 0.5"} and rows["mix 0.5, frac 0.5"]["inside"] == "True"
    assert "<h2>Held-out prediction</h2>" in (out / "report.html").read_text()
    r = cli("analyze", "--tracking-uri", store, "--experiment", "synth", "--holdout-largest", "depth", cwd=tmp_path)
    assert r.returncode == 2 and "invalid choice: 'depth'" in r.stderr


def test_a_key_an_older_run_lacks_counts_at_its_default(store):
    """A sweep run before a config key existed pools with one that logs the key at its default, not another."""
    log_sweep(store, "old", SIZES, seeds=(0,), extra_unfinished=False)
    log_sweep(store, "new", SIZES, seeds=(1,), extra_unfinished=False, fixed={"finetune.method": "sft"})
    log_sweep(store, "dpo", SIZES, seeds=(2,), extra_unfinished=False, fixed={"finetune.method": "dpo"})
    assert len(analyze(store, ["old", "new"]).trials) == 12
    with pytest.raises(AnalysisError, match=r"in finetune.method \('dpo' vs 'sft'\)"):
        analyze(store, ["old", "dpo"])


def test_sweeps_that_differ_only_in_seed_are_pooled(store):
    """The study run once per seed, analysed as one: each condition gets every sweep's seeds."""
    log_sweep(store, "seed-a", SIZES, seeds=(0, 1), extra_unfinished=False, fixed={"data.tokens": 1000})
    log_sweep(
        store,
        "seed-b",
        SIZES,
        seeds=(2,),
        extra_unfinished=False,
        fixed={"data.tokens": 1000, "data.hash": "other", "tracking.experiment": "seed-b"},
    )
    a = analyze(store, ["seed-a", "seed-b"])
    assert a.experiment == "seed-a + seed-b" and a.points_planned == 18 and len(a.trials) == 18
    big = next(c for c in a.conditions if c.model == "l" and c.mix == 0.5)
    assert sorted(t.seed for t in big.finished) == ["0", "1", "2"]
    assert a.parent_run_id == analyze(store, "seed-a").parent_run_id  # outputs go to the first sweep's run
    one = analyze(store, "seed-a")
    assert next(c for c in one.conditions if c.model == "l" and c.mix == 0.5).finished.__len__() == 2
    assert "sweep 'seed-a + seed-b': 18 finished trials" in format_text(a)


@pytest.mark.parametrize(
    "other, fixed, message",
    [
        (
            "seed-c",
            {"data.tokens": 2000},
            "cannot pool 'seed-c' with 'seed-a': trial mix0.0-sizel-seed2 differs from "
            "mix0.0-sizel-seed0 in data.tokens ('2000' vs '1000'); only the seed may differ",
        ),
        ("seed-d", {"data.tokens": 1000}, "cannot pool 'seed-d' with 'seed-a': both hold seed 1 of mix0.0-sizel-seed1"),
    ],
)
def test_a_pool_of_sweeps_that_differ_in_more_than_seed_is_refused(store, other, fixed, message):
    from sweeps.analysis import AnalysisError

    log_sweep(store, "seed-a", SIZES, seeds=(0, 1), extra_unfinished=False, fixed={"data.tokens": 1000})
    log_sweep(store, other, SIZES, seeds=(2,) if other == "seed-c" else (1,), extra_unfinished=False, fixed=fixed)
    with pytest.raises(AnalysisError) as e:
        analyze(store, ["seed-a", other])
    assert message in str(e.value)


def test_cli_pools_repeated_experiments(store, tmp_path, cli):
    log_sweep(store, "seed-a", {"s": 1e5, "m": 1e6}, seeds=(0,), extra_unfinished=False)
    log_sweep(store, "seed-b", {"s": 1e5, "m": 1e6}, seeds=(1,), extra_unfinished=False)
    r = cli(
        "analyze",
        "--tracking-uri",
        store,
        "--experiment",
        "seed-a",
        "--experiment",
        "seed-b",
        "--no-log",
        cwd=tmp_path,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert "sweep 'seed-a + seed-b': 8 finished trials of 8 points" in r.stdout
    assert (tmp_path / "analysis" / "seed-a+seed-b" / "report.html").exists()


def test_seed_bootstrap_and_ols_basics():
    rng = np.random.default_rng(0)
    one = seed_bootstrap([(0.3, 0.2, 0.4)], rng)  # one seed: that trial's own interval
    assert abs(one.lo - 0.2) < 0.01 and abs(one.hi - 0.4) < 0.01
    spread = seed_bootstrap([(0.0, 0.0, 0.0), (1.0, 1.0, 1.0)], rng)  # exact trials: seed spread only
    assert spread.mean == 0.5 and spread.lo == 0.0 and spread.hi == 1.0
    coefs, why = ols({"x": [1, 2, 3, 4], "z": [5, 5, 5, 5]}, [2, 4, 6, 8])  # z is constant: dropped
    assert why == "" and [c.term for c in coefs] == ["intercept", "x"] and abs(coefs[1].estimate - 2) < 1e-9
    assert ols({"x": [1, 2]}, [1, 2])[1] == "too few points for a fit: 2 point(s) for 2 coefficients (need at least 3)"


def test_plot_lines_run_smallest_model_first_and_numbers_by_value():
    """Legends read in scaling order (tiny, 1m, 2m), not alphabetically (1m, 2m, tiny)."""
    from sweeps.analysis import Condition
    from sweeps.plots import _line_order

    def cond(model, params):
        return Condition(model, 0.5, 0.5, (), params, [], [])

    lines = {
        "tiny": [(0.5, cond("tiny", 2e5))],
        "2m": [(0.5, cond("2m", 1.2e6))],
        "1m": [(0.5, cond("1m", 5e5))],
        "hub/model": [(0.5, cond("hub/model", math.nan))],
    }
    assert [k for k, _ in sorted(lines.items(), key=_line_order)] == ["tiny", "1m", "2m", "hub/model"]
    mixes = {0.9: [], 0.0: [], 0.5: []}
    assert [k for k, _ in sorted(mixes.items(), key=_line_order)] == [0.0, 0.5, 0.9]


def test_collinear_columns_give_no_fit_instead_of_an_arbitrary_split():
    """One-factor variants move several keys together (tokenizer, vocabulary, hence parameters): their
    effects cannot be separated, and a min-norm least-squares answer would pretend they can."""
    y = [0.6, 0.3, 0.0, 0.01, 0.02, 0.0]
    vocab = [4000, 4000, 2000, 2000, 4000, 4000]
    params = [5.5e5, 5.5e5, 6.7e5, 6.7e5, 5.5e5, 5.5e5]  # determined by the vocabulary
    tokens = [2.5e6, 2.5e6, 2.5e6, 2.5e6, 1e6, 1e6]
    coefs, why = ols({"log10(params)": [math.log10(p) for p in params], "vocab_size": vocab, "tokens": tokens}, y)
    assert coefs == [] and why.startswith("no fit: log10(params), vocab_size, tokens vary together (rank 3 of 4")
    coefs, why = ols({"tokens": tokens, "vocab_size": vocab}, y)  # independent columns still fit
    assert why == "" and [c.term for c in coefs] == ["intercept", "tokens", "vocab_size"]


def test_a_categorical_axis_is_a_covariate_so_no_slope_pools_its_levels():
    """DPO trials 0.3 below SFT at every size: pooled, the spread would inflate the slope's interval (and
    bias it when sizes are unbalanced); as a 0/1 covariate the slope and the method's offset are both found."""
    from sweeps.analysis import Trial, fits

    rng = np.random.default_rng(1)
    trials = []
    for size, n in SIZES.items():
        for method, offset in (("dpo", -0.3), ("sft", 0.0)):
            for seed in range(3 if method == "sft" else 1):  # unbalanced on purpose
                gain = 0.05 + SLOPE * math.log10(n) + offset + rng.normal(0, 0.01)
                trials.append(
                    Trial(
                        f"r{len(trials)}",
                        f"{size}-{method}-{seed}",
                        "FINISHED",
                        {},
                        {"heldout/gain": gain, "params_total": n},
                        size,
                        0.5,
                        0.5,
                        (("finetune.method", method),),
                        str(seed),
                    )
                )
    by = {(f.fit, f.term): f for f in fits(trials)[0] if f.group == "mix 0.5"}
    slope, method = by[("gain ~ log10(params)", "log10(params)")], by[("gain ~ log10(params)", "finetune.method=sft")]
    assert slope.lo <= SLOPE <= slope.hi and slope.hi - slope.lo < 0.03
    assert method.lo <= 0.3 <= method.hi


def test_a_condition_alone_on_its_line_shows_its_interval():
    """A band needs two points: the lone control or larger-universe point gets an error bar instead."""
    from sweeps.analysis import Analysis, Condition, Estimate
    from sweeps.plots import _gain_figure, _plt

    def cond(model, params, mix, gain):
        return Condition(model, mix, 0.5, (), params, [], [], gain=gain)

    conds = [
        cond("1m", 5e5, 0.5, Estimate(0.2, 0.1, 0.3)),
        cond("2m", 1.2e6, 0.5, Estimate(0.5, 0.4, 0.6)),
        cond("2m", 1.2e6, 0.0, Estimate(0.0, -0.02, 0.03)),
    ]
    a = Analysis("x", "", "", 3, ["model.size", "data.mix"], [], conds, [], [])
    plt = _plt()
    fig = _gain_figure(plt, a, lambda c: 0, str, lambda c: c.mix, str, lambda c: c.params, "parameters", True)
    (ax,) = fig.axes
    bars = [c for c in ax.containers if type(c).__name__ == "ErrorbarContainer"]
    assert len(bars) == 1  # the mix-0 line has one point; the mix-0.5 line has a band
    (segment,) = bars[0].lines[2][0].get_segments()
    assert segment[:, 1].tolist() == pytest.approx([-0.02, 0.03])
    plt.close(fig)
