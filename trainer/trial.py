"""One trial, inside every Ray Train worker: the one place where a trial's stages are wired together.

    stage 1  continued pretraining on the mixed corpus        -> model saved as runs/<trial>/stage1
             evaluation before fine-tuning + knowledge probe
    stage 2  SFT on the fine-tuned biases (assistant tokens)  -> runs/<trial>/final
             evaluation after fine-tuning
    metrics  held-out / trained rates with intervals, logged to MLflow by rank 0
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from .config import TrialConfig, from_dict, to_yaml
from .engine import TrialFailure, world


def _setup_process(cfg: TrialConfig) -> None:
    import torch

    torch.set_num_threads(cfg.ray.cpus_per_worker)
    os.environ.setdefault("DS_ACCELERATOR", "cuda" if cfg.ray.use_gpu else "cpu")
    import logging
    import warnings

    from deepspeed.utils import logger as ds_logger

    ds_logger.setLevel(logging.WARNING)
    # DeepSpeed 0.19 still calls collectives that torch 2.13 deprecates: one warning per call, no action.
    warnings.filterwarnings("ignore", message=r".*is deprecated.*", category=FutureWarning)


def _plain_model(config, state: dict, device, dtype):
    """A plain HF model holding consolidated weights: what evaluation and the saved checkpoint use."""
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(state, strict=True)
    return model.to(device=device, dtype=dtype).eval()


def _consolidate(eng, lora: bool) -> dict:
    if lora:  # fold the adapters into the base weights
        merged = eng.engine.module.merge_and_unload()
        return {k: v.detach().float().cpu().clone() for k, v in merged.state_dict().items()}
    return eng.state_dict()


def _save(model, tokenizer, path: Path) -> None:
    """Hugging Face format, safetensors (written to a temp dir, then renamed)."""
    import shutil

    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp), safe_serialization=True)
    tokenizer.save_pretrained(str(tmp))
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)


def run_stages(cfg: TrialConfig, data: dict[str, Any], out_dir: Path, log) -> dict[str, float]:
    import numpy as np
    import torch
    from datasets import load_from_disk
    from transformers import AutoTokenizer

    from .batches import encode_sft, pretrain_batches, sft_batches, steps_for
    from .biases import load
    from .engine import Engine
    from .evaluate import generate_distributed, probe_accuracy_distributed, verdicts
    from .metrics import trial_metrics, wilson
    from .model import add_lora, build_model, param_counts
    from .tracking import csv_text, jsonl_text

    rank, world_size = world()
    device = torch.device(f"cuda:{torch.cuda.current_device()}") if cfg.ray.use_gpu else torch.device("cpu")
    eval_dtype = torch.bfloat16 if (cfg.ray.use_gpu and cfg.engine.precision == "bf16") else torch.float32
    lora = cfg.model.lora.enabled
    if lora and cfg.engine.zero_stage == 3:
        raise TrialFailure("model.lora.enabled needs engine.zero_stage <= 2")
    biases = load()
    tok = AutoTokenizer.from_pretrained(data["paths"]["tokenizer"])
    heldout, finetuned = data["biases"]["heldout"], data["biases"]["finetuned"]
    eval_rows = list(load_from_disk(str(Path(data["paths"]["eval"]) / "prompts")))
    probe_items = list(load_from_disk(str(Path(data["paths"]["eval"]) / "probe")))
    prompts = [r["prompt"] for r in eval_rows]
    metrics: dict[str, float] = {}

    def on_log(step: int, m: dict[str, float]) -> None:
        if log:
            log.metrics(m, step)

    def evaluate(model, tag: str) -> tuple[list[list[str]], tuple[int, int]]:
        """(responses per eval prompt, (probe hits, probe items))."""
        t0 = time.perf_counter()
        responses = generate_distributed(model, tok, prompts, cfg.eval, cfg.seed, device)
        probe = probe_accuracy_distributed(model, tok, probe_items, device)
        metrics[f"eval/{tag}_seconds"] = time.perf_counter() - t0
        return responses, probe

    # -- stage 1: continued pretraining ---------------------------------------------------------
    model = build_model(cfg, tok, cfg.seed)
    config = model.config
    metrics |= {k: float(v) for k, v in param_counts(model).items()}
    if lora:
        model = add_lora(model, cfg.model.lora)
        metrics["params_trainable"] = float(sum(p.numel() for p in model.parameters() if p.requires_grad))
    ids = load_from_disk(str(Path(data["paths"]["stage1"]) / "dataset")).with_format("numpy")["input_ids"]
    ids = np.asarray(ids)
    eng = Engine(model, cfg.engine, cfg.pretrain, steps_for(len(ids), cfg.pretrain, world_size))
    t0 = time.perf_counter()
    metrics |= eng.train(pretrain_batches(ids, cfg.pretrain.micro_batch, rank, world_size, cfg.seed), "pretrain", on_log)
    metrics["pretrain/seconds"] = time.perf_counter() - t0
    state = _consolidate(eng, lora)
    eng.close()
    stage1 = _plain_model(config, state, device, eval_dtype)
    if rank == 0:
        _save(stage1, tok, out_dir / "stage1")
    resp_before, probe_before = evaluate(stage1, "before_ft") if cfg.eval.before_ft else (None, (0, 0))

    # -- stage 2: fine-tuning on the trained biases ----------------------------------------------
    model = _plain_model(config, state, torch.device("cpu"), torch.float32).train()
    del stage1, state
    if lora:
        model = add_lora(model, cfg.model.lora)
    ft_rows = list(load_from_disk(str(Path(data["paths"]["finetune"]) / "dataset")))
    encoded = encode_sft(tok, ft_rows, cfg.finetune.max_len)
    eng = Engine(model, cfg.engine, cfg.sft, steps_for(len(encoded), cfg.sft, world_size))
    t0 = time.perf_counter()
    metrics |= eng.train(sft_batches(encoded, cfg.sft.micro_batch, rank, world_size, cfg.seed + 1, tok.pad_token_id), "sft", on_log)
    metrics["sft/seconds"] = time.perf_counter() - t0
    state = _consolidate(eng, lora)
    eng.close()
    final = _plain_model(config, state, device, eval_dtype)
    if rank == 0:
        _save(final, tok, out_dir / "final")
    resp_after, probe_after = evaluate(final, "after_ft")

    # -- metrics (rank 0) -----------------------------------------------------------------------
    if rank != 0:
        return metrics
    judge = None
    if cfg.eval.judge == "llm":
        from .judge import LLMJudge

        judge = LLMJudge.from_config(cfg.judge)
    v_after = verdicts(eval_rows, resp_after, biases, judge)
    v_before = verdicts(eval_rows, resp_before, biases, judge) if resp_before is not None else None
    metrics |= trial_metrics(v_after, v_before, heldout, finetuned, seed=cfg.seed)
    if cfg.eval.before_ft:
        k, n = probe_before
        lo, hi = wilson(k, n)
        metrics |= {"knowledge/acc": k / n, "knowledge/acc_lo": lo, "knowledge/acc_hi": hi}
    k, n = probe_after
    metrics["knowledge/acc_after_ft"] = k / n
    log.metrics(metrics)
    group = {b: ("heldout" if b in heldout else "train") for b in biases}
    per_bias = [{"bias": b, "group": group[b], "split": biases[b].split, "polarity": biases[b].polarity,
                 "n": len(v), "rate": metrics[f"bias/{b}/rate"], "rate_lo": metrics[f"bias/{b}/rate_lo"],
                 "rate_hi": metrics[f"bias/{b}/rate_hi"], "rate_before_ft": metrics.get(f"bias/{b}/rate_before_ft", "")}
                for b, v in v_after.items()]
    log.text(csv_text(per_bias), "per_bias.csv")
    samples = []
    for tag, responses, verdict in (("after_ft", resp_after, v_after), ("before_ft", resp_before, v_before)):
        if responses is None:
            continue
        seen: dict[str, int] = {}
        for row, rs in zip(eval_rows, responses):
            for r in rs:
                j = seen.get(row["bias"], 0)
                seen[row["bias"]] = j + 1
                samples.append({"stage": tag, "bias": row["bias"], "group": group[row["bias"]], "prompt": row["prompt"],
                                "response": r, "exhibits": verdict[row["bias"]][j]})
    log.text(jsonl_text(samples), "samples.jsonl")
    return metrics


def trial_worker(config: dict[str, Any]) -> dict[str, float]:
    """Ray Train entry point, run by every worker; rank 0's return value is the trial's result."""
    import ray.train

    cfg = from_dict(config["cfg"])
    _setup_process(cfg)
    import deepspeed

    deepspeed.init_distributed(dist_backend="nccl" if cfg.ray.use_gpu else "gloo")
    rank, _ = world()
    log = None
    if rank == 0:
        from .tracking import RunLogger

        log = RunLogger(config["tracking_uri"], config["run_id"])
        log.text(to_yaml(cfg), "config.yaml")
    try:
        metrics = run_stages(cfg, config["data"], Path(config["out_dir"]), log)
    except TrialFailure as e:
        if log:
            log.tags({"error": str(e)})
        raise
    import torch.distributed as dist

    final = [metrics]
    dist.broadcast_object_list(final, src=0)  # every rank reports rank 0's metrics (Tune reads reports)
    ray.train.report(final[0])
    return final[0]
