"""One DeepSpeed training loop shared by both training stages.

Our config becomes a DeepSpeed config (ZeRO stage, precision, accumulation, clipping), with an optional
user JSON merged on top; the optimizer is torch AdamW (DeepSpeed's compiled optimizers would JIT-build
for minutes on CPU; torch's fused kernel on CUDA) and the schedule is linear warmup then cosine decay. The
backend is gloo on CPU and NCCL on GPU, picked from the device the worker was given. ``Engine.train`` fails
a stage whose training is not healthy, whatever the ZeRO stage and precision, checking only at its log
points (no per-step sync of ours). DeepSpeed is imported on use: it picks its accelerator when first
imported, from ``DS_ACCELERATOR``.

GPU speed options (``engine.bf16_mode``, ``engine.fused_adamw``, ``engine.compile``; ``engine.attention`` is
applied where the model is built, ``trainer/model.py``) are decided by the small functions below, so that
each GPU-only branch is a pure function tested on CPU; their defaults leave CPU training as it was.

bf16 under DeepSpeed 0.19.8 (``bf16_mode=deepspeed``) wraps the optimizer: at ZeRO-0 in
``FP16_UnfusedOptimizer`` (runtime/fp16/unfused_optimizer.py), whose ``step`` tests every gradient for
inf/NaN with one host sync per parameter (runtime/utils.py ``CheckOverflow.has_overflow_serial``), reads the
norm back twice more (``get_weight_norm``) and copies each gradient to fp32 and each master weight back to
bf16 one tensor at a time; at ZeRO-1/2 in its ZeRO optimizer, two host syncs a step (the overflow flag's
``.item()``, the norm's validity). ``bf16_mode=autocast`` keeps fp32 weights and runs the forward pass under
``torch.autocast`` (DeepSpeed's ``torch_autocast`` section): at ZeRO-0 torch's AdamW steps the weights
directly, with no wrapper and no host sync; ZeRO-1/2 keep their one norm check.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

import torch
import torch.distributed as dist

from .errors import UserError


class TrialFailure(UserError, RuntimeError):
    """A failure worth one clear line to the user (unhealthy training, bad input found inside a worker)."""


def deep_merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for k, v in extra.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def bf16_autocast(engine_cfg) -> bool:
    """bf16 as a plain PyTorch loop does it: fp32 weights, bf16 compute under torch.autocast."""
    return engine_cfg.precision == "bf16" and engine_cfg.bf16_mode == "autocast"


def ds_config(engine_cfg, stage_cfg) -> dict[str, Any]:
    autocast = bf16_autocast(engine_cfg)
    cfg: dict[str, Any] = {
        "train_micro_batch_size_per_gpu": stage_cfg.micro_batch,
        "gradient_accumulation_steps": stage_cfg.grad_accum,
        "gradient_clipping": engine_cfg.grad_clip,
        "zero_optimization": {"stage": engine_cfg.zero_stage},
        "bf16": {"enabled": engine_cfg.precision == "bf16" and not autocast},
        "fp16": {"enabled": engine_cfg.precision == "fp16", "auto_cast": False},
        "steps_per_print": 10**9,
        "wall_clock_breakdown": False,
        "zero_allow_untested_optimizer": True,
    }
    if autocast:
        # No module list: DeepSpeed would otherwise reduce nn.Linear gradients in bf16 under ZeRO-1/2/3,
        # rounding them where a plain loop (and DDP) keeps them in fp32. A user JSON may set one.
        cfg["torch_autocast"] = {"enabled": True, "dtype": "bfloat16", "lower_precision_safe_modules": []}
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


def use_fused_adamw(engine_cfg, device_type: str) -> bool:
    """``engine.fused_adamw``: 'auto' fuses on CUDA only, so CPU results stay those of torch's default update."""
    return engine_cfg.fused_adamw == "always" or (engine_cfg.fused_adamw == "auto" and device_type == "cuda")


