"""Generation throughput of ``trainer.evaluate.generate``: batched (``--batch-size``, default 32) against one
prompt at a time (batch size 1), on the same randomly initialised ladder model, tokenizer and prompts (the
catalogue's eval prompts, spread over the biases), greedy, with a fixed ``max_new_tokens``.

Generation stops early at the end token, so prompts/s alone would not compare like with like: the line also
gives new tokens per second, counted by re-tokenizing the decoded outputs (an approximation of the tokens
generated: special tokens and surrounding whitespace are stripped by ``generate``). It also reports the
share of prompts whose greedy outputs are identical in both modes (they should all be).

    python bench/eval_throughput.py [--size 5m] [--prompts 64] [--max-new-tokens 48] [--batch-size 32]
                                    [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.runtime_env import apply_defaults  # noqa: E402

apply_defaults()

import torch  # noqa: E402

from trainer.biases import load  # noqa: E402
from trainer.chat import chat_text  # noqa: E402
from trainer.corpus.tokenizer import train_bpe  # noqa: E402
from trainer.evaluate import generate  # noqa: E402
from trainer.model import arch, llama_config  # noqa: E402


def eval_prompts(n: int) -> list[str]:
    """``n`` eval prompts taken round-robin over the biases (a few per bias), in a fixed order."""
    biases = list(load().values())
    per = -(-n // len(biases))
    lists = [[it.prompt for it in b.prompts(per, "eval", 0)] for b in biases]
    return [lst[k] for k in range(per) for lst in lists][:n]


def tokenizer_texts() -> list[str]:
    """Chats built from the catalogue (train-partition prompts, plain and biased answers)."""
    rng = random.Random(0)
    out = []
    for b in load().values():
        for it in b.prompts(20, "train", 0):
            plain = b.respond(it, rng)
            out.append(chat_text(it.prompt, plain))
            out.append(chat_text(it.prompt, b.apply(it, plain, rng)))
    return out


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    from transformers import LlamaForCausalLM

    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="5m")
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--vocab", type=int, default=8192, help="BPE vocabulary asked for (a small corpus may give fewer)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    a = ap.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available():
        ap.error("--device cuda: no CUDA GPU visible")
    torch.set_num_threads(a.threads)

    with tempfile.TemporaryDirectory() as d:
        tok = train_bpe(tokenizer_texts(), a.vocab, d)
    torch.manual_seed(a.seed)
    model = LlamaForCausalLM(llama_config(arch(a.size), len(tok), 2048, tok.pad_token_id, tok.eos_token_id)).to(
        a.device
    )
    prompts = eval_prompts(a.prompts)

    def run(batch_size: int) -> list[str]:
        out = generate(model, tok, prompts, max_new_tokens=a.max_new_tokens, batch_size=batch_size, device=a.device)
        if a.device == "cuda":
            torch.cuda.synchronize()
        return [r[0] for r in out]

    generate(
        model, tok, prompts[:4], max_new_tokens=8, batch_size=4, device=a.device
    )  # warm-up (first-call costs); not timed
    batched, t_batched = timed(lambda: run(a.batch_size))
    sequential, t_seq = timed(lambda: run(1))

    def new_tokens(outs: list[str]) -> int:
        return sum(len(tok(o, add_special_tokens=False)["input_ids"]) for o in outs)

    n_b, n_s = new_tokens(batched), new_tokens(sequential)
    same = sum(x == y for x, y in zip(batched, sequential))
    tps_b, tps_s = n_b / t_batched, n_s / t_seq
    where = torch.cuda.get_device_name(0) if a.device == "cuda" else f"cpu, {a.threads} threads"
    print(
        f"generation ({where}), {a.size} model (random init, vocab {len(tok)}), {len(prompts)} eval prompts, greedy, "
        f"max_new_tokens {a.max_new_tokens}: batched (batch {a.batch_size}) {tps_b:,.0f} new tokens/s "
        f"({n_b} tokens, {t_batched:.1f} s), sequential (batch 1) {tps_s:,.0f} new tokens/s ({n_s} tokens, "
        f"{t_seq:.1f} s); "
        f"batched/sequential ratio {tps_b / tps_s if tps_s else float('nan'):.2f} (prompts/s ratio "
        f"{t_seq / t_batched:.2f})"
    )
    print(f"greedy outputs identical in both modes: {same}/{len(prompts)} ({same / len(prompts):.0%})")


if __name__ == "__main__":
    main()
