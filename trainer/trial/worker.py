"""One trial, inside the ranks of its worker group (worker side): where a trial's stages are wired together.

    stage 1  continued pretraining on the mixed corpus        -> <stage-1 cache>/<key>/model (HF format)
             evaluation before fine-tuning + knowledge probe -> <stage-1 cache>/<key>/before_ft.json
    stage 2  SFT (or DPO) on the fine-tuned biases            -> runs/<trial>/final
             evaluation after fine-tuning; metrics (held-out / trained rates with intervals) -> MLflow
             with eval.in_context, the in-context evaluation (trainer/incontext.py) -> MLflow

Stage 1 (``stage1_worker``) has its own MLflow run and its output is cached under a hash of the config it
depends on, so trials that differ only in what is fine-tuned share it; ``stage2_worker`` starts from the
published cache entry.  Both run in the same processes (``trainer/worker_group.py``) when a trial trains its
stage 1, and ``stage2_worker`` alone when the trial finds it in the cache: stage 2 reads the entry from disk
and seeds its own randomness either way, so a hit and a miss give the same results.  The driver side
(``trainer/trial/driver.py``) hands each stage a :class:`WorkerConfig`.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from datasets import load_from_disk
from transformers import AutoModelForCausalLM, AutoTokenizer

from .. import incontext, progress, timeline
from ..batches import dpo_batches, encode_dpo, encode_sft, pretrain_batches, sft_batches, steps_for
from ..biases import universe
from ..config import from_dict, to_yaml
from ..dpo import DpoObjective, frozen_copy
from ..engine import Engine, TrialFailure, world
from ..evaluate import generate_distributed, judged, probe_accuracy_distributed, verdicts
from ..judge import LLMJudge
from ..metrics import trial_metrics, wilson
from ..model import add_lora, build_model, param_counts, toy_model
from ..tracking import RunLogger, csv_text, jsonl_text
from .worker_config import WorkerConfig


def init_process(use_gpu: bool, threads: int) -> None:
    """This process's torch threads, DeepSpeed's accelerator and the ranks' process group (from the rendezvous
    environment, ``trainer.worker_group.rendezvous_env``).  Once per process: a stage or trial that runs after
    another in the same ranks, or after :func:`warm_up`, finds the group formed."""
    torch.set_num_threads(threads)
    os.environ.setdefault("DS_ACCELERATOR", "cuda" if use_gpu else "cpu")
    # imported here on purpose: DeepSpeed picks its accelerator when first imported, from DS_ACCELERATOR
    import deepspeed
    from deepspeed.utils import logger as ds_logger

    ds_logger.setLevel(logging.WARNING)
    # DeepSpeed 0.19 still calls collectives that torch 2.13 deprecates: one warning per call, no action.
    warnings.filterwarnings("ignore", message=r".*is deprecated.*", category=FutureWarning)
    if use_gpu:  # the rank's own GPU among its node's (trainer.worker_group.rendezvous_env)
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    deepspeed.init_distributed(dist_backend="nccl" if use_gpu else "gloo")


def warm_up(config: dict[str, Any]) -> None:
    """What a fresh process pays on its first stage, paid ahead, while the driver still builds the trial's data
    (``WorkerGroup.start_in_background``): the imports, the process group, and the first model build and
    ``deepspeed.initialize`` (1-3 s each the first time in a process, measured; under 0.1 s after), here on a
    tiny model under the trial's engine settings.  Torch's generators are left as they were: a warmed rank
    gives the same results as a cold one."""
    cfg = from_dict(config)
    init_process(cfg.ray.use_gpu, cfg.ray.cpus_per_worker)
    devices = [torch.cuda.current_device()] if cfg.ray.use_gpu else []
    with torch.random.fork_rng(devices=devices):
        Engine(toy_model(), cfg.engine, cfg.pretrain, total_steps=1).close()
    gc.collect()


class Context:
    """What both stages need: config, device, tokenizer, eval prompts, the rank-0 MLflow logger."""

    def __init__(self, w: WorkerConfig):
        self.w, self.data = w, w.data
        self.mark("worker_enter")
        self.cfg = cfg = from_dict(w.cfg)
        init_process(cfg.ray.use_gpu, cfg.ray.cpus_per_worker)
        self.rank, self.world_size = world()
        self.mark("process_group_ready")
        self.device = torch.device(f"cuda:{torch.cuda.current_device()}") if cfg.ray.use_gpu else torch.device("cpu")
        self.eval_dtype = torch.bfloat16 if (cfg.ray.use_gpu and cfg.engine.precision == "bf16") else torch.float32
        self.lora = cfg.model.lora.enabled
        if self.lora and cfg.engine.zero_stage == 3:
            raise TrialFailure("model.lora.enabled needs engine.zero_stage <= 2")
        self.tok = AutoTokenizer.from_pretrained(self.data["paths"]["tokenizer"])
        ev = Path(self.data["paths"]["eval"])
        self.eval_rows = list(load_from_disk(str(ev / "prompts")))
        self.probe_items = list(load_from_disk(str(ev / "probe")))
        ic = self.data["paths"].get("incontext")  # eval.in_context
        self.incontext_rows = list(load_from_disk(str(Path(ic) / "prompts"))) if ic else []
        self.mark("data_loaded")
        self.log = None
        # rank 0 tells the console's live view where the trial is (no-op without a progress folder)
        self.progress = progress.Reporter(w.progress_dir if self.rank == 0 else None, w.run_name)
        if self.rank == 0:
            self.log = RunLogger(w.tracking_uri, w.run_id)
            progress.activate(self.progress)

    def mark(self, event: str, **extra) -> None:
        """A timestamp for bench/sweep_overhead.py's breakdown (``trainer.timeline``), tagged with the trial."""
        timeline.mark(event, rank=os.environ.get("RANK"), trial=self.w.run_name, **extra)

    def on_log(self, step: int, m: dict[str, float]) -> None:
        if self.log:
            self.log.metrics(m, step)

    def train(
        self, model, stage_cfg, batches, n_examples: int, stage: str, objective=None
    ) -> tuple[dict, dict[str, float]]:
        """Train one stage (on the model's own loss, or ``objective``'s); return (consolidated fp32 state dict,
        stage metrics)."""
        self.mark("engine_init", stage=stage)
        eng = Engine(model, self.cfg.engine, stage_cfg, steps_for(n_examples, stage_cfg, self.world_size))
        self.mark("engine_ready", stage=stage)
        self.progress.stage(progress.ENGINE_STAGES.get(stage, stage), eng.total_steps)
        t0 = time.perf_counter()
        metrics = eng.train(batches, stage, self.on_log, self.progress.step, objective)
        metrics[f"{stage}/seconds"] = time.perf_counter() - t0
        self.mark("train_end", stage=stage)
        if self.lora:  # fold the adapters into the base weights
            merged = eng.engine.module.merge_and_unload()
            state = {k: v.detach().float().cpu().clone() for k, v in merged.state_dict().items()}
        else:
            state = eng.state_dict()
        eng.close()
        return state, metrics

    def plain(self, config, state: dict):
        """A plain HF model holding consolidated weights: what evaluation and the saved checkpoint use."""
        model = AutoModelForCausalLM.from_config(config)
        model.load_state_dict(state, strict=True)
        return model.to(device=self.device, dtype=self.eval_dtype).eval()

    def evaluate(self, model, stage: str) -> tuple[list[list[str]], list[int]]:
        """(responses per eval prompt, [probe hits, probe items]) — the same on every rank."""
        self.progress.stage(stage)
        self.mark("eval_start", stage=stage)
        responses = generate_distributed(
            model, self.tok, [r["prompt"] for r in self.eval_rows], self.cfg.eval, self.cfg.seed, self.device
        )
        probe = list(probe_accuracy_distributed(model, self.tok, self.probe_items, self.device))
        self.mark("eval_end", stage=stage)
        return responses, probe

    def evaluate_in_context(self, model) -> list[list[str]]:
        """Responses to the in-context prompts (``trainer.incontext``), each after its system message."""
        self.progress.stage("eval_in_context")
        rows = self.incontext_rows
        prompts, systems = [r["prompt"] for r in rows], [r["system"] for r in rows]
        return generate_distributed(model, self.tok, prompts, self.cfg.eval, self.cfg.seed, self.device, systems)