def adamw_kwargs(engine_cfg, device_type: str) -> dict[str, Any]:
    """Keyword arguments of torch's AdamW besides the parameter groups and the learning rate; ``fused`` is
    only passed when on (None, torch's default, picks the for-each update on CUDA, a loop on CPU)."""
    kwargs: dict[str, Any] = {"betas": (0.9, 0.95)}
    if use_fused_adamw(engine_cfg, device_type):
        kwargs["fused"] = True
    return kwargs


def training_device_type() -> str:
    """'cuda' or 'cpu': where DeepSpeed's accelerator (chosen from DS_ACCELERATOR on import) trains."""
    from deepspeed.accelerator import get_accelerator

    return get_accelerator().device_name()


def warmup_cosine(total_steps: int, warmup_ratio: float, min_lr_ratio: float) -> Callable[[int], float]:
    warmup = max(1, round(total_steps * warmup_ratio)) if warmup_ratio > 0 else 0

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        return min_lr_ratio + (1 - min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


IGNORE_INDEX = -100  # labels that carry no loss (prompt and padding tokens)

# Health thresholds, from per-step traces in one process (tiny models, smoke-like data; ZeRO 0-3 x fp32/bf16/fp16)
# and on 2 ranks with the project's data:
# - lr=1e5 diverges within 2-4 steps everywhere. ZeRO-1/2/3 (fp32, bf16) and ZeRO-0 bf16 then skip EVERY step for
#   a non-finite gradient norm (9 of the first 10, 39 of 40) while the loss sits, finite, at exactly ln(vocab):
#   the run that used to end FINISHED. ZeRO-0 fp32 (torch's AdamW, no overflow check) and fp16 (weights overflow
#   to inf) give a NaN loss from step 2-3, and in fp16 ZeRO-1/2/3 DeepSpeed itself gives up at step 19, once the
#   loss scale has been halved to its minimum.
# - Healthy runs skip nothing under fp32/bf16 (grad norm 0.6-1.0 with clipping at 1.0). Under fp16 a loss scale
#   started too high (initial_scale_power 32) skips the first 13 steps and one more at step 15 while it settles;
#   all but one of those lower the scale and are not counted, so at most 1 of 10 recent steps counts.
#   max_skipped_share 0.5 sits between that 0.1 and the divergent 0.9-1.0 with margin on both sides; a window of
#   at least SKIP_WINDOW steps keeps one isolated skip from failing a run that logs every step.
# - A flat loss: the per-micro-step losses of a stalled run are identical (lr=0 on repeated data, or a model
#   that outputs the uniform distribution: exactly ln(vocab) on every batch), spread 0. Healthy runs vary from
#   batch to batch, per-step standard deviation 7e-4 of the mean (unlearnable random tokens) to 2.5e-2 (project
#   data), so the spread of >= FLAT_MIN_VALUES losses is far above loss_stall_tol 1e-5 (~70x the smallest
#   deviation); fewer values could be equal by chance. lr=0 on varied data is NOT flat (deviation 1e-3) and the
#   loss cannot tell it from slow learning: the test config's SFT falls 0.6% in 11 steps against 0.8% noise.
SKIP_WINDOW = 10
FLAT_MIN_VALUES = 5
_MIN_SCALE_MESSAGE = "Current loss scale already at minimum"  # DeepSpeed 0.19's fp16 scaler giving up


class _Health:
    """Verdicts on one stage's training, from the all-reduced numbers of a log interval (so the same on every
    rank); each failure is one ``TrialFailure`` line naming the stage, the step, what happened and what to change."""

    def __init__(self, stage: str, engine_cfg, total: int, log_every: int, accum: int):
        self.stage, self.cfg, self.total, self.accum = stage, engine_cfg, total, accum
        self.skip_window = max(log_every, SKIP_WINDOW)

    def advice(self) -> str:
        tips = [
            f"lower {self.stage}.lr",
            "keep engine.grad_clip on" if self.cfg.grad_clip > 0 else "turn engine.grad_clip on (e.g. 1.0)",
        ]
        if self.cfg.precision != "fp32":
            tips.append("use bf16 (or fp32)" if self.cfg.precision == "fp16" else "use fp32")
        return f"{tips[0]} or {tips[1]}" if len(tips) == 2 else f"{tips[0]}, {tips[1]}, or {tips[2]}"

    def min_scale_message(self, step: int) -> str:
        return (
            f"{self.stage}: fp16 loss scale at its minimum and gradients still non-finite at step {step} "
            f"of {self.total} ({self.advice()})"
        )

    def check(
        self,
        step: int,
        micro_losses: list[float],
        recent: float,
        applied: bool,
        grad_norm: float | None,
        stall_check: bool = True,
    ) -> None:
        """``micro_losses``: this interval's per-micro-step losses (mean over ranks); ``recent``: optimizer
        steps skipped for non-finite gradients among the last ``skip_window``; ``applied``/``grad_norm``: the
        last optimizer step; ``stall_check``: False where a flat loss is expected (see ``Objective``)."""
        stage, total = self.stage, self.total
        start = step - len(micro_losses) // self.accum + 1
        bad = next((i for i, v in enumerate(micro_losses) if not math.isfinite(v)), None)
        if bad is not None:
            raise TrialFailure(
                f"{stage}: loss is {micro_losses[bad]} at step {start + bad // self.accum} of {total} ({self.advice()})"
            )
        if grad_norm is not None and applied and not math.isfinite(grad_norm):
            raise TrialFailure(
                f"{stage}: gradient norm is {grad_norm} at step {step} of {total} and the step was "
                f"applied ({self.advice()})"
            )
        span = min(step, self.skip_window)
        if recent > self.cfg.max_skipped_share * span:
            which = f"{round(recent)} of {span}" if span == step else f"{round(recent)} of the last {span}"
            raise TrialFailure(
                f"{stage}: {which} optimizer steps skipped for non-finite gradients by step {step} of "
                f"{total} ({self.advice()})"
            )
        tol = self.cfg.loss_stall_tol
        if stall_check and tol > 0 and len(micro_losses) >= FLAT_MIN_VALUES:
            level = sum(micro_losses) / len(micro_losses)
            if max(micro_losses) - min(micro_losses) <= tol * abs(level):
                raise TrialFailure(
                    f"{stage}: loss stuck at {level:.4f} over steps {start}-{step} of {total}, the "
                    f"model is not learning (check that {stage}.lr is neither 0 nor far too high; "
                    f"engine.loss_stall_tol=0 turns this check off)"
                )


class Objective(Protocol):
    """A training loss other than the model's own (the language-modelling loss on ``labels``), e.g. DPO.

    ``__call__(engine, batch)`` runs the forward pass(es) of one micro-step and returns the loss to
    backpropagate, the number of labelled tokens (a tensor) and a 1-D tensor of ``len(names)`` statistics;
    ``Engine.train`` logs each statistic's mean over a log interval under its name. ``flat_first_step``:
    the loss is the same on every micro-step of the first optimizer step (DPO: the policy is its own
    reference there, every pair scores ln 2), so a log interval within that step is not a stalled run."""

    names: tuple[str, ...]
    flat_first_step: bool

    def __call__(self, engine, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]: ...


def world() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class Engine:
    """Wraps ``deepspeed.initialize`` for one stage; ``train`` runs the loop, ``state_dict`` gathers weights."""

    def __init__(self, model, engine_cfg, stage_cfg, total_steps: int, compile_backend: str | None = None):
        """``compile_backend``: torch.compile's backend under ``engine.compile`` (None = the accelerator's,
        inductor); tests pass a cheap one."""
        import deepspeed

        self.stage_cfg, self.engine_cfg, self.total_steps = stage_cfg, engine_cfg, total_steps
        decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim >= 2]
        no_decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim < 2]
        groups = [
            g
            for g in (
                {"params": decay, "weight_decay": stage_cfg.weight_decay},
                {"params": no_decay, "weight_decay": 0.0},
            )
            if g["params"]
        ]  # LoRA has no 1-D params
        opt = torch.optim.AdamW(groups, lr=stage_cfg.lr, **adamw_kwargs(engine_cfg, training_device_type()))
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, warmup_cosine(total_steps, stage_cfg.warmup_ratio, stage_cfg.min_lr_ratio)
        )
        self.engine, self.optimizer, _, self.scheduler = deepspeed.initialize(
            model=model, optimizer=opt, lr_scheduler=sched, config=ds_config(engine_cfg, stage_cfg)
        )
        if world()[1] == 1 and engine_cfg.zero_stage == 0:
            # Alone, DeepSpeed would still flatten, all-reduce and unflatten every gradient (measured:
            # 7-15% of a 5M-parameter step on CPU) for a sum over one process.
            self.engine.enable_backward_allreduce = False
        if engine_cfg.compile:
            # DeepSpeed compiles its module in place (nn.Module.compile): parameter names, and so
            # state_dict(), stay those of the plain model.
            self.engine.compile(**({"backend": compile_backend} if compile_backend else {}))

    @property
    def device(self) -> torch.device:
        return self.engine.device

    def train(
        self,
        batches: Iterator[dict[str, torch.Tensor]],
        stage: str,
        on_log: Callable[[int, dict[str, float]], None] = lambda step, m: None,
        on_step: Callable[[int, int], None] = lambda step, total: None,
        objective: Objective | None = None,
    ) -> dict[str, float]:
        """Run ``total_steps`` optimizer steps and fail the stage (``TrialFailure``, one line) when training is
        not healthy: a non-finite loss or applied gradient norm, too many optimizer steps skipped for non-finite
        gradients, or a flat loss.

        The hot path never waits for the device: each micro-step's loss and token count go into device
        buffers, and the health checks run at the log points (every ``log_every`` optimizer steps and at the
        end) on one all-reduced vector, read back with a single sync. Every rank checks at the same steps on
        the same reduced numbers, so a failure raises on all ranks together and none is left in a collective.

        ``objective``: a loss other than the model's own (``Objective``, e.g. DPO); its statistics are kept in a
        device buffer beside the losses and reduced with them.
        """
        engine, accum, total = self.engine, self.stage_cfg.grad_accum, self.total_steps
        log_every = self.stage_cfg.log_every
        _, world_size = world()
        # fp16 comes from DeepSpeed's own config: a user JSON may turn it on over engine.precision.
        fp16 = bool(engine.fp16_enabled())
        window = min(log_every, total) * accum
        losses = torch.zeros(window, dtype=torch.float32, device=self.device)
        tokens = torch.zeros(window, dtype=torch.float32, device=self.device)
        names = objective.names if objective is not None else ()
        stat_values = torch.zeros((window, len(names)), dtype=torch.float32, device=self.device)
        health = _Health(stage, self.engine_cfg, total, log_every, accum)
        skipped = 0
        nonfinite_steps: list[int] = []  # steps skipped for non-finite gradients (not fp16 loss-scale search)
        first_loss = last_loss = float("nan")
        step, n, t0 = 0, 0, time.perf_counter()
        for micro in range(total * accum):
            batch = next(batches)
            batch = {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}
            if objective is None:
                loss = engine(**batch).loss
            else:
                loss, n_tokens, micro_stats = objective(engine, batch)
                stat_values[n] = micro_stats.detach()
            engine.backward(loss)
            boundary = (micro + 1) % accum == 0
            scale = engine.optimizer.loss_scale if fp16 and boundary else None
            try:
                engine.step()
            except Exception as e:  # DeepSpeed gives up with a bare Exception
                if _MIN_SCALE_MESSAGE not in str(e):
                    raise
                raise TrialFailure(health.min_scale_message(step + 1)) from None
            losses[n] = loss.detach()
            tokens[n] = (batch["labels"] != IGNORE_INDEX).sum() if objective is None else n_tokens
            n += 1
            if not boundary:
                continue
            step += 1
            on_step(step, total)  # host-side only (the live view's step count): no device sync
            if not engine.was_step_applied():
                skipped += 1
                # Under fp16 an overflow that lowers the loss scale is the dynamic scaler finding its range
                # (DeepSpeed starts it high on purpose), not a sign of divergence.
                if not (fp16 and engine.optimizer.loss_scale < scale):
                    nonfinite_steps.append(step)
            if step % log_every and step != total:
                continue
            grad_norm = engine.get_global_grad_norm()
            nonfinite_steps = [s for s in nonfinite_steps if s > step - health.skip_window]
            recent = len(nonfinite_steps)
            extras = torch.tensor([recent, float(engine.was_step_applied())], dtype=torch.float32, device=self.device)
            parts = [losses[:n], tokens[:n], extras]
            if grad_norm is not None:  # None where DeepSpeed computes no norm (ZeRO-0 fp32: torch's own optimizer)
                parts.append(torch.as_tensor(grad_norm, dtype=torch.float32, device=self.device).reshape(1))
            if names:
                parts.append(stat_values[:n].mean(dim=0))
            stats = torch.cat(parts)
            if world_size > 1:
                dist.all_reduce(stats)
            values = [v / world_size for v in stats.tolist()]  # the one host sync of this log interval
            dt = time.perf_counter() - t0
            micro_losses, window_tokens = values[:n], values[n : 2 * n]
            if step <= log_every:
                first_loss = sum(micro_losses[:accum]) / accum
            last_loss = sum(micro_losses) / n
            norm = values[2 * n + 2] if grad_norm is not None else None
            objective_stats = dict(zip(names, values[len(values) - len(names) :])) if names else {}
            metrics = {
                f"{stage}/loss": last_loss,
                f"{stage}/lr": self.scheduler.get_last_lr()[0],
                f"{stage}/tokens_per_s": sum(window_tokens) * world_size / dt if dt > 0 else 0.0,
                f"{stage}/skipped_steps": float(skipped),
                f"{stage}/grad_norm": norm,
                f"{stage}/loss_scale": float(engine.optimizer.loss_scale) if fp16 else None,
                **objective_stats,
            }
            # Logged before the verdict, so a failed stage's curves show how it got there.
            on_log(step, {k: v for k, v in metrics.items() if v is not None and math.isfinite(v)})
            # A log interval inside the first optimizer step of an objective that starts flat cannot show learning.
            stall_check = not (step == 1 and objective is not None and objective.flat_first_step)
            health.check(
                step,
                micro_losses,
                recent=values[2 * n],
                applied=values[2 * n + 1] > 0.5,
                grad_norm=norm,
                stall_check=stall_check,
            )
            n, t0 = 0, time.perf_counter()
        return {
            f"{stage}/first_loss": first_loss,
            f"{stage}/final_loss": last_loss,
            f"{stage}/steps": float(step),
            f"{stage}/skipped_steps": float(skipped),
        }

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
    import deepspeed  # imported on use, after DS_ACCELERATOR is set: DeepSpeed picks its accelerator on import

    from .ray_session import LOOPBACK, free_port

    os.environ.update(
        MASTER_ADDR=LOOPBACK,
        MASTER_PORT=str(free_port()),
        RANK="0",
        WORLD_SIZE="1",
        LOCAL_RANK="0",
        DS_ACCELERATOR="cuda" if backend == "nccl" else "cpu",
    )
    deepspeed.init_distributed(dist_backend=backend)
