"""Training throughput of our DeepSpeed ``Engine`` against a plain PyTorch loop, in one process (gloo on CPU,
NCCL with ``--device cuda``).

Both sides train the same ladder model built from the same seed, with the same AdamW hyper-parameters
(param groups, betas, weight decay), the same warmup-cosine schedule, the same gradient clipping and the
same pre-generated batches of random token ids; each does ``--warmup`` untimed optimizer steps and then
``--steps`` timed ones; ``--rounds`` runs per side alternate in order (plain, ours, ours, plain) so a drift
in machine speed hits both alike. Prints tokens/s of both and the ratio ours/plain (target >= 0.95), the same
from the median step time (robust to a noisy neighbour on a shared machine), and the final loss of each side
as a check that both did the same work.

    python bench/train_throughput.py [--size 5m] [--zero 0] [--precision fp32|bf16] [--steps 30] [--warmup 5]
                                     [--rounds 2]
                                     [--device cpu|cuda]

With ``--precision bf16`` the plain loop uses ``torch.autocast`` (fp32 weights, bf16 compute), the usual
plain-PyTorch recipe; DeepSpeed instead keeps bf16 weights with fp32 master copies, so the losses differ a little.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.runtime_env import apply_defaults  # noqa: E402

apply_defaults()

import torch  # noqa: E402

from trainer.config import load_config  # noqa: E402
from trainer.engine import Engine, init_single_process, warmup_cosine  # noqa: E402
from trainer.model import arch, llama_config  # noqa: E402

PAD_ID, EOS_ID = 1, 0  # ids of <|pad|> and <|endoftext|> in our tokenizer (SPECIAL_TOKENS order)


def build(size: str, vocab: int, seq: int, seed: int):
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    return LlamaForCausalLM(llama_config(arch(size), vocab, max(2048, seq * 2), PAD_ID, EOS_ID))


def make_batches(n: int, batch: int, seq: int, vocab: int, seed: int, device: str) -> list[dict[str, torch.Tensor]]:
    """Made on the device itself, so neither side pays a host-to-device copy inside the timed steps."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        ids = torch.randint(0, vocab, (batch, seq), generator=g).to(device)
        out.append({"input_ids": ids, "labels": ids.clone(), "attention_mask": torch.ones_like(ids)})
    return out


def mark(device: str) -> float:
    """A timestamp taken after the device has finished the queued work (CUDA runs asynchronously)."""
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter()


def run_ours(cfg, model, batches, warmup: int, steps: int, threads: int, device: str) -> tuple[list[float], float]:
    """Timestamps of the end of optimizer steps ``warmup`` .. ``warmup + steps`` (from the Engine's per-step
    log callback; ``log_every`` = 1), and the loss of the last step."""
    eng = Engine(model, cfg.engine, cfg.pretrain, total_steps=warmup + steps)
    torch.set_num_threads(threads)  # DeepSpeed init must not change the thread count we compare at
    marks: list[float] = []
    last: dict[str, float] = {}

    def on_log(step: int, m: dict[str, float]) -> None:
        if step >= warmup:
            marks.append(mark(device))
        last.update(m)

    out = eng.train(iter(batches), "pretrain", on_log)
    assert out["pretrain/steps"] == warmup + steps and len(marks) == steps + 1
    eng.close()
    return marks, last["pretrain/loss"]


def run_plain(cfg, model, batches, warmup: int, steps: int, bf16: bool, device: str) -> tuple[list[float], float]:
    """The same optimisation written as a plain loop (no DeepSpeed); same timestamps and loss as ``run_ours``."""
    st, grad_clip = cfg.pretrain, cfg.engine.grad_clip
    model.to(device).train()
    decay = [p for p in model.parameters() if p.requires_grad and p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.ndim < 2]
    groups = [
        g
        for g in ({"params": decay, "weight_decay": st.weight_decay}, {"params": no_decay, "weight_decay": 0.0})
        if g["params"]
    ]
    opt = torch.optim.AdamW(groups, lr=st.lr, betas=(0.9, 0.95))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(warmup + steps, st.warmup_ratio, st.min_lr_ratio))
    params = [p for g in groups for p in g["params"]]
    marks: list[float] = []
    loss_value = float("nan")
    for i, batch in enumerate(batches[: warmup + steps]):
        with torch.autocast(device, dtype=torch.bfloat16, enabled=bf16):
            loss = model(**batch).loss
        loss.backward()
        if grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(params, grad_clip)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        loss_value = loss.item()  # the Engine also reads the loss every step (NaN check)
        if i + 1 >= warmup:
            marks.append(mark(device))
    return marks, loss_value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="5m")
    ap.add_argument("--zero", type=int, default=0)
    ap.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    ap.add_argument("--steps", type=int, default=30, help="timed optimizer steps per side")
    ap.add_argument("--warmup", type=int, default=5, help="untimed optimizer steps per side, before the timed ones")
    ap.add_argument("--rounds", type=int, default=2, help="runs per side, in alternating order")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
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
            f"engine.zero_stage={a.zero}",
            f"engine.precision={a.precision}",
            f"pretrain.micro_batch={a.batch}",
            "pretrain.grad_accum=1",
            f"pretrain.max_steps={total}",
            "pretrain.log_every=1",
        ],
    )
    batches = make_batches(total, a.batch, a.seq, a.vocab, a.seed, a.device)
    per_step = a.batch * a.seq

    # Alternate the order (plain, ours, ours, plain, ...) so a drift in machine speed hits both sides alike.
    spans: dict[str, list[list[float]]] = {"ours": [], "plain": []}
    losses: dict[str, float] = {}
    for r in range(a.rounds):
        for side in ("plain", "ours") if r % 2 == 0 else ("ours", "plain"):
            model = build(a.size, a.vocab, a.seq, a.seed)
            if side == "ours":
                marks, losses[side] = run_ours(cfg, model, batches, a.warmup, a.steps, a.threads, a.device)
            else:
                marks, losses[side] = run_plain(cfg, model, batches, a.warmup, a.steps, a.precision == "bf16", a.device)
            spans[side].append(marks)
            del model
            if a.device == "cuda":
                torch.cuda.empty_cache()

    def rates(side: str) -> tuple[float, float]:
        total_s = sum(m[-1] - m[0] for m in spans[side])
        dts = [b - x for m in spans[side] for x, b in zip(m, m[1:])]
        return per_step * len(dts) / total_s, per_step / statistics.median(dts)

    (ours_tps, ours_med), (plain_tps, plain_med) = rates("ours"), rates("plain")
    where = torch.cuda.get_device_name(0) if a.device == "cuda" else f"cpu, {a.threads} threads"
    print(
        f"train throughput ({where}), {a.size} model, batch {a.batch}x{a.seq}, vocab {a.vocab}, {a.precision}, "
        f"ZeRO-{a.zero}, {a.rounds} x {a.steps} timed steps per side (each after {a.warmup} "
        f"warm-up): ours (Engine) {ours_tps:,.0f} tokens/s, plain PyTorch {plain_tps:,.0f} tokens/s; "
        f"ours/plain ratio {ours_tps / plain_tps:.3f} (target >= 0.95)"
    )
    print(
        f"median step: ours {ours_med:,.0f} tokens/s, plain {plain_med:,.0f} tokens/s, ratio "
        f"{ours_med / plain_med:.3f}; "
        f"final loss ours {losses['ours']:.4f} vs plain {losses['plain']:.4f} (same data, same seed)"
    )


if __name__ == "__main__":
    main()