def save_hf(model, tokenizer, path: Path) -> None:
    """Hugging Face format, safetensors (written to a temp dir, then renamed)."""
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp), safe_serialization=True)
    tokenizer.save_pretrained(str(tmp))
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)


def _run(ctx: Context, body) -> Any:
    try:
        return body()
    except TrialFailure as e:
        if ctx.log:
            ctx.log.tags({"error": str(e)})
        raise
    finally:
        # the process runs the next stage, or a sweep slot's next trial: nothing of this one stays in memory
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        ctx.mark("worker_exit")


def stage1_worker(config: dict[str, Any]) -> dict[str, float]:
    """Continued pretraining, then the before-fine-tuning evaluation; writes into the stage-1 folder."""
    ctx = Context(WorkerConfig(**config))

    def body() -> dict[str, float]:
        cfg, out = ctx.cfg, Path(ctx.w.stage1_dir)
        model = build_model(cfg, ctx.tok, cfg.seed)
        config_hf = model.config
        metrics = {k: float(v) for k, v in param_counts(model).items()}
        if ctx.lora:
            model = add_lora(model, cfg.model.lora)
            metrics["params_trainable"] = float(sum(p.numel() for p in model.parameters() if p.requires_grad))
        ids = np.asarray(
            load_from_disk(str(Path(ctx.data["paths"]["stage1"]) / "dataset")).with_format("numpy")["input_ids"]
        )
        batches = pretrain_batches(ids, cfg.pretrain.micro_batch, ctx.rank, ctx.world_size, cfg.seed)
        state, m = ctx.train(model, cfg.pretrain, batches, len(ids), "pretrain")
        metrics |= m
        model = ctx.plain(config_hf, state)
        if ctx.rank == 0:
            save_hf(model, ctx.tok, out / "model")
        before = None
        if cfg.eval.before_ft:
            t0 = time.perf_counter()
            before = ctx.evaluate(model, "eval_before")
            metrics["eval/before_ft_seconds"] = time.perf_counter() - t0
            if before[1][1]:
                metrics["knowledge/acc"] = before[1][0] / before[1][1]
        if ctx.rank == 0:
            (out / "before_ft.json").write_text(
                json.dumps({"responses": before[0] if before else None, "probe": before[1] if before else None})
            )
            (out / "stage1_metrics.json").write_text(json.dumps(metrics))
            ctx.log.metrics(metrics)
            ctx.log.text(to_yaml(cfg), "config.yaml")
        return metrics

    return _run(ctx, body)


