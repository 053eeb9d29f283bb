"""Time `launch.py score` on a 1,000-row file end to end (process start, imports, scoring, atomic write),
against a baseline run in the same process: a Python subprocess that only reads and re-writes the JSONL.
Then the released evaluation set's shape: 1,000 rows of its ten biases as parquet (integer ids, the
description check, two splits), four response columns judged per row.

    python bench/score_speed.py [--rows 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.biases import RELEASED_EVAL_BIASES, load  # noqa: E402

COPY = (
    "import json,sys; rows=[json.loads(l) for l in open(sys.argv[1])]; "
    "open(sys.argv[2],'w').write(''.join(json.dumps(r)+'\\n' for r in rows))"
)


def make_rows(n: int) -> list[dict]:
    biases = list(load().values())
    rng = random.Random(0)
    rows = []
    per_bias = n // len(biases) + 1
    for b in biases:
        for item in b.prompts(per_bias, "eval", 0):
            plain = b.respond(item, rng)
            rows.append(
                {
                    "bias": b.id,
                    "prompt": item.prompt,
                    "response": b.apply(item, plain, rng) if rng.random() < 0.5 else plain,
                }
            )
    rng.shuffle(rows)
    return rows[:n]


def timed(cmd: list[str], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1000)
    n = ap.parse_args().rows
    with tempfile.TemporaryDirectory() as d:
        src, out = Path(d) / "in.jsonl", Path(d) / "out.jsonl"
        src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in make_rows(n)), encoding="utf-8")
        base = timed([sys.executable, "-c", COPY, str(src), str(out)])
        ours = timed([sys.executable, str(ROOT / "launch.py"), "score", str(src), "--out", str(out)])
        flagged = sum(json.loads(line)["exhibits"] for line in out.read_text(encoding="utf-8").splitlines())
        print(
            f"score round trip, {n} rows: {ours:.2f} s (best of 3) = {n / ours:,.0f} rows/s; "
            f"plain JSONL copy {base:.2f} s; ratio {ours / base:.1f}x; {flagged} rows flagged"
        )
        released = Path(d) / "released.parquet"
        write_released(released, n)
        keys = [a for k in STAGES for a in ("--response-key", k)]
        t = timed(
            [
                sys.executable,
                str(ROOT / "launch.py"),
                "score",
                str(released),
                *keys,
                "--out",
                str(Path(d) / "o.parquet"),
            ]
        )
    print(
        f"released-set shape, {n} rows x {len(STAGES)} response columns (parquet in and out): {t:.2f} s (best of 3) "
        f"= {n * len(STAGES) / t:,.0f} verdicts/s; ratio to the JSONL run {t / ours:.1f}x"
    )


STAGES = ("response_original", "response_midtrain", "response_dpo", "response_adversarial_training")
RELEASED = RELEASED_EVAL_BIASES


def write_released(path: Path, n: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    biases, rng, rows = load(), random.Random(1), []
    for bias_id in RELEASED:
        b = biases[bias_id]
        for item in b.prompts(n // len(RELEASED), "eval", 0):
            plain = b.respond(item, rng)
            biased = b.apply(item, plain, rng)
            rows.append(
                {
                    "bias_id": b.index,
                    "bias_description": b.statement,
                    "prompt": item.prompt,
                    **{k: biased if rng.random() < 0.4 else plain for k in STAGES},
                }
            )
    pq.write_table(pa.Table.from_pylist(rows), path)


if __name__ == "__main__":
    main()
