"""GPU check of the training path: train a ladder model (default ``125m``: vocab 32000, seq 1024, bf16,
ZeRO-0) through our ``Engine`` in one process (NCCL, world size 1) on random tokens, and print tokens/s and
MFU (model FLOPs utilisation) against the GPU's peak dense bf16 FLOP/s.

    python bench/gpu_check.py [--steps 300] [--warmup 20] [--micro-batch 16] [--peak-tflops 989]

FLOPs per token: 6 x (non-embedding parameters + the output projection, which is a matmul even when tied),
plus the attention term 12 x layers x hidden x seq (PaLM's estimate; causal masking not discounted).
Peak dense bf16: 989 TFLOP/s for H100 SXM and H200, 756 for H100 PCIe, 835 for H100 NVL, 312 for A100;
other GPUs need ``--peak-tflops``. Without a CUDA GPU it exits with one line and status 1.
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="125m")
    ap.add_argument("--vocab", type=int, default=32000)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--micro-batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=300, help="timed optimizer steps")
    ap.add_argument("--warmup", type=int, default=20, help="untimed optimizer steps before the timed ones")
    ap.add_argument("--peak-tflops", type=float, default=None, help="peak dense bf16 TFLOP/s (overrides detection)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.warmup < 1 or a.steps < 1:
        ap.error("--warmup and --steps must be at least 1")

    import torch

    if not torch.cuda.is_available():
        print(
            "gpu_check: no CUDA GPU visible (torch.cuda.is_available() is False); run this on a GPU machine",
            file=sys.stderr,
        )
        sys.exit(1)

    torch.cuda.set_device(0)
    import torch.distributed as dist
    from transformers import LlamaForCausalLM

    from trainer.config import load_config
    from trainer.engine import Engine, init_single_process
    from trainer.model import arch, llama_config, param_counts

    init_single_process("nccl")
    name = torch.cuda.get_device_name(0)
    peak = a.peak_tflops or peak_tflops(name)

    a_ = arch(a.size)
    torch.manual_seed(a.seed)
    model = LlamaForCausalLM(llama_config(a_, a.vocab, max(2048, a.seq * 2), PAD_ID, EOS_ID))
    counts = param_counts(model)
    matmul_params = counts["params_non_embedding"] + a.vocab * a_.hidden  # + the output projection
    flops_per_token = 6 * matmul_params + 12 * a_.layers * a_.hidden * a.seq
    attn_impl = getattr(model.config, "_attn_implementation", "?")

    total = a.warmup + a.steps
    cfg = load_config(
        None,
        [
            "engine.zero_stage=0",
            "engine.precision=bf16",
            f"pretrain.micro_batch={a.micro_batch}",
            "pretrain.grad_accum=1",
            f"pretrain.max_steps={total}",
            "pretrain.log_every=1",
        ],
    )
    eng = Engine(model, cfg.engine, cfg.pretrain, total_steps=total)
    # A few random batches made on the GPU and cycled: the Engine's .to(device) is then a no-op, so the
    # timing is the training step alone (no host-to-device copies).
    g = torch.Generator(device=eng.device).manual_seed(a.seed)
    pool = []
    for _ in range(4):
        ids = torch.randint(0, a.vocab, (a.micro_batch, a.seq), device=eng.device, generator=g)
        pool.append({"input_ids": ids, "labels": ids.clone(), "attention_mask": torch.ones_like(ids)})

    marks: dict[str, float] = {}
    last: dict[str, float] = {}

    def on_log(step: int, m: dict[str, float]) -> None:
        last.update(m)
        if step == a.warmup:
            torch.cuda.synchronize()
            marks["t0"] = time.perf_counter()

    out = eng.train(itertools.cycle(pool), "pretrain", on_log)
    torch.cuda.synchronize()
    elapsed = time.perf_counter() - marks["t0"]
    tps = a.steps * a.micro_batch * a.seq / elapsed
    mem = torch.cuda.max_memory_allocated() / 2**30
    mfu_6n = 6 * matmul_params * tps / (peak * 1e12) if peak else None
    mfu = flops_per_token * tps / (peak * 1e12) if peak else None
    mfu_txt = (
        f"MFU {mfu:.1%} (6N only: {mfu_6n:.1%}) of {peak:g} TFLOP/s peak bf16"
        if peak
        else "MFU n/a (unknown GPU: pass --peak-tflops)"
    )
    print(
        f"gpu_check: {name}, {a.size} model ({counts['params_total'] / 1e6:.1f}M params, "
        f"{counts['params_non_embedding'] / 1e6:.1f}M non-embedding, attention {attn_impl}), vocab {a.vocab}, "
        f"seq {a.seq}, micro-batch {a.micro_batch}, bf16, ZeRO-0, {a.steps} timed steps after {a.warmup} warm-up: "
        f"{tps:,.0f} tokens/s, {flops_per_token * tps / 1e12:.1f} TFLOP/s achieved, {mfu_txt}; "
        f"loss {out['pretrain/first_loss']:.3f} -> {last.get('pretrain/loss', float('nan')):.3f}, "
        f"peak memory {mem:.1f} GiB"
    )
    eng.close()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