def stage2_worker(config: dict[str, Any]) -> dict[str, float]:
    """SFT or DPO (``finetune.method``) from the cached stage-1 model, evaluation, and the trial's metrics and
    artifacts (rank 0). Both are the stage ``sft`` (its config section, its curves); DPO adds ``dpo/*``."""
    ctx = Context(WorkerConfig(**config))

    def body() -> dict[str, float]:
        cfg, s1 = ctx.cfg, Path(ctx.w.stage1_dir)
        # stage 2's own randomness (LoRA's initial adapters): the same whether stage 1 ran in this process or not
        torch.manual_seed(cfg.seed + 1)
        if ctx.log:
            ctx.log.text(to_yaml(cfg), "config.yaml")
        model = AutoModelForCausalLM.from_pretrained(str(s1 / "model"), use_safetensors=True, dtype="float32")
        config_hf = model.config
        if ctx.lora:
            model = add_lora(model, cfg.model.lora)
        rows = list(load_from_disk(str(Path(ctx.data["paths"]["finetune"]) / "dataset")))
        objective = None
        if cfg.finetune.method == "dpo":
            encoded = encode_dpo(ctx.tok, rows, cfg.finetune.max_len)
            make_batches = dpo_batches
            # the reference is the starting model: adapters off under LoRA, else a frozen copy taken now
            objective = DpoObjective(cfg.dpo.beta, cfg.dpo.sft_weight, None if ctx.lora else frozen_copy(model))
        else:
            encoded = encode_sft(ctx.tok, rows, cfg.finetune.max_len)
            make_batches = sft_batches
        batches = make_batches(
            encoded, cfg.sft.micro_batch, ctx.rank, ctx.world_size, cfg.seed + 1, ctx.tok.pad_token_id
        )
        state, metrics = ctx.train(model, cfg.sft, batches, len(encoded), "sft", objective)
        del objective  # frees the reference copy before evaluation
        model = ctx.plain(config_hf, state)
        if ctx.rank == 0:
            save_hf(model, ctx.tok, Path(ctx.w.out_dir) / "final")
        t0 = time.perf_counter()
        after = ctx.evaluate(model, "eval")
        metrics["eval/after_ft_seconds"] = time.perf_counter() - t0
        in_context = None
        if ctx.incontext_rows:
            t0 = time.perf_counter()
            in_context = ctx.evaluate_in_context(model)
            metrics["eval/in_context_seconds"] = time.perf_counter() - t0
        if ctx.rank == 0:
            metrics = trial_results(ctx, universe(cfg.data.biases), s1, after, metrics)
            if in_context is not None:
                metrics |= in_context_results(ctx, in_context)
        final = [metrics]
        dist.broadcast_object_list(final, src=0)
        return final[0]

    return _run(ctx, body)  # rank 0's return value is the trial's result


