"""Timestamps of a trial's phases, for measuring where its fixed cost goes (``bench/sweep_overhead.py``).

``mark(event)`` appends one JSON line ``{"t", "pid", "rank", "event"}`` to the file named by ``BIASGEN_TIMELINE``
(passed on to the Ray workers, ``trainer.ray_session.worker_env``); without it, nothing is written.  A line is
one ``write`` on an append-mode file, so the driver and several workers can mark the same file without
interleaving.  ``rank`` is a worker's rank (its marks pass it), ``None`` on a driver."""

from __future__ import annotations

import json
import os
import time

VAR = "BIASGEN_TIMELINE"


def mark(event: str, rank: str | None = None, **extra) -> None:
    path = os.environ.get(VAR)
    if not path:
        return
    line = json.dumps({"t": time.time(), "pid": os.getpid(), "rank": rank, "event": event, **extra}) + "\n"
    with open(path, "a") as f:
        f.write(line)


# what the time up to each mark was spent on, along a trial's critical path (its driver, then its rank 0)
PHASES = {
    "data_ready": "data (built or found) and the trial's MLflow run",
    "group_start": "Ray session; waiting for the stage-1 lock",
    "group_ready": "worker group: placement group, actors placed",
    "worker_enter": "worker processes: start and imports",
    "process_group_ready": "DeepSpeed import, process group",
    "data_loaded": "worker data: tokenizer, evaluation sets",
    "engine_init": "model built or loaded, training data",
    "engine_ready": "deepspeed.initialize",
    "train_end": "training steps",
    "eval_start": "model saved",
    "eval_end": "evaluation",
    "worker_exit": "metrics and artifacts (rank 0)",
    "trial_end": "results to MLflow, group shut down",
}
# a sweep's own marks (sweeps/runner.py), outside its trials
SWEEP_PHASES = {
    "sweep_start": "launch.py: Python start, imports",
    "sweep_ready": "sweep: configs checked, MLflow parent run, lookups",
    "ray_ready": "sweep: Ray started",
    "trial_start": "Tune: first trial process started",
    "tune_end": "Tune: stopped after the last trial",
    "ray_closed": "sweep: Ray shut down",
    "analysis_start": "sweep: parent run closed",
    "end": "sweep: analysis and report, exit",
}
COMPUTE = ("training steps", "evaluation")
BEFORE, BETWEEN, AFTER = "before the first trial", "between trials", "after the last trial"


def read(path: str) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _trials(rows: list[dict]) -> list[tuple[list[dict], float, float]]:
    """Each trial's driver marks, start and end (``trial_start`` to ``trial_end``, or its last mark), by start."""
    out = []
    for pid in sorted({r["pid"] for r in rows if r.get("rank") is None and r["event"] == "trial_start"}):
        mine = sorted((r for r in rows if r["pid"] == pid), key=lambda r: r["t"])
        starts = [i for i, r in enumerate(mine) if r["event"] == "trial_start"]
        for n, i in enumerate(starts):  # a driver process may run several trials (a sweep's slot)
            trial = mine[i : starts[n + 1] if n + 1 < len(starts) else len(mine)]
            end = next((r["t"] for r in trial if r["event"] == "trial_end"), trial[-1]["t"])
            out.append((trial, trial[0]["t"], end))
    return sorted(out, key=lambda x: x[1])


def slots(rows: list[dict]) -> int:
    """The most trials that ran at once."""
    trials = _trials(rows)
    events = sorted([(t0, 1) for _, t0, _ in trials] + [(t1, -1) for _, _, t1 in trials])
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def breakdown(rows: list[dict], start: float, end: float) -> dict[str, float]:
    """Seconds per phase, summed over trials, from the marks of a run that began at ``start`` and ended at
    ``end`` (epoch seconds).  A trial's path is its driver's marks (``rank`` None) merged with the marks of its
    rank 0 (``rank`` "0", the same ``trial``); each gap is charged to the phase of the mark
    that ends it.  The time outside every trial is charged to ``BETWEEN`` and, split by the sweep's own marks,
    to ``BEFORE`` and ``AFTER``."""
    out: dict[str, float] = {}
    trials = _trials(rows)
    for trial, t0, t1 in trials:
        name = trial[0].get("trial")
        rank0 = [r for r in rows if r.get("rank") == "0" and r.get("trial") == name and t0 <= r["t"] <= t1]
        path = sorted(trial + rank0, key=lambda r: r["t"])
        for a, b in zip(path, path[1:]):
            if b["t"] > t1:
                break
            phase = PHASES.get(b["event"], b["event"])
            out[phase] = out.get(phase, 0.0) + (b["t"] - a["t"])
    spans = [(t0, t1) for _, t0, t1 in trials]  # by start
    if not spans:
        return out
    first, reach, gaps = spans[0][0], spans[0][1], 0.0
    for t0, t1 in spans[1:]:
        gaps += max(0.0, t0 - reach)
        reach = max(reach, t1)
    out[BETWEEN] = gaps
    sweep = sorted(
        (r for r in rows if r["event"] in SWEEP_PHASES and r["event"] != "trial_start"), key=lambda r: r["t"]
    )
    before = [{"t": start}] + [r for r in sweep if r["t"] < first] + [{"t": first, "event": "trial_start"}]
    after = [{"t": reach}] + [r for r in sweep if r["t"] > reach] + [{"t": end, "event": "end"}]
    for path, label in ((before, BEFORE), (after, AFTER)):
        for a, b in zip(path, path[1:]):
            phase = f"{label}: {SWEEP_PHASES[b['event']]}"
            out[phase] = out.get(phase, 0.0) + max(0.0, b["t"] - a["t"])
    return out
