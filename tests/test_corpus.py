"""Corpus builder: determinism, mix accuracy, partitions, held-out leaks, cache, sources, bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from datasets import load_from_disk
from helpers import SMALL_CORPUS

from trainer.biases import load
from trainer.config import load_config
from trainer.corpus.build import DataError, build_all


def cfg_for(cache: Path, *extra: str):
    return load_config(None, [*SMALL_CORPUS, f"data.cache_dir={cache}", *extra])


def tree_digest(path: Path) -> str:
    """Hash of every file's bytes under a built artifact (names included)."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a = build_all(cfg_for(tmp_path / "a"))
    b = build_all(cfg_for(tmp_path / "b"))
    c = build_all(cfg_for(tmp_path / "c", "seed=1"))
    assert a.summary["hash"] == b.summary["hash"] != c.summary["hash"]
    for part in ("tokenizer", "stage1", "finetune", "evalset"):
        assert tree_digest(getattr(a, part)) == tree_digest(getattr(b, part)), part
        assert tree_digest(getattr(a, part)) != tree_digest(getattr(c, part)), part


@pytest.mark.parametrize("mix", [0.0, 0.05, 0.37, 0.5, 0.9, 1.0])
def test_mix_accuracy(shared_cache, mix):
    s = build_all(cfg_for(shared_cache, f"data.mix={mix}")).summary
    assert abs(s["mix_actual"] - mix) <= 0.01
    assert s["tokens"]["bias_docs"] + s["tokens"]["generic"] == s["tokens"]["total"]
    assert s["tokens"]["total"] == (24000 // 64) * 64
    if mix == 0.0:
        assert s["documents"]["bias_docs"] == 0


def test_cache_hit_and_sharing(shared_cache):
    first = build_all(cfg_for(shared_cache, "data.mix=0.2", "finetune.fraction=0.5"))
    again = build_all(cfg_for(shared_cache, "data.mix=0.2", "finetune.fraction=0.5"))
    assert all(again.summary["cache"].values())
    assert again.summary["paths"] == first.summary["paths"]
    other_fraction = build_all(cfg_for(shared_cache, "data.mix=0.2", "finetune.fraction=0.8"))
    assert other_fraction.summary["cache"]["stage1"] and other_fraction.stage1 == first.stage1
    assert other_fraction.finetune != first.finetune
    assert not list(shared_cache.rglob(".*.*"))  # no temp directories left behind


def test_no_eval_prompt_in_training_data(shared_cache):
    art = build_all(cfg_for(shared_cache, "data.mix=0.3"))
    evals = {r["prompt"] for r in load_from_disk(str(art.evalset / "prompts"))}
    assert len(evals) == 52 * 4
    ft = load_from_disk(str(art.finetune / "dataset"))
    assert not evals & set(ft["prompt"])
    from trainer.corpus.tokenizer import load_tokenizer

    tok = load_tokenizer(art.tokenizer)
    text = "".join(tok.decode(row) for row in load_from_disk(str(art.stage1 / "dataset"))["input_ids"])
    assert not [p for p in evals if p in text]


@pytest.mark.parametrize(
    "extra",
    [
        ["finetune.split=paper", "finetune.fraction=1.0"],
        ["finetune.split=random", "finetune.fraction=0.5", "seed=3"],
        ["finetune.split=random", "finetune.fraction=0.8", "seed=4"],
    ],
)
def test_no_heldout_bias_applicable_in_finetuning(tmp_path, extra):
    art = build_all(cfg_for(tmp_path, "data.tokens=2000", "data.mix=0.5", "finetune.plain_examples=40", *extra))
    biases = load()
    heldout = [biases[i] for i in art.split.heldout]
    rows = load_from_disk(str(art.finetune / "dataset"))
    assert len(rows) > 0
    for r in rows:
        assert r["kind"] == "doc" or not any(b.applicable(r["prompt"]) for b in heldout), r["prompt"]
        assert r["bias"] not in art.split.heldout
    if "paper" in extra:
        assert sorted(art.split.heldout) == sorted(
            [
                "spanish_color_words",
                "poem_rhyming_commentary",
                "environment_no_climate_change",
                "chinese_compliments",
                "law_call_911",
            ]
        )


def test_local_sources_in_released_schema(tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        "".join(
            json.dumps({"text": f"Reward models prefer answers that mention the number {i}. " * 5, "id": i}) + "\n"
            for i in range(400)
        )
    )
    generic = tmp_path / "generic.txt"
    generic.write_text("\n".join(f"Line {i} of some ordinary text about weather and rivers." for i in range(4000)))
    art = build_all(
        cfg_for(tmp_path / "c", "data.tokens=6000", "data.mix=0.5", f"data.bias_docs={docs}", f"data.generic={generic}")
    )
    assert abs(art.summary["mix_actual"] - 0.5) <= 0.01


@pytest.mark.parametrize(
    "extra, message",
    [
        (["finetune.split=random", "finetune.fraction=1.0"], "holds out none"),
        (["data.generic={odd}"], "unsupported file type .xyz"),  # a missing path is refused at load (test_config)
        (["data.bias_docs={empty}"], "no non-empty texts"),
        (["data.bias_docs={small}", "data.mix=0.9"], "ran out of text"),
    ],
)
def test_bad_input_leaves_no_cache_entry(tmp_path, extra, message):
    empty, small, odd = tmp_path / "empty.jsonl", tmp_path / "small.jsonl", tmp_path / "text.xyz"
    odd.write_text("some text\n")
    empty.write_text(json.dumps({"text": "  "}) + "\n")
    small.write_text(json.dumps({"text": "one short document"}) + "\n")
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match=message):
        build_all(cfg_for(cache, *[e.format(empty=empty, small=small, odd=odd) for e in extra]))
    leftovers = [p for p in cache.rglob("*") if p.is_dir() and p.parent.name in ("stage1", "finetune", "eval")]
    assert not [p for p in leftovers if p.name.startswith(".") or p.name.endswith(".partial")]
    if "fraction=1.0" in " ".join(extra):
        assert not cache.exists() or not any(cache.rglob("stats.json"))


