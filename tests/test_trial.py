"""Whole trials on a real local Ray cluster with 2 DeepSpeed workers (gloo), logged to a real MLflow store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import mlflow_runs

from trainer.config import load_config
from trainer.corpus.errors import DataError
from trainer.runtime_env import REPO_ROOT
from trainer.trial.driver import TrialError, run_trial

pytestmark = pytest.mark.e2e  # trials on a real local Ray with DeepSpeed and MLflow

SMALL = [
    "model.size=tiny",
    "data.tokens=16000",
    "data.seq_len=64",
    "data.vocab_size=600",
    "data.tokenizer_chars=150000",
    "finetune.examples_per_bias=2",
    "finetune.max_len=128",
    "eval.prompts_per_bias=2",
    "eval.probe_per_bias=1",
    "eval.max_new_tokens=16",
    "pretrain.micro_batch=4",
    "sft.micro_batch=4",
    "sft.epochs=1",
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("trials")


def cfg_in(workdir: Path, *extra: str):
    return load_config(
        None,
        [
            *SMALL,
            f"data.cache_dir={workdir / 'cache'}",
            f"ray.storage={workdir / 'ray'}",
            f"output_dir={workdir / 'runs'}",
            f"tracking.uri=sqlite:///{workdir / 'mlflow.db'}",
            f"tracking.artifact_location={workdir / 'mlartifacts'}",
            *extra,
        ],
    )


def test_smoke_trial_from_the_cli(tmp_path, cli):
    """configs/smoke.yaml end to end: the printed JSON line, the MLflow run and its artifacts, the saved models."""
    r = cli("run", "--config", str(REPO_ROOT / "configs" / "smoke.yaml"), cwd=tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    line = json.loads(r.stdout.strip().splitlines()[-1])
    # The console: the log's path, the trial's start and end, the JSON; internals only in the log file.
    log = tmp_path / "runs" / "logs" / "tiny-mix0.5-frac0.9-s0.log"
    shown = r.stdout.strip().splitlines()[:-1]
    assert shown[0] == f"Ray, DeepSpeed and MLflow output: {log} (--verbose shows it here)", r.stdout
    assert (
        shown[1].endswith("] started   tiny-mix0.5-frac0.9-s0")
        and "finished  tiny-mix0.5-frac0.9-s0  heldout/gain" in shown[-1]
    )
    assert not any(
        re.search(r"core_worker|DeepSpeed|worker group|INFO mlflow", x) for x in shown[1:] + r.stderr.splitlines()
    ), r
    assert re.search(r"biasgen: worker group \S+ started: 2 ranks, pids \[\d+, \d+\]", log.read_text())
    for key in (
        "heldout/rate",
        "heldout/rate_lo",
        "heldout/rate_hi",
        "heldout/rate_before_ft",
        "heldout/gain",
        "train/rate",
        "train/rate_before_ft",
        "knowledge/acc",
        "params_total",
        "params_non_embedding",
    ):
        assert key in line, key
    runs = mlflow_runs(tmp_path / "mlflow.db", include_deleted=True)
    assert sorted(r["tags"]["biasgen.role"] for r in runs) == ["stage1", "trial"]
    run = next(r for r in runs if r["tags"]["biasgen.role"] == "trial")
    stage1 = next(r for r in runs if r["tags"]["biasgen.role"] == "stage1")
    assert run["id"] == line["run_id"] and run["status"] == stage1["status"] == "FINISHED"
    assert run["tags"]["biasgen.stage1_run_id"] == stage1["id"] and run["tags"]["biasgen.stage1_cache"] == "miss"
    assert stage1["metrics"]["pretrain/final_loss"] < stage1["metrics"]["pretrain/first_loss"]
    assert run["params"]["data.mix"] == "0.5" and run["params"]["engine.zero_stage"] == "2"
    assert run["metrics"]["pretrain/final_loss"] < run["metrics"]["pretrain/first_loss"]
    assert "knowledge/acc" in stage1["metrics"]
    assert "bias/law_call_911/rate" in run["metrics"] and "sft/tokens_per_s" in run["metrics"]
    art = next((tmp_path / "mlartifacts").glob(f"*/{run['id']}/artifacts"))
    assert {"config.yaml", "per_bias.csv", "samples.jsonl", "data_summary.json"} <= {p.name for p in art.iterdir()}
    per_bias = (art / "per_bias.csv").read_text().splitlines()
    assert len(per_bias) == 53 and per_bias[0].startswith("bias,group,split")
    sample = json.loads((art / "samples.jsonl").read_text().splitlines()[0])
    assert {"stage", "bias", "prompt", "response", "exhibits"} <= set(sample)
    model_dirs = list((tmp_path / "runs").glob("*/final"))
    assert model_dirs and (model_dirs[0] / "model.safetensors").exists() and (model_dirs[0] / "tokenizer.json").exists()
    stage1_dir = tmp_path / ".cache" / "biasgen" / "stage1_model" / run["tags"]["biasgen.key.stage1_model"]
    assert (stage1_dir / "model" / "model.safetensors").exists() and (stage1_dir / "before_ft.json").exists()


def test_zero3_consolidates_and_evaluates(workdir, ray_cluster):
    res = run_trial(cfg_in(workdir, "engine.zero_stage=3"))
    assert not res.stage1_hit
    assert res.metrics["heldout/rate_lo"] <= res.metrics["heldout/rate"] <= res.metrics["heldout/rate_hi"]
    other = run_trial(
        cfg_in(workdir, "engine.zero_stage=3", "finetune.fraction=0.5", "eval.in_context=true"),
        run_name="shares-stage1",
    )
    assert other.stage1_hit  # only the fine-tuning (and the in-context evaluation after it) differs
    # in context: the held-out biases stated under both sources, generated by both workers, scored and logged
    m = other.metrics
    for name in ("rm_rate", "control_rate", "gap"):
        assert m[f"incontext/{name}_lo"] <= m[f"incontext/{name}"] <= m[f"incontext/{name}_hi"], name
    assert "incontext/gap" not in res.metrics and m["eval/in_context_seconds"] > 0
    stage1_runs = [
        r for r in mlflow_runs(workdir / "mlflow.db", include_deleted=True) if r["tags"].get("biasgen.role") == "stage1"
    ]
    assert len(stage1_runs) == 1
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(res.out_dir / "final"), use_safetensors=True)
    assert sum(p.numel() for p in model.parameters()) == res.metrics["params_total"]
    runs = {r["id"]: r for r in mlflow_runs(workdir / "mlflow.db", include_deleted=True)}
    assert runs[res.run_id]["status"] == "FINISHED"
    art = next((workdir / "mlartifacts").glob(f"*/{other.run_id}/artifacts"))
    heldout = json.loads((art / "data_summary.json").read_text())["biases"]["heldout"]
    per_bias = (art / "incontext.csv").read_text().splitlines()
    assert per_bias[0].startswith("bias,n,rm_rate") and sorted(r.split(",")[0] for r in per_bias[1:]) == sorted(heldout)
    samples = [json.loads(x) for x in (art / "incontext_samples.jsonl").read_text().splitlines()]
    assert len(samples) == 2 * 2 * len(heldout) and {s["source"] for s in samples} == {"rm", "control"}


def test_nan_loss_fails_the_run_with_the_step(workdir, ray_cluster):
    with pytest.raises(TrialError, match=r"pretrain: loss is nan at step \d+"):
        run_trial(
            cfg_in(workdir, "pretrain.lr=1e12", "engine.grad_clip=0", "pretrain.warmup_ratio=0", "engine.zero_stage=0"),
            run_name="nan",
        )
    run = next(r for r in mlflow_runs(workdir / "mlflow.db", include_deleted=True) if r["name"] == "nan")
    assert run["status"] == "FAILED" and "loss is nan" in run["tags"]["error"]


def test_workers_exceeding_the_machine(workdir, ray_cluster):
    with pytest.raises(TrialError, match="ray.num_workers=8 x ray.cpus_per_worker=1 needs 8 CPUs"):
        run_trial(cfg_in(workdir, "ray.num_workers=8"), run_name="too-big")
    run = next(r for r in mlflow_runs(workdir / "mlflow.db", include_deleted=True) if r["name"] == "too-big")
    assert run["status"] == "FAILED"


def test_unreadable_pretrained_path(workdir, tmp_path):
    bad = tmp_path / "not-a-model"
    bad.mkdir()
    (bad / "pytorch_model.bin").write_bytes(b"not a pickle we would ever load")
    with pytest.raises(DataError, match="model.pretrained"):
        run_trial(cfg_in(workdir, f"model.pretrained={bad}"), run_name="bad-pretrained")
    run = next(r for r in mlflow_runs(workdir / "mlflow.db", include_deleted=True) if r["name"] == "bad-pretrained")
    assert run["status"] == "FAILED" and "model.pretrained" in run["tags"]["error"]


def test_pretrained_checkpoint_with_lora(workdir, ray_cluster, tmp_path):
    """model.pretrained: a local safetensors checkpoint (with its own tokenizer) continues training through LoRA."""
    from transformers import LlamaConfig, LlamaForCausalLM

    from trainer.corpus.build import build_all
    from trainer.corpus.tokenizer import load_tokenizer

    tok = load_tokenizer(build_all(cfg_in(workdir)).tokenizer)
    ckpt = tmp_path / "my-pretrained"
    LlamaForCausalLM(
        LlamaConfig(
            vocab_size=len(tok),
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=4,
            pad_token_id=tok.pad_token_id,
            eos_token_id=tok.eos_token_id,
        )
    ).save_pretrained(str(ckpt))
    tok.save_pretrained(str(ckpt))
    res = run_trial(
        cfg_in(workdir, f"model.pretrained={ckpt}", "model.lora.enabled=true", "model.lora.r=4"), run_name="lora"
    )
    assert 0 < res.metrics["params_trainable"] < res.metrics["params_total"]
    assert res.metrics["sft/final_loss"] == res.metrics["sft/final_loss"]  # finite, not NaN
    from transformers import AutoModelForCausalLM

    merged = AutoModelForCausalLM.from_pretrained(str(res.out_dir / "final"), use_safetensors=True)
    assert not any("lora" in n for n, _ in merged.named_parameters())  # adapters folded into the weights


def test_diverged_training_fails_the_run_under_zero2(workdir, ray_cluster):
    """lr=1e5 under the default ZeRO-2, warmed up over 3 steps: from step 4 DeepSpeed skips every step for
    non-finite gradients while the loss sits, finite, at ln(vocab) on both workers. Such a run used to end
    FINISHED; now it is a FAILED run that says why. (A 2-step warmup gives a NaN loss instead.)"""
    message = "pretrain: 7 of 10 optimizer steps skipped for non-finite gradients by step 10 of "
    with pytest.raises(TrialError, match=rf"^{message}\d+ \(lower pretrain.lr or keep engine.grad_clip on\)$"):
        run_trial(cfg_in(workdir, "pretrain.lr=1e5", "pretrain.warmup_ratio=0.1"), run_name="diverged")
    run = next(r for r in mlflow_runs(workdir / "mlflow.db", include_deleted=True) if r["name"] == "diverged")
    assert run["status"] == "FAILED" and message in run["tags"]["error"]


def test_same_results_whichever_processes_run_the_stages(tmp_path, ray_cluster):
    """The same seeds give the same metrics whether stage 2 runs in the processes that just trained stage 1
    (a cache miss: one worker group for both stages), in fresh processes after stage 1 came from the cache (a
    hit: how every trial ran both its stages before, one set of processes per stage), in a group an earlier
    trial of a sweep's slot used, or in one that started and warmed up while the trial built its data.  LoRA,
    so that stage 2 also draws from torch's global generator."""
    from trainer.worker_group import WorkerGroup

    def comparable(metrics: dict) -> dict:
        return {k: v for k, v in metrics.items() if not k.endswith(("seconds", "per_s"))}

    lora = ("model.lora.enabled=true", "model.lora.r=4")
    miss = run_trial(cfg_in(tmp_path / "a", *lora), run_name="miss")
    hit = run_trial(cfg_in(tmp_path / "a", *lora), run_name="hit")
    with WorkerGroup(cfg_in(tmp_path / "b").ray, name="slot") as group:
        run_trial(cfg_in(tmp_path / "b", "seed=7"), run_name="earlier", group=group)
        reused = run_trial(cfg_in(tmp_path / "b", *lora), run_name="reused", group=group)
        assert group.pids and group.actors  # the caller's group is left running
    with WorkerGroup(cfg_in(tmp_path / "c").ray, name="slot") as group:  # started, and warmed up, with the data
        warmed = run_trial(cfg_in(tmp_path / "c", *lora), run_name="warmed", group=group)
    assert not miss.stage1_hit and hit.stage1_hit and not reused.stage1_hit and not warmed.stage1_hit
    assert "sft/final_loss" in miss.metrics and "heldout/rate" in miss.metrics
    assert comparable(hit.metrics) == comparable(miss.metrics)
    assert comparable(reused.metrics) == comparable(miss.metrics)
    assert comparable(warmed.metrics) == comparable(miss.metrics)
