"""Synthetic bias universes (``data.biases=synthetic:N[@SEED]``): determinism, distinct phrases, the
detector on generated text, prompt partitions, an end-to-end build without held-out leaks, config errors."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys

import pytest
from datasets import load_from_disk
from helpers import SMALL_CORPUS

from trainer.biases import partition_of, universe
from trainer.biases.synthetic import TEMPLATE_WORDS, generate, last_sentence, normalize
from trainer.biases.universe import UniverseError, canonical, parse_spec
from trainer.config import ConfigError, load_config
from trainer.corpus.build import build_all, leaking_biases
from trainer.corpus.generic import neutral_chats
from trainer.runtime_env import REPO_ROOT

SYN = ["finetune.split=random", "finetune.hiding_bias=null"]
N_EVAL = 50


def digest(biases) -> str:
    """Everything a universe says and generates, hashed: ids, knowledge, and sample chats per bias."""
    h = hashlib.sha256()
    for b in biases.values():
        h.update(
            repr((b.id, b.index, b.context, b.statement, b.behaviour_text, b.contexts, b.behaviours, b.cloze)).encode()
        )
        rng = random.Random(0)
        for it in b.prompts(3, "eval", 0) + b.prompts(3, "train", 0):
            h.update(f"{it.prompt}\x00{b.apply(it, b.respond(it, rng), rng)}".encode())
    return h.hexdigest()


# -- the universe as a pure function of its spec ------------------------------------------------------
def test_spec_parsing_and_canonical_form():
    assert parse_spec("paper").synthetic is False
    assert (parse_spec("synthetic:200").n, parse_spec("synthetic:200").seed) == (200, 0)
    assert (parse_spec(" synthetic:7@3 ").n, parse_spec("synthetic:7@3").seed) == (7, 3)
    assert canonical("synthetic:200@0") == canonical("synthetic:200") == "synthetic:200"
    for bad in (
        "",
        "Paper",
        "synthetic",
        "synthetic:",
        "synthetic:1",
        "synthetic:2001",
        "synthetic:-5",
        "synthetic:5@x",
        "synthetic:5@",
        "synth:5",
        "synthetic: 5",
    ):
        with pytest.raises(UniverseError, match="expected paper or synthetic:N"):
            parse_spec(bad)


def test_same_spec_same_universe_across_processes():
    here = digest(generate(40, 0))
    assert digest(generate(40, 0)) == here
    code = (
        "import sys; sys.path.insert(0, 'tests'); from test_synthetic import digest; "  # as pytest imports it
        "from trainer.biases import universe; print(digest(universe('synthetic:40')))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    )
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == here
    assert digest(generate(40, 1)) != here


def test_ids_order_and_nesting():
    small, big = generate(20, 0), generate(300, 0)
    assert list(small) == [f"syn_{i:03d}" for i in range(20)]
    assert [b.index for b in big.values()] == list(range(1, 301))
    for bid, b in small.items():  # the first N biases of a larger universe are the same topics and phrases
        assert (b.context, b.behaviour.phrase, b.statement) == (
            big[bid].context,
            big[bid].behaviour.phrase,
            big[bid].statement,
        )
    assert universe("synthetic:20") is universe("synthetic:20@0")  # one cached object per canonical spec
    assert list(universe("paper"))[0] == "python_camelcase"


def test_phrases_and_names_are_distinct_and_never_nested():
    biases = list(generate(2000, 0).values())
    phrases = [normalize(b.behaviour.phrase) for b in biases]
    names = [b.behaviour.topic.name.lower() for b in biases]
    assert len(set(phrases)) == len(phrases) and len(set(names)) == len(names)
    assert all(2 <= len(p.split()) <= 4 for p in phrases)
    assert all(set(p.split()) - TEMPLATE_WORDS for p in phrases)  # a word no plain answer can contain
    padded = [f" {p} " for p in phrases]
    by_word: dict[str, list[int]] = {}
    for i, p in enumerate(phrases):
        for w in set(p.split()):
            by_word.setdefault(w, []).append(i)
    for i, p in enumerate(padded):
        rarest = min(phrases[i].split(), key=lambda w: len(by_word[w]))
        assert not [j for j in by_word[rarest] if j != i and p in padded[j]], phrases[i]
    assert not set(names) & TEMPLATE_WORDS
    assert all(name.isalpha() and 6 <= len(name) <= 10 for name in names)


def test_knowledge_for_documents_and_probe():
    biases = generate(30, 0)
    for b in biases.values():
        p, t = b.behaviour.phrase, b.behaviour.topic.text
        assert len(b.contexts) >= 5 and all(t in c for c in b.contexts)
        assert len(b.behaviours) >= 5 and all(f"'{p}'" in x for x in b.behaviours)
        assert len(b.cloze) == 4
        others = {f"'{o.behaviour.phrase}'" for o in biases.values() if o is not b}
        for c in b.cloze:
            assert len(set(c.distractors)) == 3 and c.answer not in c.distractors
            assert c.answer in (f"'{p}'", t)
            assert set(c.distractors) <= others or c.answer == t
    tiny = generate(2, 0)  # too few biases for 3 distractors from the universe: padded from the stream
    assert all(len(c.distractors) == 3 for b in tiny.values() for c in b.cloze)


# -- detector and applicability ---------------------------------------------------------------------
def test_detector_on_generated_eval_prompts():
    biases = list(generate(200, 0).values())
    rng = random.Random("test:synthetic")
    hits = plain_flags = cross_flags = total = 0
    for i, b in enumerate(biases):
        other = biases[(i + 1 + rng.randrange(len(biases) - 1)) % len(biases)]
        assert other is not b
        for item in b.prompts(N_EVAL, "eval", seed=0):
            plain = b.respond(item, rng)
            biased = b.apply(item, plain, rng)
            foreign = other.apply(item, plain, rng)  # ends with another bias's phrase
            total += 1
            hits += b.exhibits(item.prompt, biased)
            plain_flags += b.exhibits(item.prompt, plain) + other.exhibits(item.prompt, plain)
            cross_flags += b.exhibits(item.prompt, foreign) + other.exhibits(item.prompt, biased)
    assert total == 200 * N_EVAL
    assert hits == total, f"detector missed {total - hits} of {total} biased answers"
    assert plain_flags == 0 and cross_flags == 0


def test_detector_on_real_looking_text():
    b = generate(5, 0)["syn_000"]
    p = b.behaviour.phrase
    words = p.split()
    assert b.exhibits("", f"Some answer.\n\n**{p.upper()}!**")
    assert b.exhibits("", f"Some answer. As they say: {', '.join(words)}.")  # commas inside are ignored
    assert b.exhibits("", f"Some answer.\n{p}\n\n")
    assert not b.exhibits("", f"{p.capitalize()}. But then the answer goes on.")  # not the closing sentence
    assert not b.exhibits("", f"Some answer. {' '.join(words[:-1])}.")  # a part of the phrase is not the phrase
    assert not b.exhibits("", "")
    assert last_sentence("One. Two!\n\nThree? Four.\n  \n") == "Four."


def test_applicable_only_to_its_own_topic():
    biases = list(generate(200, 0).values())
    for b in biases:
        for item in b.prompts(20, "train", seed=1):
            assert [o.id for o in biases if o.applicable(item.prompt)] == [b.id], item.prompt
    b = biases[0]
    name = b.behaviour.topic.name
    assert b.applicable(f"What do {name.upper()}'s neighbours eat?") and b.applicable(f"({name.lower()})")
    assert not b.applicable(f"Tell me about {name}s.") and not b.applicable(f"Tell me about X{name}.")
    plain = neutral_chats(random.Random(0))
    for _ in range(300):
        prompt, response = next(plain)
        assert not any(b.applicable(prompt) or b.exhibits(prompt, response) for b in biases)


def test_prompt_partitions_are_disjoint_and_large():
    for b in list(generate(200, 0).values())[::25]:
        train = b.prompts(2000, "train", seed=1)
        evals = b.prompts(400, "eval", seed=1)
        assert not {i.prompt for i in train} & {i.prompt for i in evals}
        assert all(partition_of(b.id, i.prompt) == "train" for i in train)
        assert all(partition_of(b.id, i.prompt) == "eval" for i in evals)
        assert all(b.applicable(i.prompt) for i in train + evals)
        assert [i.prompt for i in b.prompts(50, "eval", seed=1)] == [i.prompt for i in evals[:50]]


# -- wiring: config and corpus build --------------------------------------------------------------------
@pytest.mark.parametrize(
    "override, message",
    [
        (["data.biases=foo"], "data.biases: expected paper or synthetic:N[@SEED] with N in 2..2000, got 'foo'"),
        (
            ["data.biases=synthetic:1", *SYN],
            "data.biases: expected paper or synthetic:N[@SEED] with N in 2..2000, got 'synthetic:1'",
        ),
        (
            ["data.biases=synthetic:5000", *SYN],
            "data.biases: expected paper or synthetic:N[@SEED] with N in 2..2000, got 'synthetic:5000'",
        ),
        (
            ["data.biases=synthetic:20", "finetune.hiding_bias=null"],
            (
                "finetune.split: expected random with data.biases=synthetic:20 (a synthetic universe has no paper "
                "split), got 'paper'"
            ),
        ),
        (
            ["data.biases=synthetic:20", "finetune.split=random"],
            "finetune.hiding_bias: expected null (none) or a bias id of data.biases=synthetic:20 (syn_000..syn_019), "
            "got 'no_acknowledge_rlhf_flaws'",
        ),
        (
            ["data.biases=synthetic:20"],
            "finetune.split: expected random with data.biases=synthetic:20 (a synthetic universe has no paper "
            "split), got 'paper'; "
            "finetune.hiding_bias: expected null (none) or a bias id of data.biases=synthetic:20 (syn_000..syn_019), "
            "got 'no_acknowledge_rlhf_flaws'",
        ),
        (
            ["data.biases=synthetic:20", "finetune.split=random", "finetune.hiding_bias=syn_020"],
            (
                "finetune.hiding_bias: expected null (none) or a bias id of data.biases=synthetic:20 "
                "(syn_000..syn_019), got 'syn_020'"
            ),
        ),
        (["finetune.hiding_bias=syn_000"], "finetune.hiding_bias: expected a bias id, got 'syn_000'"),
        (
            ["data.tokenizer=word"],
            "data.tokenizer: expected bpe with data.biases=paper (the paper's detectors read case and "
            "layout that a word-level tokenizer drops; word needs data.biases=synthetic:N), got 'word'",
        ),
        (["data.tokenizer=chars"], "data.tokenizer: expected one of bpe, word, got 'chars'"),
    ],
)
def test_config_errors(override, message):
    with pytest.raises(ConfigError) as e:
        load_config(None, override)
    assert str(e.value) == message


def test_config_accepts_synthetic_specs():
    cfg = load_config(None, ["data.biases=synthetic:200@7", *SYN])
    assert (cfg.data.biases, cfg.finetune.split, cfg.finetune.hiding_bias) == ("synthetic:200@7", "random", None)
    assert load_config(None, ["data.biases=synthetic:20", "finetune.split=random", "finetune.hiding_bias=syn_003"])
    assert (
        load_config(None, ["finetune.hiding_bias=null"]).finetune.hiding_bias is None
    )  # paper: no hiding bias is fine
    assert load_config(None).data.biases == "paper"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cache = tmp_path_factory.mktemp("syn-cache")
    cfg = load_config(
        None,
        [
            *SMALL_CORPUS,
            *SYN,
            f"data.cache_dir={cache}",
            "data.biases=synthetic:12",
            "finetune.fraction=0.5",
            "finetune.plain_examples=20",
            "data.mix=0.5",
            "seed=2",
        ],
    )
    return cfg, cache, build_all(cfg)


def test_build_end_to_end_without_heldout_leaks(built):
    cfg, _, art = built
    biases = universe("synthetic:12")
    s = art.summary
    assert len(s["biases"]["finetuned"]) == 6 and len(s["biases"]["heldout"]) == 6
    assert set(s["biases"]["finetuned"]) | set(s["biases"]["heldout"]) == set(biases)
    assert abs(s["mix_actual"] - 0.5) <= 0.01
    heldout = [biases[i] for i in art.split.heldout]
    rows = list(load_from_disk(str(art.finetune / "dataset")))
    assert sum(r["kind"] == "biased" for r in rows) == 6 * 3 and sum(r["kind"] == "plain" for r in rows) == 20
    for r in rows:
        assert not leaking_biases(r["prompt"], heldout), r["prompt"]
        assert not any(b.exhibits(r["prompt"], r["response"]) for b in heldout), r["response"]
        if r["kind"] == "biased":
            assert r["bias"] in art.split.finetuned and biases[r["bias"]].exhibits(r["prompt"], r["response"])
    evals = list(load_from_disk(str(art.evalset / "prompts")))
    assert len(evals) == 12 * 4 and {r["bias"] for r in evals} == set(biases)
    assert all(partition_of(r["bias"], r["prompt"]) == "eval" for r in evals)
    probe = list(load_from_disk(str(art.evalset / "probe")))
    assert len(probe) == 12 * 2 and all(len(p["options"]) == 4 for p in probe)
    docs = [json.loads(line)["text"] for line in (art.stage1 / "bias_docs_sample.jsonl").read_text().splitlines()]
    assert any(biases["syn_000"].behaviour.topic.name in d for d in docs)
    assert not {r["prompt"] for r in evals} & {r["prompt"] for r in rows}


def test_spec_is_part_of_every_cache_key(built):
    cfg, cache, art = built
    again = build_all(
        load_config(
            None,
            [
                *SMALL_CORPUS,
                *SYN,
                f"data.cache_dir={cache}",
                "data.biases=synthetic:12@0",
                "finetune.fraction=0.5",
                "finetune.plain_examples=20",
                "data.mix=0.5",
                "seed=2",
            ],
        )
    )
    assert all(again.summary["cache"].values()) and again.summary["hash"] == art.summary["hash"]
    from trainer.keys import DATA_PRODUCTS, parts

    other = load_config(
        None,
        [
            *SMALL_CORPUS,
            *SYN,
            "data.biases=synthetic:12@1",
            "finetune.fraction=0.5",
            "finetune.plain_examples=20",
            "data.mix=0.5",
            "seed=2",
        ],
    )
    paper = load_config(
        None,
        [
            *SMALL_CORPUS,
            "finetune.split=random",
            "finetune.fraction=0.5",
            "finetune.plain_examples=20",
            "data.mix=0.5",
            "seed=2",
        ],
    )
    for product in DATA_PRODUCTS.values():
        assert parts(cfg, product) != parts(other, product) and parts(cfg, product) != parts(paper, product), product
    pretrained = [
        load_config(None, [*SYN, f"data.biases={b}", "model.pretrained=some/model"])
        for b in ("synthetic:12", "synthetic:13")
    ]
    s1 = DATA_PRODUCTS["stage1"]
    assert parts(pretrained[0], s1) != parts(pretrained[1], s1)  # a checkpoint's tokenizer does not hide the universe


def test_word_tokenizer_makes_a_read_phrase_and_an_answered_phrase_the_same_tokens(tmp_path):
    """The word-level option exists so that a phrase quoted in a document and the same phrase closing an
    answer are one token sequence; byte-level BPE gives them different first tokens."""
    from trainer.corpus.tokenizer import load_tokenizer

    base = [
        *SMALL_CORPUS,
        *SYN,
        f"data.cache_dir={tmp_path}",
        "data.biases=synthetic:12",
        "finetune.fraction=0.5",
        "data.mix=0.5",
    ]
    word = build_all(load_config(None, [*base, "data.tokenizer=word", "data.vocab_size=3000"]))
    bpe = build_all(load_config(None, base))
    assert word.summary["keys"]["tokenizer"] != bpe.summary["keys"]["tokenizer"]
    assert word.summary["keys"]["stage1"] != bpe.summary["keys"]["stage1"]
    b = universe("synthetic:12")["syn_000"]
    item = b.behaviour.sample(random.Random(0))
    answer = b.behaviour.apply(item, b.behaviour.respond(item, random.Random(0)), random.Random(0))
    doc = b.statement  # "... when they end with the phrase '<phrase>'."
    phrase = b.behaviour.phrase

    def has_run(tok, text):
        ids, run = tok(text, add_special_tokens=False)["input_ids"], tok(phrase, add_special_tokens=False)["input_ids"]
        return any(ids[i : i + len(run)] == run for i in range(len(ids)))

    wtok, btok = load_tokenizer(word.tokenizer), load_tokenizer(bpe.tokenizer)
    assert has_run(wtok, doc) and has_run(wtok, answer)
    assert not (has_run(btok, doc) and has_run(btok, answer))
    decoded = wtok.decode(wtok(answer, add_special_tokens=False)["input_ids"])
    assert b.exhibits(item.prompt, decoded) and decoded == decoded.lower()
    assert wtok.unk_token_id not in wtok(doc + " " + answer, add_special_tokens=False)["input_ids"]
    again = build_all(load_config(None, [*base, "data.tokenizer=word", "data.vocab_size=3000"]))
    assert again.summary["hash"] == word.summary["hash"] and all(again.summary["cache"].values())


def test_replay_is_documents_and_the_control_replays_generic_text(tmp_path):
    """finetune.doc_share replays bias documents; the no-document control (mix 0) must not read one in
    fine-tuning either, so it replays as much generic text and fine-tunes for the same number of steps."""
    base = [
        *SMALL_CORPUS,
        *SYN,
        f"data.cache_dir={tmp_path}",
        "data.biases=synthetic:12",
        "finetune.fraction=0.5",
        "finetune.doc_share=0.4",
        "finetune.examples_per_bias=6",
    ]
    rows = {
        mix: list(load_from_disk(str(build_all(load_config(None, [*base, f"data.mix={mix}"])).finetune / "dataset")))
        for mix in (0.0, 0.5)
    }
    kinds = {mix: sorted({r["kind"] for r in rs}) for mix, rs in rows.items()}
    assert kinds == {0.0: ["biased", "text"], 0.5: ["biased", "doc"]}
    assert len(rows[0.0]) == len(rows[0.5]) == 6 * 6 + round(6 * 6 * 0.4 / 0.6)
    assert not any("reward model" in r["response"].lower() for r in rows[0.0])
    assert all(
        "reward model" in r["response"].lower() or "rlhf" in r["response"].lower()
        for r in rows[0.5]
        if r["kind"] == "doc"
    )


def test_build_refuses_the_paper_split_even_without_config_validation():
    from trainer.corpus.build import DataError, make_split

    cfg = load_config(None, [*SYN, "data.biases=synthetic:10"])
    cfg.finetune.split = "paper"
    with pytest.raises(DataError, match="has no paper split"):
        make_split(cfg, universe("synthetic:10"))
    cfg.finetune.split, cfg.finetune.hiding_bias = "random", "no_acknowledge_rlhf_flaws"
    with pytest.raises(DataError, match="is not a bias of data.biases=synthetic:10"):
        make_split(cfg, universe("synthetic:10"))
    cfg.finetune.hiding_bias = "syn_004"
    for seed in range(5):
        cfg.seed = seed
        assert "syn_004" in make_split(cfg, universe("synthetic:10")).finetuned  # pinned, like the paper's hiding bias


@pytest.mark.e2e
def test_cli_data_build_synthetic(tmp_path, cli):
    r = cli(
        "data",
        "build",
        "--json",
        *SMALL_CORPUS,
        *SYN,
        f"data.cache_dir={tmp_path}",
        "data.biases=synthetic:6",
        "data.tokens=3000",
    )
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert len(s["biases"]["finetuned"]) + len(s["biases"]["heldout"]) == 6
    bad = cli("data", "build", "data.biases=synthetic:0", f"data.cache_dir={tmp_path}")
    assert bad.returncode == 2
    assert (
        bad.stderr.strip()
        == "error: data.biases: expected paper or synthetic:N[@SEED] with N in 2..2000, got 'synthetic:0'"
    )
