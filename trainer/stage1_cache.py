"""The stage-1 cache: continued-pretraining results keyed by exactly what they depend on.

Trials that differ only in what is fine-tuned (``finetune.*``, ``sft.*``) share one stage 1: the key is
``trainer.keys.stage1_key``. An exclusive
file lock per key makes each distinct stage 1 train exactly once, also when trials run concurrently on
one machine or over a shared filesystem; a finished entry is a complete directory (built under a temp
name, its record and then its manifest written last, then renamed) that matches its manifest — a
truncated or changed model is moved aside and trained again (see ``trainer/manifest.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from .config import TrialConfig
from .manifest import check, obtain

DONE = "stage1.json"


def entry(cfg: TrialConfig, key: str) -> Path:
    return Path(cfg.data.cache_dir).resolve() / "stage1_model" / key


def finished(path: Path) -> dict[str, Any] | None:
    """The entry's record (with the MLflow run that trained it), or None if it is not complete or does not
    match its manifest."""
    if check(path) is not None:
        return None
    try:
        return json.loads((path / DONE).read_text())
    except (OSError, ValueError):
        return None


def build_once(path: Path, build: Callable[[Path], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """``(record, hit)``: the verified entry's record, or ``build(tmp_dir)``'s record after building it —
    under the lock, into ``<key>.partial``, published by rename (a failed build leaves nothing; a bad
    entry is moved aside first, with one line on stderr)."""
    built: list[dict[str, Any]] = []

    def fill(tmp: Path) -> None:
        record = build(tmp)
        (tmp / DONE).write_text(json.dumps(record))
        built.append(record)

    hit = obtain(path, fill)
    return (built[0] if built else json.loads((path / DONE).read_text())), hit
