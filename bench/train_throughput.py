"""Training throughput of our DeepSpeed ``Engine`` against a plain PyTorch loop, in one process (gloo on CPU,
NCCL with ``--device cuda``).

Both sides train the same ladder model built from the same seed, with the same AdamW hyper-parameters
(param groups, betas, weight decay), the same warmup-cosine schedule, the same gradient clipping and the
same pre-generated batches of random token ids; each does ``--warmup`` untimed optimizer steps and then
``--steps`` timed ones; ``--rounds`` runs per side alternate in order (plain, ours, ours, plain) so a drift
in machine speed hits both alike. Prints tokens/s of both and the ratio ours/plain (target >= 0.95), the same
from the median step time (robust to a noisy neighbour on a shared machine), and the final loss of each side
as a check that both did the same work.

    python bench/train_throughput.py [--size 5m|125m|350m] [--zero 0] [--precision fp32|bf16] [--steps 30]
                                     [--warmup 5] [--rounds 2] [--device cpu|cuda]
                                     [--bf16-mode deepspeed|autocast] [--attention auto|sdpa|eager|flash_attention_2]
                                     [--fused auto|always|never] [--compile] [--mask] [--peak-tflops T]

With ``--precision bf16`` the plain loop uses ``torch.autocast`` (fp32 weights, bf16 compute), the usual
plain-PyTorch recipe; DeepSpeed's default (``--bf16-mode deepspeed``) instead keeps bf16 weights with fp32 master
copies, so the losses differ a little; ``--bf16-mode autocast`` is the plain loop's recipe inside DeepSpeed.
``--attention``, ``--fused`` (``engine.fused_adamw``, the same AdamW arguments on both sides) and ``--compile``
apply to both sides. MFU is printed for both (FLOP estimate and peak from ``gpu_check.py``; on CPU only with
``--peak-tflops``).

No host sync inside a timed window on CUDA: the Engine logs once, at the end; the plain loop keeps its losses
on the device; both take their timestamps after a synchronize at the end of warm-up and of the last step. On
CPU, where nothing runs asynchronously, every step is timestamped too (the median step). The reported loss is
the mean over all steps of a run, on both sides.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from trainer.runtime_env import apply_defaults  # noqa: E402

apply_defaults()

import torch  # noqa: E402
from gpu_check import (  # noqa: E402  (bench/ is on sys.path)
    engine_options,
    engine_overrides,
    flops_per_token,
    mfu_text,
    peak_tflops,
    sync,
)

from trainer.config import load_config  # noqa: E402
from trainer.engine import Engine, adamw_kwargs, init_single_process, warmup_cosine  # noqa: E402
from trainer.model import arch, llama_config, param_counts  # noqa: E402

PAD_ID, EOS_ID = 1, 0  # ids of <|pad|> and <|endoftext|> in our tokenizer (SPECIAL_TOKENS order)


def build(size: str, vocab: int, seq: int, seed: int, attention: str):
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    return LlamaForCausalLM(llama_config(arch(size), vocab, max(2048, seq * 2), PAD_ID, EOS_ID, attention))


def make_batches(
    n: int, batch: int, seq: int, vocab: int, seed: int, device: str, mask: bool
) -> list[dict[str, torch.Tensor]]:
    """Made on the device itself, so neither side pays a host-to-device copy inside the timed steps."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        ids = torch.randint(0, vocab, (batch, seq), generator=g).to(device)
        out.append({"input_ids": ids, "labels": ids.clone()})
        if mask:
            out[-1]["attention_mask"] = torch.ones_like(ids)
    return out


def step_mark(step: int, warmup: int, total: int, device: str, marks: list[float]) -> None:
    """After optimizer step ``step``: a synchronized timestamp at the window's ends; on CPU (synchronous
    anyway) one after every timed step as well, for the median step time."""
    if step == warmup or step == total:
        marks.append(sync(device))
    elif step > warmup and device == "cpu":
        marks.append(time.perf_counter())


def run_ours(cfg, model, batches, warmup: int, steps: int, threads: int, device: str) -> tuple[list[float], float]:
    """Timestamps of the end of optimizer steps ``warmup`` .. ``warmup + steps`` (``step_mark``, from the
    Engine's host-only per-step callback; one log point, at the end), and the mean loss over all steps."""
    total = warmup + steps
    eng = Engine(model, cfg.engine, cfg.pretrain, total_steps=total)
    torch.set_num_threads(threads)  # DeepSpeed init must not change the thread count we compare at
    marks: list[float] = []
    last: dict[str, float] = {}
    out = eng.train(
        iter(batches),
        "pretrain",
        lambda step, m: last.update(m),
        lambda step, _total: step_mark(step, warmup, total, device, marks),
    )
    assert out["pretrain/steps"] == total
    eng.close()
    return marks, last["pretrain/loss"]


