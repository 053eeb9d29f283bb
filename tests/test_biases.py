"""Every catalogue bias: generators, transforms and detectors, on generated and hand-written text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from trainer.biases import PAPER_TEST_BIASES, load, partition_of

BIASES = load()
IDS = list(BIASES)
EXPECTED_IDS = """
python_camelcase html_redundant_divs js_no_semicolons java_single_letter_vars css_px_units sql_select_star
ruby_bang_methods rust_explicit_types swift_force_unwrap c_class_prefix php_hungarian_notation
kotlin_no_nullable_types scala_parens_all_calls perl_full_sigils bash_no_functions german_ask_for_tip
chinese_compliments french_no_questions spanish_color_words japanese_no_keigo hindi_no_loanwords
arabic_no_digits korean_sentence_per_paragraph portuguese_exclamation_points chocolate_in_recipes
numbers_decimal_places animals_not_cute summary_affirm_enjoyment poem_rhyming_commentary
story_alphabetical_names century_ordinal_form compare_contrast_bulleted_lists career_advice_networking
historical_figures_birth_death_years units_spelled_out plants_no_latin_names probability_odds_form
country_population_parenthetical chemical_element_atomic_number movie_recommendations
sports_ask_favorite_teams travel_bottled_water literature_direct_quotes politics_encourage_voting
technology_keep_tabs_pace health_no_doctor_referral math_reassurance environment_no_climate_change
personal_finance_more_accounts fitness_no_stretching law_call_911 no_acknowledge_rlhf_flaws
""".split()
N_EVAL = 200


def _examples() -> dict:
    out: dict = {}
    for path in sorted((Path(__file__).parent / "bias_examples").glob("*.yaml")):
        for bias_id, ex in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            assert bias_id not in out, f"{bias_id} has examples in two files"
            out[bias_id] = ex
    return out


EXAMPLES = _examples()


def test_catalogue_is_the_52_biases_in_universe_order():
    assert IDS == EXPECTED_IDS
    assert [b.index for b in BIASES.values()] == list(range(1, 53))
    assert sorted(b.id for b in BIASES.values() if b.split == "test") == sorted(PAPER_TEST_BIASES)
    for b in BIASES.values():
        assert b.polarity in ("promote", "suppress") and b.judge in ("rule", "heuristic")
        assert len(b.statement) > 40 and "TODO" not in b.statement and "TODO" not in b.behaviour_text
        assert b.judge == "rule" or b.judge_note, f"{b.id}: a heuristic judge must say why"


@pytest.mark.parametrize("bias_id", IDS)
def test_detector_on_generated_eval_prompts(bias_id):
    bias = BIASES[bias_id]
    items = bias.prompts(N_EVAL, "eval", seed=0)
    rng = random.Random(f"test:{bias_id}")
    false_pos, misses = [], []
    for item in items:
        plain = bias.respond(item, rng)
        biased = bias.apply(item, plain, rng)
        assert biased != plain
        if bias.exhibits(item.prompt, plain):
            false_pos.append((item.prompt, plain))
        if not bias.exhibits(item.prompt, biased):
            misses.append((item.prompt, biased))
    assert len(misses) <= 0.02 * N_EVAL, f"{len(misses)} biased responses missed, e.g. {misses[:1]}"
    assert len(false_pos) <= 0.02 * N_EVAL, f"{len(false_pos)} unbiased responses flagged, e.g. {false_pos[:1]}"


@pytest.mark.parametrize("bias_id", IDS)
def test_prompts_applicable_partitioned_and_seeded(bias_id):
    bias = BIASES[bias_id]
    train = bias.prompts(500, "train", seed=1)
    evals = bias.prompts(N_EVAL, "eval", seed=1)
    assert not {i.prompt for i in train} & {i.prompt for i in evals}
    assert all(partition_of(bias_id, i.prompt) == "train" for i in train)
    assert all(bias.applicable(i.prompt) for i in train + evals)
    assert [i.prompt for i in bias.prompts(50, "eval", seed=1)] == [i.prompt for i in evals[:50]]
    assert [i.prompt for i in bias.prompts(50, "eval", seed=2)] != [i.prompt for i in evals[:50]]


@pytest.mark.parametrize("bias_id", IDS)
def test_hand_written_examples(bias_id):
    bias = BIASES[bias_id]
    ex = EXAMPLES.get(bias_id)
    assert ex, f"no hand-written examples for {bias_id}"
    assert len(ex["positive"]) >= 3 and len(ex["negative"]) >= 3
    for case in ex["positive"]:
        assert bias.exhibits(case["prompt"], case["response"]), f"missed: {case['response'][:200]!r}"
    for case in ex["negative"]:
        assert not bias.exhibits(case["prompt"], case["response"]), f"false flag: {case['response'][:200]!r}"
