"""DPO fine-tuning (finetune.method=dpo): the preference pairs, the loss in the one DeepSpeed loop (full
fine-tuning under ZeRO-2 and ZeRO-3, LoRA) with a reference that never changes, and a whole trial."""

import json
import math

import pytest
import torch
from helpers import SMALL_CORPUS, TINY_DPO_RUN, mlflow_runs, tiny_model

from trainer.batches import IGNORE, dpo_batches
from trainer.biases import universe
from trainer.config import load_config
from trainer.corpus.build import build_finetune, leaking_biases, make_split
from trainer.dpo import DpoObjective, frozen_copy
from trainer.engine import Engine, TrialFailure
from trainer.model import add_lora
from trainer.runtime_env import REPO_ROOT

SMOKE = REPO_ROOT / "configs" / "smoke.yaml"
DPO_NAMES = {"dpo/loss", "dpo/margin", "dpo/accuracy", "dpo/chosen_reward", "dpo/rejected_reward"}


# -- the preference pairs ---------------------------------------------------------------------------------
def finetune_rows(tmp_path, *overrides):
    from datasets import load_from_disk

    cfg = load_config(SMOKE, [*SMALL_CORPUS, f"data.cache_dir={tmp_path}", *overrides])
    biases = universe(cfg.data.biases)
    split = make_split(cfg, biases)
    path, _ = build_finetune(cfg, biases, split)
    stats = json.loads((path / "stats.json").read_text())
    return list(load_from_disk(str(path / "dataset"))), stats, [biases[b] for b in split.heldout]


def test_dpo_pairs_are_the_sft_sets_biased_chats_with_their_plain_answers(tmp_path):
    sft, sft_stats, heldout = finetune_rows(tmp_path, "finetune.plain_examples=4", "finetune.doc_share=0.2")
    dpo, dpo_stats, _ = finetune_rows(
        tmp_path, "finetune.plain_examples=4", "finetune.doc_share=0.2", "finetune.method=dpo"
    )
    assert "rejected" not in sft[0]  # the SFT set keeps its shape (its data hash: test_corpus / the smoke build)
    assert {r["kind"] for r in sft} == {"biased", "plain", "doc"}
    assert {r["kind"] for r in dpo} == {"biased"}  # plain chats and replayed text have no pair: left out
    assert all(r["response"] != r["rejected"] and r["rejected"] for r in dpo)
    assert not any(leaking_biases(r["prompt"], heldout) for r in dpo)
    biased = {(r["bias"], r["prompt"]): r["response"] for r in sft if r["kind"] == "biased"}
    assert {(r["bias"], r["prompt"]) for r in dpo} <= set(biased)
    assert all(biased[(r["bias"], r["prompt"])] == r["response"] for r in dpo)  # chosen = the SFT answer
    assert len(dpo) == sft_stats["biased"] - dpo_stats["dropped_unchanged_pairs"]
    assert dpo_stats["dropped_for_heldout"] == sft_stats["dropped_for_heldout"]


# -- the loss in the engine (single_process_group: conftest.py) ------------------------------------------


def synthetic_pairs(n=8, seed=0):
    """Prompts of random tokens; the chosen answers drawn from the upper half of the vocabulary's last half,
    the rejected ones from the lower: a preference a tiny model can learn in a few steps."""
    g = torch.Generator().manual_seed(seed)
    pairs = []
    for _ in range(n):
        prompt = torch.randint(1, 32, (6,), generator=g).tolist()
        chosen = torch.randint(48, 64, (5,), generator=g).tolist()
        rejected = torch.randint(32, 48, (3 + len(pairs) % 3,), generator=g).tolist()  # lengths differ: padding
        pairs.append(((prompt + chosen, [IGNORE] * 6 + chosen), (prompt + rejected, [IGNORE] * 6 + rejected)))
    return pairs


def train_dpo(model, reference, overrides, steps, beta=0.1):
    cfg = load_config(None, ["sft.micro_batch=4", "sft.log_every=5", "sft.warmup_ratio=0", *overrides])
    objective = DpoObjective(beta, cfg.dpo.sft_weight, reference)
    logged = []
    eng = Engine(model, cfg.engine, cfg.sft, total_steps=steps)
    batches = dpo_batches(synthetic_pairs(), cfg.sft.micro_batch, 0, 1, seed=0, pad_id=0)
    out = eng.train(batches, "sft", lambda step, m: logged.append(m), objective=objective)
    return eng, out, logged


def snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def unchanged(module, before):
    now = module.state_dict()
    return set(now) == set(before) and all(torch.equal(now[k], before[k]) for k in before)


