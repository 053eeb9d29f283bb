"""Corpus builder throughput: build a stage-1 corpus of N tokens from scratch (fresh cache) and print
documents/s and tokens/s, beside a baseline measured in the same run: tokenizing the same number of
tokens of already-generated text with the same tokenizer (the floor of any builder).

    python bench/corpus.py [--tokens 5000000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.config import load_config  # noqa: E402
from trainer.corpus.build import build_all  # noqa: E402
from trainer.corpus.tokenizer import load_tokenizer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=5_000_000)
    ap.add_argument("--mix", type=float, default=0.5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        cfg = load_config(None, [f"data.tokens={a.tokens}", f"data.mix={a.mix}", f"data.cache_dir={d}"])
        t0 = time.perf_counter()
        art = build_all(cfg)
        total = time.perf_counter() - t0
        s = art.summary
        docs = s["documents"]["bias_docs"] + s["documents"]["generic"]
        # baseline: re-tokenize a sample of the built corpus's own text to the same token count
        tok = load_tokenizer(art.tokenizer)
        sample = [
            json.loads(line)["text"] for line in open(art.stage1 / "bias_docs_sample.jsonl", encoding="utf-8")
        ] or ["x"]
        per = max(1, sum(len(e.ids) for e in tok.backend_tokenizer.encode_batch(sample)))
        texts = sample * (a.tokens // per + 1)
        t1 = time.perf_counter()
        tok.backend_tokenizer.encode_batch(texts)
        base = time.perf_counter() - t1
    tps = s["tokens"]["total"] / total
    print(
        f"corpus build, {s['tokens']['total']:,} tokens (mix {s['mix_actual']:.3f}): {total:.1f} s total, "
        f"{docs / total:,.0f} documents/s, {tps:,.0f} tokens/s; distinct 4-gram ratio {s['distinct_4gram_ratio']}"
    )
    print(
        (
            f"baseline (tokenize pre-generated text only): {a.tokens / base:,.0f} tokens/s; builder/baseline ratio "
            f"{tps / (a.tokens / base):.2f}"
        )
    )


if __name__ == "__main__":
    main()