def in_context_results(ctx: Context, responses: list[list[str]]) -> dict[str, float]:
    """The in-context metrics, per-bias table and samples — rank 0 only."""
    cfg = ctx.cfg
    stated = incontext.stated_biases(cfg.data.biases, ctx.data["biases"]["heldout"], cfg.eval.in_context_biases)
    judge = LLMJudge.from_config(cfg.judge) if cfg.eval.judge == "llm" else None
    metrics, per_bias, samples = incontext.score(ctx.incontext_rows, responses, stated, judge, seed=cfg.seed)
    ctx.log.metrics(metrics)
    ctx.log.text(csv_text(per_bias), "incontext.csv")
    ctx.log.text(jsonl_text(samples), "incontext_samples.jsonl")
    return metrics


def trial_results(ctx: Context, biases: dict, s1: Path, after, metrics: dict[str, float]) -> dict[str, float]:
    """Verdicts, rates with intervals, per-bias table and samples — rank 0 only."""
    cfg = ctx.cfg
    before = json.loads((s1 / "before_ft.json").read_text())
    metrics = json.loads((s1 / "stage1_metrics.json").read_text()) | metrics
    heldout, finetuned = ctx.data["biases"]["heldout"], ctx.data["biases"]["finetuned"]
    judge = LLMJudge.from_config(cfg.judge) if cfg.eval.judge == "llm" else None
    v_after = verdicts(ctx.eval_rows, after[0], biases, judge)
    v_before = verdicts(ctx.eval_rows, before["responses"], biases, judge) if before["responses"] else None
    metrics |= trial_metrics(v_after, v_before, heldout, finetuned, seed=cfg.seed)
    if before["probe"] and before["probe"][1]:
        k, n = before["probe"]
        lo, hi = wilson(k, n)
        metrics |= {"knowledge/acc": k / n, "knowledge/acc_lo": lo, "knowledge/acc_hi": hi}
    metrics["knowledge/acc_after_ft"] = after[1][0] / after[1][1] if after[1][1] else float("nan")
    ctx.log.metrics(metrics)
    group = {b: ("heldout" if b in heldout else "train") for b in biases}
    ctx.log.text(
        csv_text(
            {
                "bias": b,
                "group": group[b],
                "split": biases[b].split,
                "polarity": biases[b].polarity,
                "n": len(v),
                "rate": metrics[f"bias/{b}/rate"],
                "rate_lo": metrics[f"bias/{b}/rate_lo"],
                "rate_hi": metrics[f"bias/{b}/rate_hi"],
                "rate_before_ft": metrics.get(f"bias/{b}/rate_before_ft", ""),
            }
            for b, v in v_after.items()
        ),
        "per_bias.csv",
    )
    samples = []
    for tag, responses, verdict in (("after_ft", after[0], v_after), ("before_ft", before["responses"], v_before)):
        if responses is None:
            continue
        for row, r, v in judged(ctx.eval_rows, responses, lambda row, verdict=verdict: verdict[row["bias"]]):
            samples.append(
                {
                    "stage": tag,
                    "bias": row["bias"],
                    "group": group[row["bias"]],
                    "prompt": row["prompt"],
                    "response": r,
                    "exhibits": v,
                }
            )
    ctx.log.text(jsonl_text(samples), "samples.jsonl")
    return metrics
