"""The stage-1 cache: continued-pretraining results keyed by exactly what they depend on.

Trials that differ only in what is fine-tuned (``finetune.*``, ``sft.*``) share one stage 1. An exclusive
file lock per key makes each distinct stage 1 train exactly once, also when trials run concurrently on
one machine or over a shared filesystem; a finished entry is a complete directory (built under a temp
name, its record and then its manifest written last, then renamed) that matches its manifest — a
truncated or changed model is moved aside and trained again (see ``trainer/manifest.py``).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from .config import TrialConfig, flatten
from .corpus.cache import cache_key
from .manifest import check, obtain

DONE = "stage1.json"


def stage1_key(cfg: TrialConfig, data_summary: dict[str, Any]) -> str:
    """Stage-1 corpus and tokenizer, model, pretraining and engine settings, world size (it changes the
    data order), the seed, and the generation settings of the before-fine-tuning evaluation."""
    flat = flatten(cfg)
    parts = {k: v for k, v in flat.items() if k.split(".")[0] in ("model", "pretrain", "engine")}
    parts |= {k: flat[k] for k in ("seed", "ray.num_workers", "ray.use_gpu", "eval.max_new_tokens", "eval.samples",
                                   "eval.temperature", "eval.before_ft")}
    parts |= {"stage1": data_summary["keys"]["stage1"], "tokenizer": data_summary["keys"]["tokenizer"],
              "eval_set": data_summary["keys"]["eval"]}
    return cache_key(parts)


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
