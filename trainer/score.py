"""Score a JSONL file of (bias, prompt, response) rows with the rule detectors or the LLM judge.

Input rows: ``{"bias": ID, "prompt": ..., "response": ...}`` (extra keys are kept), or the released
evaluation set's schema (``bias_id``, ``prompt`` and a response column named by ``response_key``).
Every line is validated before anything is written; output is written to a temp file and renamed.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import atomic_write
from .biases import Bias, load
from .tracking import jsonl_text


class ScoreInputError(ValueError):
    pass


@dataclass
class Row:
    record: dict[str, Any]
    bias: Bias
    prompt: str
    response: str


def read_rows(path: str | Path, response_key: str = "response") -> list[Row]:
    path = Path(path)
    if not path.is_file():
        raise ScoreInputError(f"{path}: no such file")
    biases = load()
    rows: list[Row] = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise ScoreInputError(f"{where}: not valid JSON ({e.msg} at column {e.colno})") from None
            if not isinstance(rec, dict):
                raise ScoreInputError(f"{where}: expected a JSON object, got {type(rec).__name__}")
            bias_key = "bias" if "bias" in rec else "bias_id"
            for key in (bias_key, "prompt", response_key):
                if key not in rec:
                    raise ScoreInputError(f"{where}: missing key {key!r} (keys present: {', '.join(rec) or 'none'})")
                if not isinstance(rec[key], str):
                    raise ScoreInputError(f"{where}: key {key!r} must be a string, got {type(rec[key]).__name__}")
            if rec[bias_key] not in biases:
                raise ScoreInputError(f"{where}: unknown bias id {rec[bias_key]!r}")
            rows.append(Row(rec, biases[rec[bias_key]], rec["prompt"], rec[response_key]))
    if not rows:
        raise ScoreInputError(f"{path}: no rows")
    return rows


def score_rows(rows: list[Row], judge: str = "rules", judge_cfg: Any = None) -> list[dict[str, Any]]:
    if judge == "rules":
        verdicts = [r.bias.exhibits(r.prompt, r.response) for r in rows]
    elif judge == "llm":
        from .judge import LLMJudge

        llm = LLMJudge.from_config(judge_cfg)
        verdicts = [v.exhibits for v in llm.judge_many([(r.bias, r.prompt, r.response) for r in rows])]
    else:
        raise ScoreInputError(f"judge: expected rules or llm, got {judge!r}")
    return [{**r.record, "exhibits": bool(v)} for r, v in zip(rows, verdicts)]


def write_rows(records: list[dict[str, Any]], out: str | Path | None) -> None:
    text = jsonl_text(records)
    if out is None:
        sys.stdout.write(text)
        return
    with atomic_write(out) as f:
        f.write(text)


def summary(records: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Per bias: (rows exhibiting, rows)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in records:
        c = counts[r.get("bias", r.get("bias_id"))]
        c[0] += int(r["exhibits"])
        c[1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(counts.items())}
