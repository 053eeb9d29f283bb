"""Config loading: defaults, YAML files, overrides, and one clear line for every kind of mistake."""

import pytest

from trainer.config import ConfigError, TrialConfig, describe, flatten, load_config


def test_defaults_file_and_overrides_layer_in_order(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("seed: 7\ndata:\n  mix: 0.1\nmodel:\n  size: 20m\n")
    cfg = load_config(f, ["data.mix=0.25", "finetune.split=random"])
    assert isinstance(cfg, TrialConfig)
    assert (cfg.seed, cfg.data.mix, cfg.model.size, cfg.finetune.split) == (7, 0.25, "20m", "random")
    assert cfg.finetune.fraction == TrialConfig().finetune.fraction
    assert flatten(cfg)["data.mix"] == 0.25


@pytest.mark.parametrize(
    "override, message",
    [
        (["data.mix=1.5"], "data.mix: expected a value in [0, 1], got 1.5"),
        (["finetune.fraction=-0.1"], "finetune.fraction: expected a value in [0, 1], got -0.1"),
        (["data.tokens=-5"], "data.tokens: expected a value >= 1, got -5"),
        (["data.tokens=lots"], "data.tokens: expected an integer, got 'lots'"),
        (["data.mix=half"], "data.mix: expected a number, got 'half'"),
        (["ray.use_gpu=maybe"], "ray.use_gpu: expected true or false, got 'maybe'"),
        (
            ["data.bogus=1"],
            "data.bogus: unknown key (known keys here: mix, tokens, seq_len, tokenizer, vocab_size, tokenizer_chars, "
            "genres, diversity, permute_sentences, multi_bias_share, bias_docs, generic, text_column, "
            "allow_hub, cache_dir, biases)",
        ),
        (
            ["data.genres=[news,sonnet]"],
            "data.genres: expected items from abstract, news, blog, forum, lecture, memo, "
            "textbook, interview, faq, social, got 'sonnet'",
        ),
        (["data.genres=[]"], "data.genres: expected a non-empty list"),
        (["finetune.split=half"], "finetune.split: expected one of paper, random, got 'half'"),
        (["finetune.method=ppo"], "finetune.method: expected one of sft, dpo, got 'ppo'"),
        (["dpo.beta=0"], "dpo.beta: expected a value >= 1e-06, got 0.0"),
        (["finetune.hiding_bias=nope"], "finetune.hiding_bias: expected a bias id, got 'nope'"),
        (
            ["finetune=3"],
            "finetune: is a section; set its keys (finetune.fraction, finetune.split, finetune.hiding_bias, "
            "finetune.examples_per_bias, finetune.plain_examples, finetune.doc_share, finetune.max_len, "
            "finetune.method, finetune.pairs)",
        ),
        (["data.mix"], "override 'data.mix': expected key=value"),
        (["pretrain.lr=nan"], "pretrain.lr: expected a finite number, got nan"),
        (["sft.lr=inf"], "sft.lr: expected a finite number, got inf"),
        (["judge.timeout_s=-inf"], "judge.timeout_s: expected a finite number, got -inf"),
        (["model.size=huge"], "model.size: expected one of 125m, 1b, 1m, 20m, 2m, 350m, 5m, tiny, got 'huge'"),
        (["seed=`"], "seed: expected an integer, got '`'"),  # not YAML: the literal string, checked against the type
        (["data.genres=[news"], "data.genres: expected a list, got '[news'"),
        (
            ["eval.judge=llm"],
            "judge.url: required with eval.judge=llm (the judge server's base URL, e.g. http://127.0.0.1:8000/v1)",
        ),
        (
            ["model.lora.enabled=true", "engine.zero_stage=3"],
            "model.lora.enabled: needs engine.zero_stage <= 2 (LoRA adapters are not sharded), got engine.zero_stage=3",
        ),
        (
            ["data.generic=/nonexistent/text.jsonl"],
            (
                "data.generic: no such file or directory '/nonexistent/text.jsonl' (a hub dataset name needs "
                "data.allow_hub=true)"
            ),
        ),
    ],
)
def test_bad_overrides_name_the_key_and_the_expectation(override, message):
    with pytest.raises(ConfigError) as e:
        load_config(None, override)
    assert str(e.value) == message


def test_bad_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("data: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    typo = tmp_path / "typo.yaml"
    typo.write_text("finetune:\n  fractoin: 0.5\n")
    with pytest.raises(ConfigError, match=r"^finetune.fractoin: unknown key"):
        load_config(typo)


@pytest.mark.parametrize(
    "text, message",
    [
        ("- seed: 1\n", "expected a mapping of keys at the top level, got a list"),
        ("42\n", "expected a mapping of keys at the top level, got a int"),
        ("data: 5\n", "data: is a section; expected a mapping of its keys, got 5"),
        ("model:\n  lora: [1]\n", "model.lora: is a section; expected a mapping of its keys, got [1]"),
    ],
)
def test_files_of_the_wrong_shape(tmp_path, text, message):
    f = tmp_path / "c.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_config(f)
    assert str(e.value) == f"config file {str(f)!r}: {message}"


def test_deepspeed_json_is_read_at_load(tmp_path):
    ok = tmp_path / "ok.json"
    ok.write_text('{"zero_optimization": {"reduce_bucket_size": 1000}}')
    assert load_config(None, [f"engine.deepspeed_json={ok}"]).engine.deepspeed_json == str(ok)
    for name, text, message in (
        ("bad.json", "{nope", "is not valid JSON"),
        ("list.json", "[1]", "expected a JSON object"),
        ("missing.json", None, "cannot read"),
    ):
        f = tmp_path / name
        if text is not None:
            f.write_text(text)
        with pytest.raises(ConfigError, match=f"^engine.deepspeed_json: .*{message}"):
            load_config(None, [f"engine.deepspeed_json={f}"])


def test_every_leaf_key_is_documented():
    rows = describe()
    assert len(rows) == len(flatten(TrialConfig()))
    assert all(help_text for _, _, help_text in rows)


def test_cli_rejects_bad_config_in_one_line(cli):
    r = cli("run", "finetune.fraction=2")
    assert r.returncode == 2
    assert r.stderr.strip() == "error: finetune.fraction: expected a value in [0, 1], got 2.0"
    assert "Traceback" not in r.stderr
    ok = cli("run", "--print-config", "data.mix=0.3", "seed=4")
    assert ok.returncode == 0 and "mix: 0.3" in ok.stdout and "seed: 4" in ok.stdout
