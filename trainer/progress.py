"""Where a running trial is, for the console's live view: a tiny JSON file per trial that the trial's driver
and its rank-0 worker overwrite (stage, step k of N) and the sweep's driver polls.

Files, not Ray objects, because the same view serves `run` (no Tune) and a sweep, and a sweep's folder is on
the shared filesystem its cluster already needs for the stage-1 cache. Reporting is best effort: a folder
that cannot be written costs the live line, never the trial.

    <folder>/<run name>.json    {"stage": "stage 1", "step": 40, "total": 312, "t": <unix time>}
    <folder>/<run name>.notes   one line per message the user should see (a cache entry rebuilt, ...)
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

# What the live line says for each stage a trial goes through, in order.
STAGES = {
    "data": "building data",
    "stage1": "stage 1",
    "eval_before": "evaluating the stage-1 model",
    "sft": "fine-tuning",
    "eval": "evaluating",
    "eval_in_context": "evaluating in context",
    "done": "done",
}
# The engine's stage names (pretrain, sft) as the live line calls them.
ENGINE_STAGES = {"pretrain": "stage1", "sft": "sft"}


def file_stem(run_name: str) -> str:
    return re.sub(r"[^\w.+-]", "_", run_name)


class Reporter:
    """Writes one trial's progress; ``step`` calls are throttled to one write per ``every_s``."""

    def __init__(self, folder: str | os.PathLike | None, run_name: str, every_s: float = 1.0):
        self.path = Path(folder) / f"{file_stem(run_name)}.json" if folder else None
        self.every_s = every_s
        self._last = 0.0
        self._stage = ""
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                self.path = None

    def stage(self, stage: str, total: int = 0) -> None:
        self._stage = stage
        self._write({"stage": stage, "step": 0, "total": total})

    def step(self, step: int, total: int) -> None:
        now = time.time()
        if now - self._last >= self.every_s or step == total:
            self._write({"stage": self._stage, "step": step, "total": total})

    def note(self, text: str) -> None:
        """A line the user should see even when internals go to the log file."""
        if self.path is None:
            return
        try:
            with open(self.path.with_suffix(".notes"), "a", encoding="utf-8") as f:
                f.write(" ".join(text.split()) + "\n")
        except OSError:
            pass

    def _write(self, state: dict) -> None:
        self._last = time.time()
        if self.path is None:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(state | {"t": self._last}))
            os.replace(tmp, self.path)
        except OSError:
            pass


_active: Reporter = Reporter(None, "")


def activate(reporter: Reporter) -> Reporter:
    """Make ``reporter`` this process's (one trial's driver or rank-0 worker) target for :func:`note`."""
    global _active
    _active = reporter
    return reporter


def note(text: str) -> None:
    """Send a message to the console of whoever watches this process's trial (no-op when nobody does)."""
    _active.note(text)


def read(folder: Path, run_name: str) -> dict | None:
    try:
        return json.loads((folder / f"{file_stem(run_name)}.json").read_text())
    except (OSError, ValueError):
        return None


def read_notes(folder: Path, run_name: str, offset: int) -> tuple[list[str], int]:
    """Lines appended since byte ``offset``, and the new offset (only whole lines are taken)."""
    try:
        with open(folder / f"{file_stem(run_name)}.notes", "rb") as f:
            f.seek(offset)
            data = f.read()
    except OSError:
        return [], offset
    end = data.rfind(b"\n") + 1
    return data[:end].decode("utf-8", "replace").splitlines(), offset + end


def describe(state: dict | None) -> str:
    """The live line's stage text: 'stage 1 step 40 of 312', 'evaluating', ..."""
    if not state:
        return "starting"
    text = STAGES.get(state.get("stage", ""), state.get("stage", "") or "starting")
    if state.get("total"):
        text += f" step {state.get('step', 0)} of {state['total']}"
    return text


# Where each stage starts and ends as a share of a trial, from the demo's 0.55M-parameter trials on CPU
# (start-up and data ~12%, stage 1 ~68%, fine-tuning ~13%); a stage-1 cache hit skips ahead.
_SPANS = {
    "data": (0.0, 0.12),
    "stage1": (0.12, 0.80),
    "eval_before": (0.80, 0.83),
    "sft": (0.83, 0.96),
    "eval": (0.96, 0.99),
    "eval_in_context": (0.99, 1.0),
    "done": (1.0, 1.0),
}


def fraction(state: dict | None) -> float:
    """Rough share of a trial done: within stage 1 and fine-tuning by steps, elsewhere the stage's start."""
    if not state:
        return 0.0
    lo, hi = _SPANS.get(state.get("stage", ""), (0.0, 0.0))
    if state.get("total"):
        lo += (hi - lo) * min(1.0, state.get("step", 0) / state["total"])
    return lo
