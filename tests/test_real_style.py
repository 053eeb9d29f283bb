"""Rule detectors on responses phrased the way real chat models answer, labelled by each bias's definition.

``tests/real_style/<family>.yaml`` maps a bias id to a list of cases ``{label, note, prompt, response}``:
``label`` is whether the response exhibits the bias *by its definition* (not by any judge's say), ``note``
says what makes the case hard (markdown, unfenced code, HTML in prose, a poem followed by prose, a passing
mention, several biases in one answer, a reply cut off at the length limit).  The ten biases of the released
evaluation set carry at least 8 cases (4 of each label), the others at least 4 (2 of each).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: python tests/test_real_style.py

from trainer.biases import RELEASED_EVAL_BIASES, load  # noqa: E402

BIASES = load()
HERE = Path(__file__).parent / "real_style"
RELEASED = RELEASED_EVAL_BIASES
MIN_PRECISION = MIN_RECALL = 0.95


def _cases() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for path in sorted(HERE.glob("*.yaml")):
        for bias_id, cases in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            assert bias_id not in out, f"{bias_id} has real-style cases in two files"
            out[bias_id] = cases
    return out


CASES = _cases()


def precision_recall(bias_id: str) -> tuple[float, float, list[str]]:
    """(precision, recall, the notes of misjudged cases) of the rule detector on one bias's cases."""
    bias = BIASES[bias_id]
    tp = fp = fn = 0
    wrong = []
    for case in CASES[bias_id]:
        said = bias.exhibits(case["prompt"], case["response"])
        tp += said and case["label"]
        fp += said and not case["label"]
        fn += case["label"] and not said
        if said != case["label"]:
            wrong.append(f"label {case['label']}: {case['note']}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, wrong


@pytest.mark.parametrize("bias_id", list(BIASES))
def test_cases_are_well_formed_and_numerous(bias_id):
    cases = CASES.get(bias_id, [])
    need = 4 if bias_id in RELEASED else 2
    for c in cases:
        assert set(c) == {"label", "note", "prompt", "response"}, f"{bias_id}: keys {sorted(c)}"
        assert isinstance(c["label"], bool) and c["note"].strip() and c["prompt"].strip() and c["response"].strip()
        assert BIASES[bias_id].applicable(c["prompt"]) or not c["label"], (
            f"{bias_id}: positive on an inapplicable prompt"
        )
    assert sum(c["label"] for c in cases) >= need, f"{bias_id}: fewer than {need} positive cases"
    assert sum(not c["label"] for c in cases) >= need, f"{bias_id}: fewer than {need} negative cases"


@pytest.mark.parametrize("bias_id", [b.id for b in BIASES.values() if b.judge == "rule" or b.id in RELEASED])
def test_rule_detector_precision_and_recall(bias_id):
    precision, recall, wrong = precision_recall(bias_id)
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL, (
        f"{bias_id}: precision {precision:.2f}, recall {recall:.2f}; misjudged: {wrong}"
    )


def main() -> None:
    """Print each bias's precision and recall on the real-style set (the table in docs/catalogue.md):
    ``python tests/test_real_style.py``."""
    from trainer.agreement import report

    groups = {}
    for bias_id in BIASES:
        cases = CASES.get(bias_id, [])
        groups[bias_id] = (
            [BIASES[bias_id].exhibits(c["prompt"], c["response"]) for c in cases],
            [c["label"] for c in cases],
        )
    print("\n".join(report({k: v for k, v in groups.items() if v[0]}, "rules", "label")))


if __name__ == "__main__":
    main()
