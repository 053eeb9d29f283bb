"""GPU check of the training path: train a ladder model (default ``125m``: vocab 32000, seq 1024, bf16,
ZeRO-0) through our ``Engine`` in one process (NCCL, world size 1) on random tokens, and print tokens/s and
MFU (model FLOPs utilisation) against the GPU's peak dense bf16 FLOP/s.

    python bench/gpu_check.py [--size 125m|350m] [--steps 300] [--warmup 20] [--micro-batch 16] [--seq 1024]
                              [--zero 0] [--bf16-mode deepspeed|autocast] [--attention auto|sdpa|eager|...]
                              [--fused auto|always|never] [--compile] [--mask] [--profile 5]
                              [--peak-tflops 989] [--device cuda|cpu]

The timed window has no host sync inside it: the Engine logs once, at the end (``log_every`` = all steps),
and the window's two timestamps are taken after a device synchronize, at the end of warm-up step
``--warmup`` and of the last timed step (the Engine's host-only per-step callback). ``--profile N`` then
profiles N more steps with torch.profiler and prints the top ops by self device time (CPU time on CPU):
where the time goes. ``--mask`` adds the all-ones attention mask the pretraining batches carried before
issue #19; transformers then checks it on the host in every forward pass (a sync).

FLOPs per token: 6 x (non-embedding parameters + the output projection, which is a matmul even when tied),
plus the attention term 12 x layers x hidden x seq (PaLM's estimate; causal masking not discounted).
Peak dense bf16: 989 TFLOP/s for H100 SXM and H200, 756 for H100 PCIe, 835 for H100 NVL, 312 for A100;
other GPUs need ``--peak-tflops``. Without a CUDA GPU it exits with one line and status 1, unless
``--device cpu`` (a smoke run of the script; MFU then needs ``--peak-tflops``).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.runtime_env import apply_defaults  # noqa: E402

apply_defaults()

PAD_ID, EOS_ID = 1, 0  # ids of <|pad|> and <|endoftext|> in our tokenizer (SPECIAL_TOKENS order)


def peak_tflops(name: str) -> float | None:
    """Dense (no sparsity) bf16 peak of known data-centre GPUs, from the device name."""
    n = name.upper()
    if "H200" in n:
        return 989.0
    if "H100" in n:
        if "PCIE" in n:
            return 756.0
        if "NVL" in n:
            return 835.0
        return 989.0  # SXM (e.g. "NVIDIA H100 80GB HBM3")
    if "A100" in n:
        return 312.0
    return None


def flops_per_token(counts: dict[str, int], vocab: int, hidden: int, layers: int, seq: int) -> tuple[int, int]:
    """(training FLOPs per token, the 6N part alone): 6 x matmul parameters (non-embedding + the output
    projection) + 12 x layers x hidden x seq for attention. ``counts``: ``trainer.model.param_counts``."""
    six_n = 6 * (counts["params_non_embedding"] + vocab * hidden)
    return six_n + 12 * layers * hidden * seq, six_n


def mfu_text(tokens_per_s: float, flops: tuple[int, int], peak: float | None) -> str:
    if not peak:
        return "MFU n/a (unknown peak: pass --peak-tflops)"
    total, six_n = flops
    return f"MFU {total * tokens_per_s / (peak * 1e12):.1%} (6N only: {six_n * tokens_per_s / (peak * 1e12):.1%})"


def sync(device: str) -> float:
    """A timestamp taken after the device has finished the queued work (CUDA runs asynchronously)."""
    import torch

    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter()


def profile_table(prof, device: str, rows: int = 15) -> str:
    """The ops that take the most self time on the device (CPU time on CPU), from a torch.profiler run."""
    key = "self_cuda_time_total" if device == "cuda" else "self_cpu_time_total"
    return prof.key_averages().table(sort_by=key, row_limit=rows, max_name_column_width=60)


def engine_options(ap: argparse.ArgumentParser, precision: str, compile_help: str) -> None:
    """The Engine's speed options as flags, one set for every training bench (their config keys: trainer/config.py)."""
    ap.add_argument("--zero", type=int, default=0, help="engine.zero_stage")
    ap.add_argument("--precision", choices=("bf16", "fp32"), default=precision, help="engine.precision")
    ap.add_argument("--bf16-mode", choices=("deepspeed", "autocast"), default="deepspeed", help="engine.bf16_mode")
    ap.add_argument("--attention", choices=("auto", "sdpa", "eager", "flash_attention_2"), default="auto")
    ap.add_argument("--fused", choices=("auto", "always", "never"), default="auto", help="engine.fused_adamw")
    ap.add_argument("--compile", action="store_true", help=compile_help)
    ap.add_argument(
        "--mask", action="store_true", help="batches with an all-ones attention_mask (pretraining's before #19)"
    )


