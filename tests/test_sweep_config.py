"""Sweep YAML: grid points, variants (one-factor ablations), and the axes they declare."""

from __future__ import annotations

import pytest

from sweeps.config import load_sweep, points, sweep_axes, trial_config, trial_configs
from trainer.config import ConfigError, to_dict
from trainer.runtime_env import REPO_ROOT


def write(tmp_path, text: str):
    p = tmp_path / "s.yaml"
    p.write_text(text)
    return p


def test_variants_apply_to_every_grid_point_in_a_fixed_order(tmp_path):
    sweep = load_sweep(
        write(
            tmp_path,
            """
name: abl
base: configs/science-cpu.yaml
grid: {seed: [0, 1]}
variants:
  - {}
  - {data.tokenizer: bpe, data.vocab_size: 2000}
  - {finetune.doc_share: 0.0}
""",
        )
    )
    pts = points(sweep)
    assert pts == [
        {"seed": 0},
        {"seed": 0, "data.tokenizer": "bpe", "data.vocab_size": 2000},
        {"seed": 0, "finetune.doc_share": 0.0},
        {"seed": 1},
        {"seed": 1, "data.tokenizer": "bpe", "data.vocab_size": 2000},
        {"seed": 1, "finetune.doc_share": 0.0},
    ]
    cfgs = [trial_config(sweep, p) for p in pts]
    assert [(c.seed, c.data.tokenizer, c.data.vocab_size, c.finetune.doc_share) for c in cfgs[:3]] == [
        (0, "word", 4000, 0.3),
        (0, "bpe", 2000, 0.3),
        (0, "word", 4000, 0.0),
    ]
    # the analysis splits conditions by every declared axis, so variants never pool as if they were seeds
    assert sweep_axes(sweep) == ["data.tokenizer", "data.vocab_size", "finetune.doc_share", "seed"]


def test_no_variants_is_the_plain_grid(tmp_path):
    sweep = load_sweep(write(tmp_path, "name: g\ngrid: {data.mix: [0.0, 0.5]}\n"))
    assert points(sweep) == [{"data.mix": 0.0}, {"data.mix": 0.5}] and sweep_axes(sweep) == ["data.mix"]


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "name: t\ngrid: {seed: [0]}\nvariants: [{seed: 1}]\n",
            "variants[0].seed: also a grid axis; vary a key in one place",
        ),
        (
            "name: t\nvariants: [{}, 3]\n",
            "variants[1]: expected a mapping of trial keys to values ({} = the base), got 3",
        ),
        (
            "name: t\nvariants: {data.mix: 0.5}\n",
            "variants: expected a list of mappings (trial key: value), got {'data.mix': 0.5}",
        ),
    ],
)
def test_bad_variants_name_the_entry(tmp_path, text, message):
    with pytest.raises(ConfigError) as e:
        load_sweep(write(tmp_path, text))
    assert str(e.value) == message


def test_variants_given_on_the_command_line_are_checked_and_used(tmp_path):
    path = write(tmp_path, "name: t\ngrid: {seed: [0]}\nvariants: [{}]\n")
    with pytest.raises(ConfigError) as e:
        load_sweep(path, ["variants=[{}, 1]"])
    assert str(e.value) == "variants[1]: expected a mapping of trial keys to values ({} = the base), got 1"
    sweep = load_sweep(path, ["variants=[{}, {data.tokenizer: bpe}]"])
    assert points(sweep) == [{"seed": 0}, {"seed": 0, "data.tokenizer": "bpe"}]


def test_a_bad_key_in_a_variant_names_the_point(tmp_path):
    sweep = load_sweep(write(tmp_path, "name: t\nvariants: [{data.tokenizr: bpe}]\n"))
    with pytest.raises(ConfigError, match=r"point \(data.tokenizr=bpe\): data.tokenizr: unknown key"):
        trial_config(sweep, points(sweep)[0])


def test_run_names_read_list_values_and_keep_to_safe_characters():
    from sweeps.runner import _name_part

    assert [_name_part(v) for v in (["abstract"], ["news", "blog"], 0.01, "a b/c", True)] == [
        "abstract",
        "news+blog",
        "0.01",
        "abc",
        "True",
    ]


