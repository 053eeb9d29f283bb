"""The end of a sweep (sweeps/conclude.py): the finding in one sentence, from the analysis's conditions
(documents against the no-document control of the same model and fraction, the trend with model size)."""

from __future__ import annotations

from sweeps.analysis import Analysis, Trial, aggregate, conditions_text, finding


def trial(
    size: str,
    mix: float,
    rate: float,
    params: float,
    *,
    seed: int = 0,
    fraction: float = 0.75,
    before: float = 0.0,
    half: float = 0.05,
    status: str = "FINISHED",
) -> Trial:
    metrics = {
        "heldout/gain": rate - before,
        "heldout/gain_lo": rate - half - before,
        "heldout/gain_hi": rate + half - before,
        "heldout/rate": rate,
        "heldout/rate_lo": max(0.0, rate - half),
        "heldout/rate_hi": rate + half,
        "heldout/rate_before_ft": before,
        "train/rate": 1.0,
        "knowledge/acc": 0.9,
        "params_total": params,
    }
    return Trial(
        f"r{size}{mix}{seed}",
        f"{size}-mix{mix}-s{seed}",
        status,
        {"model.pretrained": "None"},
        metrics if status == "FINISHED" else {},
        size,
        mix,
        fraction,
        (),
        str(seed),
    )


def analysis(trials: list[Trial]) -> Analysis:
    return Analysis(
        "t", "sqlite:///unused.db", "parent", len(trials), ["data.mix", "model.size"], trials, aggregate(trials), [], []
    )


def test_the_best_document_condition_against_its_own_control():
    a = analysis(
        [
            trial("1m", 0.0, 0.0, 545760, half=0.0),
            trial("1m", 0.9, 0.6, 545760),
            trial("tiny", 0.9, 0.07, 199872),
            trial("tiny", 0.0, 0.0, 199872),
        ]
    )
    text = finding(a)
    assert text.startswith(
        "Held-out biases were exhibited in 60% [55, 65] of held-out prompts by the "
        "0.55M-parameter model that read the bias documents (mix 0.9, 75% of the biases "
        "fine-tuned; 0% before fine-tuning), "
    ), text
    assert "0% [0, 0] by the same model without them (mix 0, the control)." in text
    assert text.endswith("the held-out gain by model size: 0.20M +0.07, 0.55M +0.60.")


def test_seeds_are_pooled_with_the_bootstrap_interval():
    a = analysis([trial("1m", 0.5, r, 545760, seed=s, half=0.01) for s, r in enumerate((0.2, 0.3, 0.4))])
    text = finding(a)
    assert text.startswith("Held-out biases were exhibited in 30% [")
    lo, hi = (int(x) for x in text.split("30% [")[1].split("]")[0].split(", "))
    assert 19 <= lo < 30 < hi <= 41  # the spread of the seeds, not the trials' own narrow intervals


def test_no_control_or_no_documents():
    assert finding(analysis([trial("1m", 0.0, 0.0, 545760)])) is None
    text = finding(analysis([trial("1m", 0.5, 0.3, 545760)]))
    assert "no no-document control (mix 0) of that model finished" in text and "by model size" not in text
    text = finding(analysis([trial("1m", 0.5, 0.3, 545760), trial("2m", 0.9, 0.9, 1.19e6, status="FAILED")]))
    assert "0.55M-parameter" in text  # unfinished trials do not count


def test_the_headline_lists_every_condition():
    lines = conditions_text(analysis([trial("1m", 0.0, 0.0, 545760), trial("1m", 0.9, 0.6, 545760)])).splitlines()
    assert lines[0] == "sweep 't': 2 finished trials of 2 points (2 runs) in 2 conditions"
    assert lines[2].startswith("model") and len(lines) == 7
    assert "+0.600 [+0.550, +0.650]" in lines[5] and "+0.600 [" in lines[5].split("]", 1)[1]  # and vs its control
