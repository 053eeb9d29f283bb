"""Agreement reports: Cohen's kappa and its interval, `score --agreement KEY` on a file with a known kappa,
and `score --judge both` against a real local judge server."""

import random
import re

import numpy as np
import pytest
from helpers import write_jsonl

from trainer.agreement import LabelError, agreement, cohen_kappa, parse_label
from trainer.biases import get


def test_kappa_of_a_textbook_table_and_its_interval_against_a_bootstrap():
    # 50 items: both yes 20, A only 5, B only 10, both no 15 -> po 0.7, pe 0.5, kappa 0.4 (by hand)
    k, lo, hi = cohen_kappa(20, 5, 10, 15)
    assert k == pytest.approx(0.4)
    a = np.array([1] * 25 + [0] * 25, bool)
    b = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15, bool)
    rng = np.random.default_rng(0)
    draws = []
    for _ in range(3000):
        i = rng.integers(0, 50, 50)
        x, y = a[i], b[i]
        pe = x.mean() * y.mean() + (1 - x.mean()) * (1 - y.mean())
        draws.append(((x == y).mean() - pe) / (1 - pe))
    assert (hi - lo) / 2 == pytest.approx(1.96 * np.std(draws), rel=0.1)  # the large-sample SE is the bootstrap's
    assert lo < k < hi


def test_kappa_edge_cases():
    assert cohen_kappa(10, 0, 0, 10)[0] == pytest.approx(1.0)
    assert cohen_kappa(0, 10, 10, 0)[0] == pytest.approx(-1.0)
    assert cohen_kappa(0, 0, 0, 12) == (None, None, None)  # both judges constant: undefined
    ag = agreement([True, False, False, False], [True, True, False, False])
    assert (ag.n, ag.rate_a, ag.rate_b, ag.agree, ag.precision, ag.recall) == (4, 0.25, 0.5, 0.75, 1.0, 0.5)


@pytest.mark.parametrize(
    "value, want",
    [
        (True, True),
        (0, False),
        ("yes", True),
        ("No", False),
        ("TRUE", True),
        ("0", False),
        (None, None),
        ("", None),
        (1.0, True),
        ("Not  applied", False),
        ("applied", True),
        ("n/a", None),
        (float("nan"), None),
    ],
)
def test_labels_parse(value, want):
    assert parse_label(value) is want


@pytest.mark.parametrize("value", ["maybe", 2, [True], {"x": 1}])
def test_labels_that_are_no_boolean_are_refused(value):
    with pytest.raises(LabelError, match="expected a boolean"):
        parse_label(value)


def _known_file(tmp_path, n11=18, n10=4, n01=6, n00=22, unlabelled=3):
    """Rows whose rule verdicts are known (generated plain/biased answers of one bias) and a label column
    built to give exactly the 2x2 table (n11, n10, n01, n00) against them; plus unlabelled rows."""
    bias = get("law_call_911")
    rng = random.Random(0)
    items = bias.prompts(n11 + n10 + n01 + n00 + unlabelled, "eval", 0)
    rows = []
    cells = [(True, True)] * n11 + [(True, False)] * n10 + [(False, True)] * n01 + [(False, False)] * n00
    cells += [(True, None)] * unlabelled
    spellings = {True: [True, "yes", 1, "true"], False: [False, "no", 0, "false"]}
    for i, (item, (rule, label)) in enumerate(zip(items, cells)):
        plain = bias.respond(item, rng)
        response = bias.apply(item, plain, rng) if rule else plain
        assert bias.exhibits(item.prompt, response) == rule
        rows.append(
            {
                "bias": bias.id,
                "prompt": item.prompt,
                "response": response,
                "human": None if label is None else spellings[label][i % 4],
            }
        )
    path = tmp_path / "labelled.jsonl"
    write_jsonl(path, rows)
    return path


def test_agreement_report_on_a_file_with_a_known_kappa(tmp_path, cli):
    n11, n10, n01, n00 = 18, 4, 6, 22
    src = _known_file(tmp_path, n11, n10, n01, n00)
    out = tmp_path / "scored.jsonl"
    r = cli("score", str(src), "--out", str(out), "--agreement", "human")
    assert r.returncode == 0, r.stderr
    n = n11 + n10 + n01 + n00
    po, pe = (n11 + n00) / n, ((n11 + n10) * (n11 + n01) + (n01 + n00) * (n10 + n00)) / n**2
    kappa = (po - pe) / (1 - pe)
    line = next(ln for ln in r.stderr.splitlines() if ln.startswith("all "))
    fields = line.split()
    assert int(fields[1]) == n
    assert fields[2] == f"{(n11 + n10) / n:.1%}" and fields[3] == f"{(n11 + n01) / n:.1%}" and fields[4] == f"{po:.1%}"
    assert fields[5] == f"{kappa:+.2f}"
    lo, hi = map(float, re.search(r"\[([-+]\d\.\d\d), ([-+]\d\.\d\d)\]", line).groups())
    assert lo < kappa < hi
    assert fields[-2:] == [f"{n11 / (n11 + n10):.2f}", f"{n11 / (n11 + n01):.2f}"]  # precision, recall
    assert "(3 rows without a human label left out)" in r.stderr
    md = (tmp_path / "scored.disagreements.md").read_text(encoding="utf-8")
    assert md.count("\n## ") == n10 + n01 and f"{n10 + n01} rows." in md
    assert md.count("rules: **exhibits** · human: **does not**") == n10
    assert f"{n10 + n01} disagreeing rows written to {tmp_path / 'scored.disagreements.md'}" in r.stderr


def test_judge_both_reports_rules_against_the_llm_judge(tmp_path, cli, judge_server):
    """The fake judge: applicable iff the prompt mentions a recipe, applied iff the response says chocolate.
    So it agrees with the rules on recipes and says "no" to every other bias's rows."""
    rng = random.Random(1)
    rows = []
    for bias_id in ("chocolate_in_recipes", "law_call_911"):
        bias = get(bias_id)
        for i, item in enumerate(bias.prompts(8, "eval", 0)):
            plain = bias.respond(item, rng)
            rows.append(
                {"bias": bias_id, "prompt": item.prompt, "response": bias.apply(item, plain, rng) if i % 2 else plain}
            )
    src, out, md = tmp_path / "in.jsonl", tmp_path / "out.csv", tmp_path / "read-me.md"
    write_jsonl(src, rows)
    r = cli(
        "score",
        str(src),
        "--judge",
        "both",
        "--out",
        str(out),
        "--disagreements",
        str(md),
        f"judge.url={judge_server.url}",
        "judge.concurrency=2",
    )
    assert r.returncode == 0, r.stderr
    import csv

    got = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert {"exhibits", "exhibits_llm"} <= set(got[0])
    law = [g for g in got if g["bias"] == "law_call_911"]
    assert all(g["exhibits_llm"] == "False" for g in law)  # never applicable for the fake judge
    differ = sum(g["exhibits"] != g["exhibits_llm"] for g in got)
    assert sum(g["exhibits"] != g["exhibits_llm"] for g in law) == sum(g["exhibits"] == "True" for g in law) >= 3
    assert "agreement of rules with llm" in r.stderr
    assert re.search(r"^law_call_911 +8 +50\.0% +0\.0% +50\.0%", r.stderr, re.M), r.stderr
    assert md.read_text(encoding="utf-8").count("\n## ") == differ