def test_one_trial_per_stage1_is_dispatched_before_the_trials_that_reuse_it(tmp_path):
    """Trials sharing a stage 1 wait on its lock; started side by side, one would idle its slot."""
    from sweeps.runner import stage1_first
    from trainer.config import to_dict
    from trainer.keys import stage1_key

    sweep = load_sweep(
        write(
            tmp_path, "name: t\ngrid: {data.mix: [0.0, 0.5], finetune.fraction: [0.25, 0.5], model.size: [tiny, 1m]}\n"
        )
    )
    cfgs = [trial_config(sweep, pt) for pt in points(sweep)]
    todo = [
        {"cfg": to_dict(cfg), "run_name": str(pt), "stage1_key": stage1_key(cfg)}
        for pt, cfg in zip(points(sweep), cfgs)
    ]
    order = [
        (t["cfg"]["data"]["mix"], t["cfg"]["model"]["size"], t["cfg"]["finetune"]["fraction"])
        for t in stage1_first(todo)
    ]
    assert order == [
        (0.0, "tiny", 0.25),
        (0.0, "1m", 0.25),
        (0.5, "tiny", 0.25),
        (0.5, "1m", 0.25),
        (0.0, "tiny", 0.5),
        (0.0, "1m", 0.5),
        (0.5, "tiny", 0.5),
        (0.5, "1m", 0.5),
    ]
    assert sorted(map(str, stage1_first(todo))) == sorted(map(str, todo))  # a reordering, nothing lost


@pytest.mark.parametrize("path", sorted((REPO_ROOT / "configs" / "sweeps").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_sweep_loads_and_every_point_is_a_valid_trial(path):
    """A typo in a study file fails here, not minutes into a sweep."""
    sweep = load_sweep(path)
    cfgs = [trial_config(sweep, p) for p in points(sweep)]
    assert cfgs and len({str(to_dict(c)) for c in cfgs}) == len(cfgs)  # no two points are the same trial


def test_nested_trial_keys_on_the_command_line_and_in_yaml(tmp_path):
    sweep = load_sweep("smoke", ["set.data.tokens=20000", "grid.data.mix=[0.0, 0.25]", "set.model.lora.r=4"])
    assert sweep.set["data.tokens"] == 20000 and sweep.set["model.lora.r"] == 4
    assert sweep.grid["data.mix"] == [0.0, 0.25]
    cfgs = trial_configs(sweep)
    assert {c.data.tokens for c in cfgs} == {20000} and sorted({c.data.mix for c in cfgs}) == [0.0, 0.25]
    nested = load_sweep(write(tmp_path, "name: n\nset: {data: {tokens: 3000}}\ngrid: {seed: [0, 1]}\n"))
    assert nested.set == {"data.tokens": 3000}
    with pytest.raises(ConfigError, match=r"point \(data.mix=0.0, finetune.fraction=0.5\): data.bogus: unknown key"):
        trial_configs(load_sweep("smoke", ["set.data.bogus=1"]))


def test_points_that_are_the_same_trial_are_refused(tmp_path):
    with pytest.raises(ConfigError) as e:
        trial_configs(load_sweep(write(tmp_path, "name: d\ngrid: {data.mix: [0.5, 0.50], seed: [0]}\n")))
    assert (
        str(e.value)
        == "sweep 'd': points 1 (data.mix=0.5, seed=0) and 2 (data.mix=0.5, seed=0) are the same trial; remove one"
    )
    with pytest.raises(ConfigError, match=r"points 1 \(the base\) and 2 \(data.mix=0.5\) are the same trial"):
        trial_configs(load_sweep(write(tmp_path, "name: v\nvariants: [{}, {data.mix: 0.5}]\n")))


def test_an_unknown_sweep_key_lists_the_sweep_keys():
    with pytest.raises(ConfigError) as e:
        load_sweep("smoke", ["retry=2"])
    assert str(e.value).startswith("retry: unknown key (known keys here: name, base, set, grid, variants, search")
