"""Score a JSONL file of (bias, prompt, response) rows with the rule detectors or the LLM judge.

Input rows: ``{"bias": ID, "prompt": ..., "response": ...}`` (extra keys are kept), or the released
evaluation set's schema (``bias_id``, ``prompt`` and a response column named by ``response_key``).
Every line is validated before anything is written (including that each of its strings can be written
back as UTF-8 and that it nests at most MAX_DEPTH levels); ``check_out`` refuses an unwritable ``--out``
before scoring; output is written to a temp file and renamed.
"""
from __future__ import annotations

import json
import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import atomic_write, probe_writable
from .biases import Bias, load
from .tracking import jsonl_text


class ScoreInputError(ValueError):
    pass


# A row nesting deeper than this is refused: far below Python's recursion limit, so a row that reads also
# writes (json.dumps recurses as json.loads does), and far above any real row.
MAX_DEPTH = 100
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class Row:
    record: dict[str, Any]
    bias: Bias
    prompt: str
    response: str


def read_rows(path: str | Path, response_key: str = "response") -> list[Row]:
    path = Path(path)
    if not path.exists():
        raise ScoreInputError(f"{path}: no such file")
    if not path.is_file():
        raise ScoreInputError(f"{path}: not a file")
    biases = load()
    rows: list[Row] = []
    try:
        f = path.open("rb")  # bytes, so that a bad byte is reported with its line, not as a codec traceback
    except OSError as e:
        raise ScoreInputError(f"{path}: cannot read ({e.strerror})") from None
    with f:
        for n, raw in enumerate(f, 1):
            where = f"{path}:{n}"
            line = _decode(raw, where, first=n == 1)
            if not line.strip():
                continue
            rec = _parse(line, where)
            if not isinstance(rec, dict):
                raise ScoreInputError(f"{where}: expected a JSON object, got {type(rec).__name__}")
            _check_values(rec, where)
            bias_key = "bias" if "bias" in rec else "bias_id"
            for key in (bias_key, "prompt", response_key):
                if key not in rec:
                    present = ", ".join(k if k.isprintable() else repr(k) for k in rec) or "none"
                    raise ScoreInputError(f"{where}: missing key {key!r} (keys present: {present})")
                if not isinstance(rec[key], str):
                    raise ScoreInputError(f"{where}: key {key!r} must be a string, got {type(rec[key]).__name__}")
            if rec[bias_key] not in biases:
                raise ScoreInputError(f"{where}: unknown bias id {rec[bias_key]!r}")
            rows.append(Row(rec, biases[rec[bias_key]], rec["prompt"], rec[response_key]))
    if not rows:
        raise ScoreInputError(f"{path}: no rows")
    return rows


def _decode(raw: bytes, where: str, first: bool) -> str:
    """One line as text; JSONL is UTF-8 (a byte-order mark on the first line is tolerated)."""
    try:
        return raw.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as e:
        column = len(raw[:e.start].decode("utf-8-sig" if first else "utf-8")) + 1
        raise ScoreInputError(f"{where}: not valid UTF-8 (byte 0x{raw[e.start]:02x} at column {column}; "
                              "JSONL must be UTF-8)") from None


def _parse(line: str, where: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as e:
        raise ScoreInputError(f"{where}: not valid JSON ({e.msg} at column {e.colno})") from None
    except RecursionError:
        raise ScoreInputError(f"{where}: not valid JSON (nested more than {MAX_DEPTH} levels)") from None
    except ValueError as e:  # an integer of more than 4,300 digits; the rest of the message is for Python users
        raise ScoreInputError(f"{where}: not valid JSON ({str(e).split(';')[0]})") from None


def _check_values(rec: dict[str, Any], where: str) -> None:
    """Refuse what would break only later: a lone surrogate (a ``\\ud800`` escape) anywhere in the row, since
    extra keys are written back and UTF-8 cannot hold it; and nesting beyond MAX_DEPTH."""
    stack: list[tuple[Any, tuple, int]] = [(rec, (), 1)]
    while stack:
        value, at, depth = stack.pop()
        if isinstance(value, str):
            if m := _SURROGATE.search(value):
                raise ScoreInputError(f"{where}: {_key_path(at)} is not valid Unicode ({_surrogate(m)})")
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise ScoreInputError(f"{where}: not valid JSON (nested more than {MAX_DEPTH} levels)")
        if isinstance(value, list):
            stack.extend((v, (*at, i), depth + 1) for i, v in reversed(list(enumerate(value))))
            continue
        for k in value:
            if m := _SURROGATE.search(k):
                inside = f" in {_key_path(at)}" if at else ""
                raise ScoreInputError(f"{where}: key name {k!r}{inside} is not valid Unicode ({_surrogate(m)})")
        stack.extend((v, (*at, k), depth + 1) for k, v in reversed(list(value.items())))


def _key_path(at: tuple) -> str:
    """("meta", "notes", 2) -> key 'meta'['notes'][2]"""
    return f"key {at[0]!r}" + "".join(f"[{c!r}]" for c in at[1:])


def _surrogate(m: re.Match) -> str:
    return f"unpaired surrogate \\u{ord(m.group()):04x}"


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


def check_out(out: str | Path | None) -> None:
    """Refuse an ``--out`` that cannot be written now, before scoring, not after a long LLM-judged run.

    A real probe (create and remove a temp file where the output will go) rather than permission bits,
    which say nothing of a read-only mount, or of anything when running as root.
    """
    if out is None:
        return
    path = Path(out)
    if path.is_dir():
        raise ScoreInputError(f"--out {out}: is a directory (give a file name, e.g. {path / 'scored.jsonl'})")
    if path.exists() and not path.is_file():
        raise ScoreInputError(f"--out {out}: not a regular file, and writing would replace it "
                              "(omit --out to write to stdout)")
    try:  # where atomic_write will write (it creates missing folders; a link is written through)
        probe_writable((Path(os.path.realpath(path)) if path.is_symlink() else path).parent)
    except NotADirectoryError as e:
        raise ScoreInputError(f"--out {out}: {e.filename} is a file, not a folder") from None
    except OSError as e:
        raise ScoreInputError(f"--out {out}: cannot write in {e.filename} ({e.strerror})") from None


def write_rows(records: list[dict[str, Any]], out: str | Path | None) -> None:
    data = jsonl_text(records).encode("utf-8")  # JSONL is UTF-8, whatever the terminal's encoding
    if out is None:
        sys.stdout.flush()
        stdout = getattr(sys.stdout, "buffer", None)
        if stdout is None:  # a replaced sys.stdout (tests)
            sys.stdout.write(data.decode("utf-8"))
            return
        stdout.write(data)
        stdout.flush()
        return
    check_out(out)  # again: cmd_score checks before scoring, but the folder may have changed since
    with atomic_write(out, "wb") as f:
        f.write(data)


def summary(records: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Per bias: (rows exhibiting, rows)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in records:
        c = counts[r.get("bias", r.get("bias_id"))]
        c[0] += int(r["exhibits"])
        c[1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(counts.items())}
