"""The end of a sweep: the finding in one sentence (documents against the no-document control, the trend with
model size) and the table, from the rows `summary_rows` builds out of the store."""
from __future__ import annotations

from sweeps.summary import finding, format_table


def row(size: str, mix: float, rate: float, params: float, lo: float | None = None, hi: float | None = None,
        fraction: float = 0.75, before: float = 0.0) -> dict:
    lo = rate - 0.05 if lo is None else lo
    hi = rate + 0.05 if hi is None else hi
    return {"model.size": size, "model.pretrained": "None", "data.mix": str(mix), "finetune.fraction": str(fraction),
            "finished": 1, "other": 0, "heldout/gain": rate - before, "heldout/gain_lo": lo - before,
            "heldout/gain_hi": hi - before, "heldout/rate": rate, "heldout/rate_lo": lo, "heldout/rate_hi": hi,
            "heldout/rate_before_ft": before, "train/rate": 1.0, "knowledge/acc": 0.9, "params_total": params}


def test_the_best_document_condition_against_its_own_control():
    rows = [row("1m", 0.0, 0.0, 545760, 0.0, 0.01), row("1m", 0.9, 0.6, 545760, 0.55, 0.66),
            row("tiny", 0.9, 0.07, 199872), row("tiny", 0.0, 0.0, 199872)]
    text = finding(rows)
    assert text.startswith("Held-out biases were exhibited in 60% [55, 66] of held-out prompts by the 0.55M-parameter "
                           "model that read the bias documents (mix 0.9, 75% of the biases fine-tuned; 0% before")
    assert "0% [0, 1] by the same model without them (mix 0, the control)." in text
    assert text.endswith("the held-out gain by model size: 0.20M +0.07, 0.55M +0.60.")


def test_no_control_or_no_documents():
    assert finding([row("1m", 0.0, 0.0, 545760)]) is None
    text = finding([row("1m", 0.5, 0.3, 545760)])
    assert "no no-document control (mix 0) of that model finished" in text and "by model size" not in text
    failed = row("2m", 0.9, 0.9, 1.19e6) | {"heldout/gain": None}
    assert "0.55M-parameter" in finding([row("1m", 0.5, 0.3, 545760), failed])  # unfinished rows do not count


def test_table_lists_every_condition():
    table = format_table([row("1m", 0.0, 0.0, 545760), row("1m", 0.9, 0.6, 545760)])
    lines = table.splitlines()
    assert lines[0].startswith("model") and len(lines) == 5
    assert "+0.600 [+0.550, +0.650]" in lines[3]
