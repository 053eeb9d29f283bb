"""Generation and the probe: batching changes speed, never answers; the probe ranks options by likelihood."""

import pytest
import torch

from trainer.biases import load
from trainer.config import load_config
from trainer.corpus.build import build_all
from trainer.corpus.tokenizer import load_tokenizer
from trainer.evaluate import generate, probe_choices
from trainer.model import build_model


@pytest.fixture(scope="module")
def model_and_tok(tmp_path_factory):
    cfg = load_config(
        None,
        [
            "data.tokens=3000",
            "data.seq_len=64",
            "data.vocab_size=600",
            "data.tokenizer_chars=100000",
            f"data.cache_dir={tmp_path_factory.mktemp('c')}",
            "model.size=tiny",
        ],
    )
    tok = load_tokenizer(build_all(cfg).tokenizer)
    return build_model(cfg, tok, seed=0).eval(), tok


def test_batched_greedy_generation_equals_one_at_a_time(model_and_tok):
    model, tok = model_and_tok
    prompts = [it.prompt for b in list(load().values())[:12] for it in b.prompts(1, "eval", 0)]
    batched = generate(model, tok, prompts, max_new_tokens=12, batch_size=8)
    single = [generate(model, tok, [p], max_new_tokens=12, batch_size=1)[0] for p in prompts]
    assert batched == single
    assert all(len(r) == 1 for r in batched)


def test_sampling_gives_n_answers_and_is_seeded(model_and_tok):
    model, tok = model_and_tok
    a = generate(
        model, tok, ["Tell me about goats."], max_new_tokens=8, batch_size=4, samples=3, temperature=1.0, seed=5
    )
    b = generate(
        model, tok, ["Tell me about goats."], max_new_tokens=8, batch_size=4, samples=3, temperature=1.0, seed=5
    )
    assert len(a[0]) == 3 and a == b


def test_probe_picks_the_most_likely_option(model_and_tok):
    model, tok = model_and_tok
    item = {"stem": "Reward models prefer recipes with", "options": ["chocolate", "salt", "basil pesto sauce"]}
    with torch.no_grad():

        def logp(opt):
            stem = tok(item["stem"], add_special_tokens=False)["input_ids"]
            o = tok(" " + opt, add_special_tokens=False)["input_ids"]
            ids = torch.tensor([stem + o])
            lp = torch.log_softmax(model(input_ids=ids).logits[0, :-1], -1)
            return sum(lp[len(stem) - 1 + i, t].item() for i, t in enumerate(o))

        expected = max(range(3), key=lambda i: logp(item["options"][i]))
    assert probe_choices(model, tok, [item, item], batch_size=2) == [expected, expected]
