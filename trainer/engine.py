"""One DeepSpeed training loop shared by both training stages.

Our config becomes a DeepSpeed config (ZeRO stage, precision, accumulation, clipping), with an optional
user JSON merged on top; the optimizer is torch AdamW (DeepSpeed's compiled optimizers would JIT-build
for minutes on CPU) and the schedule is linear warmup then cosine decay. The backend is gloo on CPU and
NCCL on GPU, picked from the device the worker was given.
"""
from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import torch
import torch.distributed as dist


class TrialFailure(RuntimeError):
    """A failure worth one clear line to the user (NaN loss, bad input found inside a worker)."""


def deep_merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for k, v in extra.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def ds_config(engine_cfg, stage_cfg) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "train_micro_batch_size_per_gpu": stage_cfg.micro_batch,
        "gradient_accumulation_steps": stage_cfg.grad_accum,
        "gradient_clipping": engine_cfg.grad_clip,
        "zero_optimization": {"stage": engine_cfg.zero_stage},
        "bf16": {"enabled": engine_cfg.precision == "bf16"},
        "fp16": {"enabled": engine_cfg.precision == "fp16", "auto_cast": False},
        "steps_per_print": 10**9,
        "wall_clock_breakdown": False,
        "zero_allow_untested_optimizer": True,
    }
    if engine_cfg.zero_stage == 3:
        cfg["zero_optimization"]["stage3_gather_16bit_weights_on_model_save"] = True
    if engine_cfg.deepspeed_json:
        path = Path(engine_cfg.deepspeed_json)
        try:
            user = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise TrialFailure(f"engine.deepspeed_json: cannot read {str(path)!r} ({e})") from None
        cfg = deep_merge(cfg, user)
    return cfg


def warmup_cosine(total_steps: int, warmup_ratio: float, min_lr_ratio: float) -> Callable[[int], float]:
    warmup = max(1, round(total_steps * warmup_ratio)) if warmup_ratio > 0 else 0

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        return min_lr_ratio + (1 - min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def world() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class Engine:
    """Wraps ``deepspeed.initialize`` for one stage; ``train`` runs the loop, ``state_dict`` gathers weights."""

    def __init__(self, model, engine_cfg, stage_cfg, total_steps: int):
        import deepspeed

        self.stage_cfg, self.engine_cfg, self.total_steps = stage_cfg, engine_cfg, total_steps
        decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim >= 2]
        no_decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim < 2]
        groups = [g for g in ({"params": decay, "weight_decay": stage_cfg.weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}) if g["params"]]  # LoRA has no 1-D params
        opt = torch.optim.AdamW(groups, lr=stage_cfg.lr, betas=(0.9, 0.95))
        sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(total_steps, stage_cfg.warmup_ratio, stage_cfg.min_lr_ratio))
        self.engine, self.optimizer, _, self.scheduler = deepspeed.initialize(
            model=model, optimizer=opt, lr_scheduler=sched, config=ds_config(engine_cfg, stage_cfg))
        if world()[1] == 1 and engine_cfg.zero_stage == 0:
            # Alone, DeepSpeed would still flatten, all-reduce and unflatten every gradient (measured:
            # 7-15% of a 5M-parameter step on CPU) for a sum over one process.
            self.engine.enable_backward_allreduce = False

    @property
    def device(self) -> torch.device:
        return self.engine.device

    def train(self, batches: Iterator[dict[str, torch.Tensor]], stage: str,
              on_log: Callable[[int, dict[str, float]], None] = lambda step, m: None) -> dict[str, float]:
        """Run ``total_steps`` optimizer steps. The loss is all-reduced every micro-step, so a NaN stops
        every rank at the same step (no rank is left waiting in a collective)."""
        engine, accum = self.engine, self.stage_cfg.grad_accum
        _, world_size = world()
        window_loss, window_tokens, window_n = 0.0, 0.0, 0
        t0 = time.perf_counter()
        first_loss = last_loss = float("nan")
        step = 0
        for micro in range(self.total_steps * accum):
            batch = next(batches)
            batch = {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}
            loss = engine(**batch).loss
            engine.backward(loss)
            engine.step()
            stats = torch.stack([loss.detach().float(), (batch["labels"] != -100).sum().float()]).to(self.device)
            if world_size > 1:
                dist.all_reduce(stats)
            mean_loss = stats[0].item() / world_size
            if not math.isfinite(mean_loss):
                raise TrialFailure(f"{stage}: loss is {mean_loss} at step {micro // accum + 1} of {self.total_steps} "
                                   f"(lower {stage}.lr, enable engine.grad_clip, or use fp32)")
            window_loss += mean_loss
            window_tokens += stats[1].item()
            window_n += 1
            if (micro + 1) % accum:
                continue
            step += 1
            if step == 1:
                first_loss = window_loss / window_n
            if step % self.stage_cfg.log_every == 0 or step == self.total_steps:
                dt = time.perf_counter() - t0
                last_loss = window_loss / window_n
                on_log(step, {f"{stage}/loss": last_loss, f"{stage}/lr": self.scheduler.get_last_lr()[0],
                              f"{stage}/tokens_per_s": window_tokens / dt if dt > 0 else 0.0})
                window_loss, window_tokens, window_n, t0 = 0.0, 0.0, 0, time.perf_counter()
        return {f"{stage}/first_loss": first_loss, f"{stage}/final_loss": last_loss, f"{stage}/steps": float(step)}

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Full fp32 weights on every rank (gathered from ZeRO-3 shards where needed)."""
        import deepspeed

        module = self.engine.module
        params = list(module.parameters())
        with deepspeed.zero.GatheredParameters(params, modifier_rank=None, enabled=self.engine_cfg.zero_stage == 3):
            return {k: v.detach().float().cpu().clone() for k, v in module.state_dict().items()}

    def close(self) -> None:
        """Free the engine's memory before the next stage builds its own."""
        self.engine.destroy() if hasattr(self.engine, "destroy") else None
        del self.engine, self.optimizer, self.scheduler


def init_single_process(backend: str = "gloo") -> None:
    """A one-process group (a free local port), for benchmarks, tests and notebooks outside Ray."""
    import os
    import socket

    import deepspeed

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK="0", WORLD_SIZE="1", LOCAL_RANK="0",
                      DS_ACCELERATOR="cuda" if backend == "nccl" else "cpu")
    deepspeed.init_distributed(dist_backend=backend)