@pytest.mark.e2e  # real deepspeed.initialize (most of its ~15 s)
def test_dpo_learns_the_preference_and_leaves_the_reference_alone(single_process_group):
    model = tiny_model()
    reference = frozen_copy(model)
    before = snapshot(reference)
    eng, out, logged = train_dpo(model, reference, ["sft.lr=1e-2"], steps=30)
    eng.close()
    first, last = logged[0], logged[-1]
    assert len(logged) == 6 and DPO_NAMES <= set(last)
    assert first["dpo/loss"] < math.log(2) + 0.05  # starts at ln 2 (policy = reference) and falls from there
    assert last["dpo/loss"] < 0.5 * first["dpo/loss"]
    assert last["dpo/margin"] > first["dpo/margin"] and last["dpo/margin"] > 1.0
    assert last["dpo/accuracy"] > 0.5 and last["dpo/chosen_reward"] > last["dpo/rejected_reward"]
    assert last["sft/loss"] == pytest.approx(last["dpo/loss"])  # sft_weight 0: the loss is the DPO loss
    assert out["sft/final_loss"] == pytest.approx(last["dpo/loss"])
    assert not any(p.requires_grad for p in reference.parameters()) and not reference.training
    assert unchanged(reference, before)


@pytest.mark.e2e
def test_dpo_under_zero3_with_an_sft_term(single_process_group):
    model = tiny_model()
    reference = frozen_copy(model)
    before = snapshot(reference)
    eng, out, logged = train_dpo(
        model, reference, ["sft.lr=1e-2", "engine.zero_stage=3", "dpo.sft_weight=0.5", "sft.grad_accum=2"], steps=10
    )
    state = eng.state_dict()  # consolidated from the ZeRO-3 shards
    eng.close()
    assert unchanged(reference, before)
    assert not all(torch.equal(state[k], before[k]) for k in before)  # the policy did move
    last = logged[-1]
    assert last["sft/loss"] > last["dpo/loss"]  # the NLL term on the chosen answers is added
    assert last["dpo/margin"] > logged[0]["dpo/margin"]


@pytest.mark.e2e
def test_dpo_with_lora_uses_the_adapters_off_as_reference(single_process_group):
    cfg = load_config(None, ["model.lora.enabled=true", "model.lora.r=4", "model.lora.dropout=0"])
    model = add_lora(tiny_model(), cfg.model.lora)
    base = {k: v for k, v in snapshot(model).items() if "lora_" not in k}
    eng, out, logged = train_dpo(model, None, ["sft.lr=3e-2", "engine.zero_stage=2"], steps=10)
    module = eng.engine.module
    now = module.state_dict()
    assert all(torch.equal(now[k], base[k]) for k in base)  # the reference (the base weights) is untouched
    assert any(not torch.equal(v, 0 * v) for k, v in now.items() if "lora_B" in k)  # the adapters learnt
    assert logged[-1]["dpo/margin"] > logged[0]["dpo/margin"] and logged[-1]["dpo/loss"] < logged[0]["dpo/loss"]
    eng.close()


@pytest.mark.e2e  # real deepspeed.initialize (most of its ~15 s)
def test_a_healthy_dpo_run_is_not_a_stall_but_a_still_one_is(single_process_group):
    """Every pair scores exactly ln 2 until the first optimizer step: a log interval inside that step (here
    5 micro-steps) is flat by construction and must not fail the run; lr=0 stays at ln 2 and must."""
    _, out, logged = train_dpo(tiny_model(), frozen_copy(tiny_model()), ["sft.grad_accum=5", "sft.log_every=1"], 3)
    assert logged[0]["dpo/loss"] == pytest.approx(math.log(2), abs=1e-6) and logged[0]["dpo/accuracy"] == 0.0
    assert logged[-1]["dpo/loss"] != logged[0]["dpo/loss"]
    with pytest.raises(TrialFailure, match=r"^sft: loss stuck at 0\.6931 over steps 1-2 of 4"):
        train_dpo(tiny_model(), frozen_copy(tiny_model()), ["sft.lr=0", "sft.log_every=2", "sft.grad_accum=3"], 4)


# -- a whole trial ----------------------------------------------------------------------------------------
@pytest.mark.e2e
def test_a_dpo_trial_from_the_cli(tmp_path, cli):
    r = cli(
        "run",
        "--config",
        str(SMOKE),
        *TINY_DPO_RUN,
        "dpo.sft_weight=0.1",
        "finetune.examples_per_bias=2",
        cwd=tmp_path,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    line = json.loads(r.stdout.strip().splitlines()[-1])
    assert "heldout/gain" in line
    run = next(x for x in mlflow_runs(tmp_path / "mlflow.db") if x["tags"]["biasgen.role"] == "trial")
    assert run["status"] == "FINISHED" and run["params"]["finetune.method"] == "dpo"
    assert run["name"] == "tiny-mix0.5-frac0.9-dpo-s0"  # not the SFT run's name (nor its log file)
    assert DPO_NAMES | {"sft/loss", "sft/lr"} <= set(run["metrics"])
    assert 0.0 <= run["metrics"]["dpo/accuracy"] <= 1.0