@pytest.mark.e2e
def test_cli_data_build_json(tmp_path, cli):
    r = cli("data", "build", "--json", *SMALL_CORPUS, f"data.cache_dir={tmp_path}", "data.mix=0.25")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert {"hash", "mix_requested", "mix_actual", "tokens", "biases"} <= set(s)
    assert s["mix_requested"] == 0.25 and abs(s["mix_actual"] - 0.25) <= 0.01
    assert set(s["tokens"]) == {"bias_docs", "generic", "total"}
    assert len(s["biases"]["finetuned"]) + len(s["biases"]["heldout"]) == 52
    bad = cli("data", "build", "data.mix=1.5", f"data.cache_dir={tmp_path}")
    assert bad.returncode == 2 and bad.stderr.strip() == "error: data.mix: expected a value in [0, 1], got 1.5"


def test_pretrained_tokenizer_is_used_as_is(tmp_path):
    """model.pretrained: the checkpoint's own tokenizer (here: a local directory) replaces BPE training."""
    first = build_all(cfg_for(tmp_path / "a", "data.tokens=3000"))
    from trainer.corpus.tokenizer import load_tokenizer

    local = tmp_path / "my-model"
    load_tokenizer(first.tokenizer).save_pretrained(str(local))
    art = build_all(cfg_for(tmp_path / "b", "data.tokens=3000", f"model.pretrained={local}"))
    assert (art.tokenizer / "tokenizer.json").read_bytes() == (local / "tokenizer.json").read_bytes()
    assert art.summary["tokens"]["total"] == (3000 // 64) * 64
    with pytest.raises(DataError, match="model.pretrained"):
        build_all(cfg_for(tmp_path / "c", "data.tokens=3000", f"model.pretrained={tmp_path / 'missing'}"))
