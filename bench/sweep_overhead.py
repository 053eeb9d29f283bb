"""Where a sweep's wall time goes, and what the stage-1 cache saves.

Runs a sweep (default: configs/sweeps/smoke.yaml) in a fresh directory, then reads its MLflow record:
- compute share: seconds inside training steps and evaluation (pretrain/sft/eval timers logged by the
  workers) over the sweep's wall time times the trials that ran at once (each had the whole wall time);
  the rest is orchestration (Ray, Tune, processes, DeepSpeed init, data, MLflow);
- breakdown: the same run's wall time by phase, from the marks its driver and workers write
  (``trainer/timeline.py``, ``BIASGEN_TIMELINE``), summed over trials;
- cache saving: for each trial whose stage 1 came from the cache, the wall time of the stage-1 run it
  reused, against the wall time the sweep would have taken without the cache.

    python bench/sweep_overhead.py [SWEEP] [--keep DIR]   (--keep: run in DIR and leave it, with timeline.jsonl)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer import timeline  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sweep", nargs="?", default="smoke")
    ap.add_argument("--keep", metavar="DIR", help="run in DIR (created) and keep it")
    args = ap.parse_args()
    sweep = args.sweep
    where = contextlib.nullcontext(args.keep) if args.keep else tempfile.TemporaryDirectory()
    with where as d:
        os.makedirs(d, exist_ok=True)
        marks = Path(d) / "timeline.jsonl"
        marks.unlink(missing_ok=True)
        start, t0 = time.time(), time.perf_counter()
        r = subprocess.run(
            [sys.executable, str(ROOT / "launch.py"), "sweep", sweep],
            cwd=d,
            capture_output=True,
            text=True,
            env=os.environ | {timeline.VAR: str(marks)},
        )
        wall, end = time.perf_counter() - t0, time.time()
        if r.returncode != 0:
            sys.exit(f"sweep failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
        rows = timeline.read(str(marks))
        phases, n_slots = timeline.breakdown(rows, start, end), max(1, timeline.slots(rows))
        from mlflow.tracking import MlflowClient

        c = MlflowClient(tracking_uri=f"sqlite:///{d}/mlflow.db")
        runs = [run for exp in c.search_experiments() for run in c.search_runs([exp.experiment_id], max_results=10000)]
    role = lambda run: run.data.tags.get("biasgen.role")  # noqa: E731
    stage1 = {run.info.run_id: run for run in runs if role(run) == "stage1"}
    trials = [run for run in runs if role(run) == "trial"]
    timers = ("pretrain/seconds", "eval/before_ft_seconds", "sft/seconds", "eval/after_ft_seconds")
    compute = sum(
        run.data.metrics.get(t, 0.0)
        for run in list(stage1.values()) + trials
        for t in timers
        if t in run.data.metrics and (role(run) == "stage1" or not t.startswith(("pretrain", "eval/before")))
    )
    s1_wall = {k: (v.info.end_time - v.info.start_time) / 1000 for k, v in stage1.items()}
    hits = [t for t in trials if t.data.tags.get("biasgen.stage1_cache") == "hit"]
    saved = sum(s1_wall[t.data.tags["biasgen.stage1_run_id"]] for t in hits)
    print(f"sweep {sweep}: {len(trials)} trials, {len(stage1)} stage-1 runs, {n_slots} at once, wall {wall:.0f} s")
    share = compute / (wall * n_slots)  # trials at once each have the whole wall time
    print(
        f"compute (training steps + evaluation): {compute:.0f} s over {n_slots} slot(s) x {wall:.0f} s = {share:.1%}; "
        f"orchestration and start-up: {1 - share:.1%}"
    )
    compute_names = " and ".join(timeline.COMPUTE)
    print(f"time by phase, summed over trials, as a share of slots x wall ({compute_names} are compute):")
    for phase, sec in sorted(phases.items(), key=lambda kv: -kv[1]):
        print(f"  {sec:7.1f} s  {sec / (wall * n_slots):6.1%}  {phase}")
    print(
        f"stage-1 cache: {len(hits)} of {len(trials)} trials reused a stage 1, saving {saved:.0f} s of stage-1 runs; "
        f"without the cache the sweep would take ~{wall + saved:.0f} s ({saved / (wall + saved):.1%} saved)"
    )


if __name__ == "__main__":
    main()
