"""The key registry (trainer/keys.py): every config key says what it affects, and every cache key, the trial
key, the sweep's dispatch grouping and the analysis's pooling follow from that alone."""

from dataclasses import dataclass

import pytest

from sweeps.analysis import is_condition as analysis_is_condition
from sweeps.runner import stage1_first
from trainer import keys
from trainer.config import TrialConfig, load_config, option, to_dict
from trainer.runtime_env import REPO_ROOT

SMOKE = REPO_ROOT / "configs" / "smoke.yaml"


def every_key(cfg) -> dict[str, str]:
    """Every derived key of one trial config."""
    return {
        **{f"data:{kind}": keys.data_key(cfg, kind) for kind in keys.DATA_PRODUCTS},
        "stage1": keys.stage1_key(cfg),
        "trial": keys.trial_key(cfg),
    }


def changed(a, b) -> set[str]:
    ka, kb = every_key(a), every_key(b)
    return {name for name in ka if ka[name] != kb[name]}


def dispatch_groups(*cfgs) -> int:
    """How many trials the sweep dispatches before the first that reuses a stage 1 (one per distinct stage 1)."""
    todo = [{"cfg": to_dict(c), "run_name": str(i), "stage1_key": keys.stage1_key(c)} for i, c in enumerate(cfgs)]
    order = stage1_first(todo)
    assert sorted(item["run_name"] for item in order) == sorted(item["run_name"] for item in todo)
    seen: set[str] = set()
    for item in order:
        if item["stage1_key"] in seen:
            break
        seen.add(item["stage1_key"])
    return len(seen)


def test_every_leaf_key_is_classified():
    registry = keys.registry(TrialConfig)
    assert len(registry) > 60
    unclassified = [k for k, products in registry.items() if products is None]
    assert not unclassified, f"give these config fields affects=...: {unclassified}"
    unknown = {p for products in registry.values() for p in products} - set(keys.PRODUCTS)
    assert not unknown


def test_an_unclassified_field_is_found():
    @dataclass
    class Careless(TrialConfig):
        new_knob: int = option(0, help="a field someone forgot to classify")

    assert keys.registry(Careless)["new_knob"] is None


@dataclass
class WithThrowaway(TrialConfig):
    """The trial config with three extra fields, one per kind of effect."""

    knob_stage1: int = option(0, affects=(keys.STAGE1,), help="a throwaway knob of continued pretraining")
    knob_stage2: int = option(0, affects=(keys.STAGE2,), help="a throwaway knob of fine-tuning")
    knob_nothing: int = option(0, affects=(), help="a throwaway knob that changes no result")


@pytest.mark.parametrize(
    "knob, want_changed, want_groups",
    [
        ("knob_stage1", {"stage1", "trial"}, 2),
        ("knob_stage2", {"trial"}, 1),
        ("knob_nothing", set(), 1),
    ],
)
def test_a_throwaway_field_changes_exactly_the_keys_it_declares(knob, want_changed, want_groups):
    a = load_config(SMOKE, [], schema=WithThrowaway)
    b = load_config(SMOKE, [f"{knob}=1"], schema=WithThrowaway)
    assert changed(a, b) == want_changed
    assert dispatch_groups(a, b) == want_groups


@pytest.mark.parametrize(
    "override, want",
    [
        ("finetune.fraction=0.5", {"data:finetune", "trial"}),
        ("sft.lr=0.01", {"trial"}),
        ("finetune.method=dpo", {"data:finetune", "trial"}),  # the stage-1 cache is shared between methods
        ("dpo.beta=0.5", {"trial"}),
        ("eval.judge=rules", set()),  # the default: no change at all
        ("eval.batch_size=3", {"trial"}),
        ("eval.max_new_tokens=9", {"stage1", "trial"}),  # the cached stage 1 holds the before-fine-tuning answers
        ("eval.prompts_per_bias=7", {"data:eval", "data:incontext", "stage1", "trial"}),
        ("data.mix=0.25", {"data:stage1", "stage1", "trial"}),
        ("data.vocab_size=999", {"data:tokenizer", "data:stage1", "stage1", "trial"}),
        ("data.diversity=0.5", {"data:tokenizer", "data:stage1", "stage1", "trial"}),
        (
            "seed=5",
            {"data:tokenizer", "data:stage1", "data:finetune", "data:eval", "data:incontext", "stage1", "trial"},
        ),
        ("eval.in_context=true", {"data:incontext", "trial"}),  # asked after fine-tuning: stage 1 is shared
        ("ray.num_workers=1", {"stage1", "trial"}),
        ("tracking.experiment=elsewhere", set()),
        ("output_dir=/tmp/elsewhere", set()),
    ],
)
def test_what_a_key_changes(override, want):
    assert changed(load_config(SMOKE), load_config(SMOKE, [override])) == want


def test_the_conditional_dependencies():
    # a pretrained model's tokenizer is the checkpoint's: the tokenizer knobs do not touch its key
    pre = ["model.pretrained=some/model"]
    assert "data:tokenizer" not in changed(load_config(SMOKE, pre), load_config(SMOKE, [*pre, "data.vocab_size=999"]))
    # replayed documents: the fine-tuning set depends on the text, and on control vs not, but not on the mix
    replay = ["finetune.doc_share=0.2"]
    at = lambda *o: load_config(SMOKE, [*replay, *o])  # noqa: E731
    assert "data:finetune" in changed(at("data.mix=0"), at("data.mix=0.5"))
    assert "data:finetune" not in changed(at("data.mix=0.5"), at("data.mix=0.75"))
    assert "data:finetune" in changed(at("data.diversity=1"), at("data.diversity=0.5"))
    assert "data:finetune" not in changed(load_config(SMOKE, ["data.diversity=0.5"]), load_config(SMOKE))
    # in context, the paper catalogue states the held-out biases (the split decides); a synthetic one fresh ones
    ic = ["eval.in_context=true"]
    assert "data:incontext" in changed(load_config(SMOKE, ic), load_config(SMOKE, [*ic, "finetune.fraction=0.5"]))
    syn = [*ic, "data.biases=synthetic:12", "finetune.split=random", "finetune.hiding_bias=null"]
    assert "data:incontext" not in changed(load_config(SMOKE, syn), load_config(SMOKE, [*syn, "finetune.fraction=0.5"]))


def test_one_universe_is_one_key():
    syn = ["finetune.split=random", "finetune.hiding_bias=null"]
    a = load_config(SMOKE, [*syn, "data.biases=synthetic:12@0"])
    assert a.data.biases == "synthetic:12"
    assert not changed(a, load_config(SMOKE, [*syn, "data.biases=synthetic:12"]))


def test_conditions_replicates_and_placement():
    assert [analysis_is_condition(k) for k in ("data.mix", "finetune.fraction", "data.diversity", "judge.url")] == [
        True
    ] * 4
    replicate_or_placed = (
        "seed",
        "data.hash",
        "ray.num_workers",
        "ray.use_gpu",
        "ray.cpus_per_worker",
        "ray.storage",
        "tracking.uri",
        "tracking.experiment",
        "output_dir",
        "data.cache_dir",
    )
    assert not any(analysis_is_condition(k) for k in replicate_or_placed)
    assert analysis_is_condition("a.key.from.an.older.version")  # unknown: a difference counts


def test_the_control():
    assert keys.is_control(0) and keys.is_control("0.0") and not keys.is_control(0.5)
