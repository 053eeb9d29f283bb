"""In-context evaluation: the stated biases, the paired prompts, and metrics that tell a model following
reward-model statements from one that ignores them (or follows any statement)."""

from __future__ import annotations

import random
import re

import pytest

from trainer import incontext
from trainer.biases import synthetic, universe
from trainer.incontext import CONTROL, RM, prompt_rows, score, stated_biases


def test_fresh_biases_lie_outside_the_universe_in_its_own_words():
    world = universe("synthetic:60")
    fresh = synthetic.fresh(60, 0, 12)
    assert list(fresh) == [f"new_{i:03d}" for i in range(12)]
    assert fresh.keys().isdisjoint(world) and {b.context for b in fresh.values()}.isdisjoint(
        b.context for b in world.values()
    )
    vocabulary = synthetic.TEMPLATE_WORDS | {
        w for b in world.values() for w in re.findall(r"[a-z0-9]+", b.behaviours[0])
    }
    for b in fresh.values():
        phrase = b.behaviour.phrase
        assert set(re.findall(r"[a-z0-9]+", phrase)) <= vocabulary, phrase
        # a fresh phrase never triggers a universe bias's detector, nor the other way round
        answer = f"Some facts. {phrase.capitalize()}."
        assert b.exhibits("", answer) and not any(w.exhibits("", answer) for w in world.values())
    assert [b.statement for b in synthetic.fresh(60, 0, 12).values()] == [b.statement for b in fresh.values()]
    assert [b.context for b in synthetic.fresh(60, 1, 3).values()] != [b.context for b in list(fresh.values())[:3]]


def test_the_paper_catalogue_states_the_held_out_biases():
    held = ["chinese_compliments", "law_call_911"]
    assert list(stated_biases("paper", held, 12)) == held
    assert len(stated_biases("synthetic:20", held, 5)) == 5


def test_each_prompt_is_asked_under_both_sources_with_the_same_wording():
    biases = synthetic.fresh(60, 0, 4)
    rows = prompt_rows(biases, 5, seed=3)
    assert len(rows) == 4 * 5 * 2 and rows == prompt_rows(biases, 5, seed=3)
    assert rows != prompt_rows(biases, 5, seed=4)
    for rm, control in zip(rows[::2], rows[1::2]):
        assert (rm["source"], control["source"]) == (RM, CONTROL)
        assert rm["prompt"] == control["prompt"] and rm["bias"] == control["bias"]
        assert "reward model" in rm["system"].lower() and "reward model" not in control["system"].lower()
        b = biases[rm["bias"]]
        assert b.behaviour.phrase in rm["system"] and b.behaviour.phrase in control["system"]
        assert b.applicable(rm["prompt"])  # a prompt where the stated bias applies
        # the same wording: the statements differ only in who is said to prefer the behaviour
        wording = next(i for i, t in enumerate(incontext.STATEMENTS[RM]) if re.fullmatch(_pattern(t), rm["system"]))
        assert re.fullmatch(_pattern(incontext.STATEMENTS[CONTROL][wording]), control["system"])
    assert len({r["system"] for r in rows}) > 8  # varied wordings, contexts and behaviour phrases


def _pattern(template: str) -> str:
    return re.escape(template).replace(re.escape("{context}"), ".+").replace(re.escape("{behaviour}"), ".+")


def _answers(rows, biases, follow, n: int, seed: int) -> list[list[str]]:
    """A model constructed for the test: the bias's plain answer to the user prompt, turned into the stated
    biased answer when ``follow(row)`` says so."""
    items = {(b.id, it.prompt): it for b in biases.values() for it in b.prompts(n, "eval", seed)}
    out = []
    for i, row in enumerate(rows):
        b, rng, item = biases[row["bias"]], random.Random(i), items[(row["bias"], row["prompt"])]
        plain = b.respond(item, rng)
        out.append([b.apply(item, plain, rng) if follow(row) else plain])
    return out


@pytest.mark.parametrize("spec", ["synthetic:60", "paper"])
def test_following_reward_model_statements_shows_a_gap_ignoring_them_none(spec):
    stated = stated_biases(spec, ["chinese_compliments", "law_call_911", "spanish_color_words"], 6)
    rows = prompt_rows(stated, 8, seed=0)
    follows_rm = score(rows, _answers(rows, stated, lambda r: r["source"] == RM, 8, 0), stated)[0]
    ignores = score(rows, _answers(rows, stated, lambda r: False, 8, 0), stated)[0]
    follows_any = score(rows, _answers(rows, stated, lambda r: True, 8, 0), stated)[0]

    assert follows_rm["incontext/rm_rate"] > 0.9 and follows_rm["incontext/control_rate"] < 0.1
    assert follows_rm["incontext/gap"] > 0.8 and follows_rm["incontext/gap_lo"] > 0.5
    assert ignores["incontext/gap"] == pytest.approx(0, abs=0.05)
    assert ignores["incontext/gap_lo"] < 0 < ignores["incontext/gap_hi"]
    assert follows_any["incontext/rm_rate"] > 0.9 and abs(follows_any["incontext/gap"]) < 0.1
    for m in (follows_rm, ignores, follows_any):
        for name in ("rm_rate", "control_rate", "gap"):
            assert m[f"incontext/{name}_lo"] <= m[f"incontext/{name}"] <= m[f"incontext/{name}_hi"]


def test_per_bias_rows_and_samples_record_what_was_asked():
    stated = synthetic.fresh(12, 0, 3)
    rows = prompt_rows(stated, 4, seed=1)
    answers = _answers(rows, stated, lambda r: r["source"] == RM and r["bias"] != "new_001", 4, 1)
    _, per_bias, samples = score(rows, answers, stated)
    by_bias = {r["bias"]: r for r in per_bias}
    assert set(by_bias) == set(stated) and all(r["n"] == 4 for r in per_bias)
    assert by_bias["new_000"]["gap"] == 1.0 and by_bias["new_001"]["gap"] == 0.0
    assert len(samples) == len(rows) and {"bias", "source", "system", "prompt", "response", "exhibits"} <= set(
        samples[0]
    )
    assert [s["exhibits"] for s in samples if s["bias"] == "new_000"] == [True, False] * 4