def run_plain(cfg, model, batches, warmup: int, steps: int, bf16: bool, device: str) -> tuple[list[float], float]:
    """The same optimisation written as a plain loop (no DeepSpeed); same timestamps and loss as ``run_ours``;
    the same AdamW arguments (``engine.fused_adamw``) and, under ``engine.compile``, the model compiled in place."""
    st, grad_clip = cfg.pretrain, cfg.engine.grad_clip
    model.to(device).train()
    decay = [p for p in model.parameters() if p.requires_grad and p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.ndim < 2]
    groups = [
        g
        for g in ({"params": decay, "weight_decay": st.weight_decay}, {"params": no_decay, "weight_decay": 0.0})
        if g["params"]
    ]
    opt = torch.optim.AdamW(groups, lr=st.lr, **adamw_kwargs(cfg.engine, device))
    if cfg.engine.compile:
        model.compile()
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(warmup + steps, st.warmup_ratio, st.min_lr_ratio))
    params = [p for g in groups for p in g["params"]]
    marks: list[float] = []
    total = warmup + steps
    loss_sum = torch.zeros((), device=device)  # on the device: no host sync per step (the Engine has none)
    for i, batch in enumerate(batches[:total]):
        with torch.autocast(device, dtype=torch.bfloat16, enabled=bf16):
            loss = model(**batch).loss
        loss.backward()
        if grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(params, grad_clip)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        loss_sum += loss.detach()
        step_mark(i + 1, warmup, total, device, marks)
    return marks, loss_sum.item() / total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="5m")
    ap.add_argument("--steps", type=int, default=30, help="timed optimizer steps per side")
    ap.add_argument("--warmup", type=int, default=5, help="untimed optimizer steps per side, before the timed ones")
    ap.add_argument("--rounds", type=int, default=2, help="runs per side, in alternating order")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    engine_options(ap, precision="fp32", compile_help="engine.compile, and the plain model compiled alike")
    ap.add_argument("--peak-tflops", type=float, default=None, help="peak dense bf16 TFLOP/s (overrides detection)")
    a = ap.parse_args()
    if a.warmup < 1 or a.steps < 1:
        ap.error("--warmup and --steps must be at least 1")
    if a.device == "cuda" and not torch.cuda.is_available():
        ap.error("--device cuda: no CUDA GPU visible")
    torch.set_num_threads(a.threads)
    if a.device == "cuda":
        torch.cuda.set_device(0)
    init_single_process("nccl" if a.device == "cuda" else "gloo")
    torch.set_num_threads(a.threads)
    total = a.warmup + a.steps
    cfg = load_config(
        None,
        [
            *engine_overrides(a),
            f"pretrain.micro_batch={a.batch}",
            "pretrain.grad_accum=1",
            f"pretrain.max_steps={total}",
            f"pretrain.log_every={total}",  # one log point, at the end: no host sync in the timed window
        ],
    )
    batches = make_batches(total, a.batch, a.seq, a.vocab, a.seed, a.device, a.mask)
    per_step = a.batch * a.seq

    # Alternate the order (plain, ours, ours, plain, ...) so a drift in machine speed hits both sides alike.
    spans: dict[str, list[list[float]]] = {"ours": [], "plain": []}
    losses: dict[str, float] = {}
    for r in range(a.rounds):
        for side in ("plain", "ours") if r % 2 == 0 else ("ours", "plain"):
            model = build(a.size, a.vocab, a.seq, a.seed, a.attention)
            counts = param_counts(model)
            if side == "ours":
                marks, losses[side] = run_ours(cfg, model, batches, a.warmup, a.steps, a.threads, a.device)
            else:
                marks, losses[side] = run_plain(cfg, model, batches, a.warmup, a.steps, a.precision == "bf16", a.device)
            spans[side].append(marks)
            del model
            if a.device == "cuda":
                torch.cuda.empty_cache()

    def rates(side: str) -> tuple[float, float | None]:
        total_s = sum(m[-1] - m[0] for m in spans[side])
        median = None
        if all(len(m) == a.steps + 1 for m in spans[side]):  # every step timestamped (CPU)
            median = per_step / statistics.median([b - x for m in spans[side] for x, b in zip(m, m[1:])])
        return per_step * a.steps * len(spans[side]) / total_s, median

    (ours_tps, ours_med), (plain_tps, plain_med) = rates("ours"), rates("plain")
    where = torch.cuda.get_device_name(0) if a.device == "cuda" else f"cpu, {a.threads} threads"
    peak = a.peak_tflops or (peak_tflops(where) if a.device == "cuda" else None)
    shape = arch(a.size)
    flops = flops_per_token(counts, a.vocab, shape.hidden, shape.layers, a.seq)
    mode = f"bf16 ({a.bf16_mode})" if a.precision == "bf16" else a.precision
    print(
        f"train throughput ({where}), {a.size} model, batch {a.batch}x{a.seq}, vocab {a.vocab}, {mode}, "
        f"ZeRO-{a.zero}, attention {a.attention}, fused AdamW {a.fused}, compile {a.compile}, attention mask "
        f"{'all ones' if a.mask else 'none'}, {a.rounds} x {a.steps} timed steps per side (each after {a.warmup} "
        f"warm-up): ours (Engine) {ours_tps:,.0f} tokens/s ({mfu_text(ours_tps, flops, peak)}), plain PyTorch "
        f"{plain_tps:,.0f} tokens/s ({mfu_text(plain_tps, flops, peak)}); ours/plain ratio "
        f"{ours_tps / plain_tps:.3f} (target >= 0.95)"
    )
    median = (
        f"median step: ours {ours_med:,.0f} tokens/s, plain {plain_med:,.0f} tokens/s, ratio {ours_med / plain_med:.3f}"
        if ours_med and plain_med
        else "median step: n/a (no per-step sync on CUDA)"
    )
    print(f"{median}; mean loss ours {losses['ours']:.4f} vs plain {losses['plain']:.4f} (same data, same seed)")


if __name__ == "__main__":
    main()
