"""The stage-1 cache: continued-pretraining results keyed by exactly what they depend on.

Trials that differ only in what is fine-tuned (``finetune.*``, ``sft.*``) share one stage 1. An exclusive
file lock per key makes each distinct stage 1 train exactly once, also when trials run concurrently on
one machine or over a shared filesystem; a finished entry is a complete directory (built under a temp
name, then renamed).
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

from .config import TrialConfig, flatten
from .corpus.cache import cache_key

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
    """The entry's record (with the MLflow run that trained it), or None if it is not complete."""
    f = path / DONE
    return json.loads(f.read_text()) if f.is_file() else None


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_once(path: Path, build: Callable[[Path], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """``(record, hit)``: the finished entry, or ``build(tmp_dir)``'s record after building it — under
    the lock, into ``<key>.partial``, published by rename (a failed build leaves nothing)."""
    record = finished(path)
    if record:
        return record, True
    with locked(path):
        record = finished(path)  # built by a concurrent trial while we waited
        if record:
            return record, True
        tmp = path.with_name(path.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            record = build(tmp)
            (tmp / DONE).write_text(json.dumps(record))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        tmp.rename(path)
        return record, False