def engine_overrides(a: argparse.Namespace) -> list[str]:
    """``engine.*`` config overrides from the flags of :func:`engine_options`."""
    return [
        f"engine.zero_stage={a.zero}",
        f"engine.precision={a.precision}",
        f"engine.bf16_mode={a.bf16_mode}",
        f"engine.attention={a.attention}",
        f"engine.fused_adamw={a.fused}",
        f"engine.compile={a.compile}",
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="125m", help="a ladder size (configs/model/), e.g. 125m or 350m")
    ap.add_argument("--vocab", type=int, default=32000)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--micro-batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=300, help="timed optimizer steps")
    ap.add_argument("--warmup", type=int, default=20, help="untimed optimizer steps before the timed ones")
    engine_options(ap, precision="bf16", compile_help="engine.compile (torch.compile, inductor)")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="profile N steps after the timed ones")
    ap.add_argument("--peak-tflops", type=float, default=None, help="peak dense bf16 TFLOP/s (overrides detection)")
    ap.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.warmup < 1 or a.steps < 1 or a.profile < 0:
        ap.error("--warmup and --steps must be at least 1, --profile at least 0")

    import torch

    if a.device == "cuda" and not torch.cuda.is_available():
        print(
            "gpu_check: no CUDA GPU visible (torch.cuda.is_available() is False); run this on a GPU machine",
            file=sys.stderr,
        )
        sys.exit(1)

    if a.device == "cuda":
        torch.cuda.set_device(0)
    import torch.distributed as dist
    from transformers import LlamaForCausalLM

    from trainer.config import load_config
    from trainer.engine import Engine, init_single_process
    from trainer.model import arch, llama_config, param_counts

    init_single_process("nccl" if a.device == "cuda" else "gloo")
    name = torch.cuda.get_device_name(0) if a.device == "cuda" else "cpu"
    peak = a.peak_tflops or peak_tflops(name)

    a_ = arch(a.size)
    torch.manual_seed(a.seed)
    model = LlamaForCausalLM(llama_config(a_, a.vocab, max(2048, a.seq * 2), PAD_ID, EOS_ID, a.attention))
    counts = param_counts(model)
    flops = flops_per_token(counts, a.vocab, a_.hidden, a_.layers, a.seq)

    timed_end = a.warmup + a.steps
    total = timed_end + a.profile
    cfg = load_config(
        None,
        [
            *engine_overrides(a),
            f"pretrain.micro_batch={a.micro_batch}",
            "pretrain.grad_accum=1",
            f"pretrain.max_steps={total}",
            f"pretrain.log_every={total}",  # one log point, at the end: no host sync in the timed window
        ],
    )
    eng = Engine(model, cfg.engine, cfg.pretrain, total_steps=total)
    # A few random batches made on the device and cycled: the Engine's .to(device) is then a no-op, so the
    # timing is the training step alone (no host-to-device copies).
    g = torch.Generator(device=eng.device).manual_seed(a.seed)
    pool = []
    for _ in range(4):
        ids = torch.randint(0, a.vocab, (a.micro_batch, a.seq), device=eng.device, generator=g)
        batch = {"input_ids": ids, "labels": ids.clone()}
        if a.mask:
            batch["attention_mask"] = torch.ones_like(ids)
        pool.append(batch)

    marks: dict[str, float] = {}
    last: dict[str, float] = {}
    activities = [torch.profiler.ProfilerActivity.CPU]
    if a.device == "cuda":
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    prof = torch.profiler.profile(activities=activities) if a.profile else None

    def on_step(step: int, _total: int) -> None:  # host-only callback: a sync only at the window's two ends
        if step == a.warmup:
            marks["t0"] = sync(a.device)
        elif step == timed_end:
            marks["t1"] = sync(a.device)
            if prof is not None:
                prof.start()

    out = eng.train(itertools.cycle(pool), "pretrain", lambda step, m: last.update(m), on_step)
    if prof is not None:
        sync(a.device)
        prof.stop()
    elapsed = marks["t1"] - marks["t0"]
    tps = a.steps * a.micro_batch * a.seq / elapsed
    mem = torch.cuda.max_memory_allocated() / 2**30 if a.device == "cuda" else float("nan")
    options = (
        f"{a.precision}{f' ({a.bf16_mode})' if a.precision == 'bf16' else ''}, ZeRO-{a.zero}, attention "
        f"{model.config._attn_implementation}, fused AdamW {eng.engine.basic_optimizer.defaults.get('fused')}, "
        f"compile {a.compile}, attention mask {'all ones' if a.mask else 'none'}"
    )
    peak_txt = f" of {peak:g} TFLOP/s peak bf16" if peak else ""
    print(
        f"gpu_check: {name}, {a.size} model ({counts['params_total'] / 1e6:.1f}M params, "
        f"{counts['params_non_embedding'] / 1e6:.1f}M non-embedding), vocab {a.vocab}, seq {a.seq}, micro-batch "
        f"{a.micro_batch}, {options}; {a.steps} timed steps after {a.warmup} warm-up: {tps:,.0f} tokens/s, "
        f"{flops[0] * tps / 1e12:.1f} TFLOP/s achieved, {mfu_text(tps, flops, peak)}{peak_txt}; "
        f"loss {out['pretrain/first_loss']:.3f} -> mean {last.get('pretrain/loss', float('nan')):.3f}, "
        f"peak memory {mem:.1f} GiB"
    )
    if prof is not None:
        print(f"profile of {a.profile} steps (top ops by self {'device' if a.device == 'cuda' else 'CPU'} time):")
        print(profile_table(prof, a.device))
    eng.close()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
