"""The rows `launch.py score` reads: JSONL, JSON, CSV, parquet, a saved ``datasets`` folder, a folder of
parquet files (the hub's layout) or, with hub access on, a hub dataset.

Every format yields the same thing: :class:`InputRow` (the record, where it came from for error
messages, and the split its source put it in, if any).  A source's splits are the named splits of a
saved ``DatasetDict`` or hub dataset, the keys of a JSON object of row lists, or the names of a folder's
parquet files (``test_biases-00000-of-00001.parquet`` is split ``test_biases``).  JSONL and JSON are
validated line by line before anything is written: UTF-8, nesting depth, and strings that can be written
back (no lone surrogates), so a bad row fails with its line, never halfway through writing.
``datasets`` and ``pyarrow`` are imported only for the inputs that need them (a saved dataset, parquet).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .errors import UserError

# A row nesting deeper than this is refused: far below Python's recursion limit, so a row that reads also
# writes (json.dumps recurses as json.loads does), and far above any real row.
MAX_DEPTH = 100
_SURROGATE = re.compile("[\ud800-\udfff]")
_SHARD = re.compile(r"(?P<split>.+?)-\d{5}-of-\d{5}")  # the hub's parquet shard names
NEWLINE = b"\n"


class ScoreInputError(UserError, ValueError):
    pass


@dataclass
class InputRow:
    record: dict[str, Any]
    where: str  # "in.jsonl:3", "in.parquet row 3", "released[test_biases] row 3": for one-line errors
    split: str | None  # the split the source put the row in (None: the source has no splits)


def read_source(path: str | Path) -> list[InputRow]:
    """All rows of a local file or folder, in order, each a dict."""
    path = Path(path)
    if not path.exists():
        raise ScoreInputError(f"{path}: no such file")
    if path.is_dir():
        return _read_folder(path)
    if not path.is_file():
        raise ScoreInputError(f"{path}: not a file")
    suffix = path.suffix.lower()
    reader = {".json": _read_json, ".csv": _read_csv, ".parquet": _read_parquet}.get(suffix, _read_jsonl)
    try:
        return reader(path)
    except PermissionError as e:
        raise ScoreInputError(f"{path}: cannot read ({e.strerror})") from None


def read_hub(name: str) -> list[InputRow]:
    """Every split of a dataset through ``datasets.load_dataset`` (the caller checks hub access is on)."""
    import datasets

    try:
        loaded = datasets.load_dataset(name)
    except Exception as e:  # noqa: BLE001 - datasets raises many types; one line is what the user needs
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ScoreInputError(f"--dataset {name}: cannot load ({first})") from None
    return _dataset_rows(loaded, name)


# -- formats --------------------------------------------------------------------------------------------
def _read_jsonl(path: Path) -> list[InputRow]:
    rows = []
    with path.open("rb") as f:  # bytes, so that a bad byte is reported with its line, not as a codec traceback
        for n, raw in enumerate(f, 1):
            where = f"{path}:{n}"
            line = _decode(raw, where, first=n == 1)
            if not line.strip():
                continue
            rows.append(_json_row(_parse(line, where), where, None))
    return rows


def _read_json(path: Path) -> list[InputRow]:
    """A list of row objects, or an object whose keys are split names and whose values are row lists."""
    data = _parse(_decode(path.read_bytes(), str(path), first=True, fmt="JSON"), str(path))
    if isinstance(data, list):
        parts: list[tuple[str | None, Any]] = [(None, data)]
    elif isinstance(data, dict) and data and all(isinstance(v, list) for v in data.values()):
        parts = list(data.items())
    else:
        raise ScoreInputError(
            f'{path}: expected a JSON list of row objects, or an object of splits ({{"train_biases": [...], ...}})'
        )
    rows = []
    for split, items in parts:
        for i, rec in enumerate(items, 1):
            rows.append(_json_row(rec, f"{path}: {split + ' ' if split else ''}row {i}", split))
    return rows


def _json_row(rec: Any, where: str, split: str | None) -> InputRow:
    if not isinstance(rec, dict):
        raise ScoreInputError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    check_values(rec, where)
    return InputRow(rec, where, split)


def _read_csv(path: Path) -> list[InputRow]:
    rows = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            for rec in reader:
                where = f"{path}:{reader.line_num}"
                if None in rec or any(v is None for v in rec.values()):
                    raise ScoreInputError(
                        f"{where}: {len(rec) - (None in rec) + len(rec.get(None) or [])} "
                        f"fields where the header has {len(header)}"
                    )
                rows.append(InputRow(dict(rec), where, None))
    except UnicodeDecodeError:
        raise ScoreInputError(f"{path}: not valid UTF-8 (CSV must be UTF-8)") from None
    except csv.Error as e:
        raise ScoreInputError(f"{path}: not valid CSV ({e})") from None
    return rows


def _read_parquet(path: Path, split: str | None = None) -> list[InputRow]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        records = pq.read_table(path).to_pylist()
    except (pa.ArrowException, OSError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ScoreInputError(f"{path}: not a readable parquet file ({first})") from None
    if split is None and (m := _SHARD.fullmatch(path.stem)):
        split = m.group("split")
    return [InputRow(rec, f"{path} row {i}", split) for i, rec in enumerate(records, 1)]


def _read_folder(path: Path) -> list[InputRow]:
    if (path / "dataset_dict.json").exists() or (path / "state.json").exists():
        import datasets

        try:
            loaded = datasets.load_from_disk(str(path))
        except Exception as e:  # noqa: BLE001 - a damaged folder; one line
            raise ScoreInputError(f"{path}: not a readable saved dataset ({str(e).strip().splitlines()[0]})") from None
        return _dataset_rows(loaded, str(path))
    files = sorted(path.rglob("*.parquet"))
    if not files:
        raise ScoreInputError(
            f"{path}: a folder, but neither a saved dataset (dataset_dict.json or state.json) nor parquet files"
        )
    rows = []
    for f in files:  # in a folder every file is part of one dataset: its name (less the shard suffix) is its split
        m = _SHARD.fullmatch(f.stem)
        rows.extend(_read_parquet(f, m.group("split") if m else f.stem))
    return rows


def _dataset_rows(loaded: Any, name: str) -> list[InputRow]:
    """Rows of a ``Dataset`` (no split) or a ``DatasetDict`` (its splits, in order)."""
    parts = list(loaded.items()) if hasattr(loaded, "keys") else [(None, loaded)]
    rows = []
    for split, ds in parts:
        for i, rec in enumerate(ds.to_list(), 1):
            rows.append(InputRow(rec, f"{name}{f'[{split}]' if split else ''} row {i}", split))
    return rows


# -- validation shared by the JSON formats --------------------------------------------------------------
def _decode(raw: bytes, where: str, first: bool, fmt: str = "JSONL") -> str:
    """Text from bytes; JSON is UTF-8 (a byte-order mark at the start is tolerated).  ``raw`` is one line
    (JSONL) or a whole file (JSON: the error names the line)."""
    try:
        return raw.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as e:
        line_start = raw.rfind(NEWLINE, 0, e.start) + 1
        if line_start:
            where = f"{where}:{raw.count(NEWLINE, 0, e.start) + 1}"
        column = len(raw[line_start : e.start].decode("utf-8-sig" if first and not line_start else "utf-8")) + 1
        raise ScoreInputError(
            f"{where}: not valid UTF-8 (byte 0x{raw[e.start]:02x} at column {column}; {fmt} must be UTF-8)"
        ) from None


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        at = f"line {e.lineno} column {e.colno}" if e.lineno > 1 else f"column {e.colno}"
        raise ScoreInputError(f"{where}: not valid JSON ({e.msg} at {at})") from None
    except RecursionError:
        raise ScoreInputError(f"{where}: not valid JSON (nested more than {MAX_DEPTH} levels)") from None
    except ValueError as e:  # an integer of more than 4,300 digits; the rest of the message is for Python users
        raise ScoreInputError(f"{where}: not valid JSON ({str(e).split(';')[0]})") from None


def check_values(rec: dict[str, Any], where: str) -> None:
    """Refuse what would break only later: a lone surrogate (a ``\\ud800`` escape) anywhere in the row, since
    extra keys are written back and UTF-8 cannot hold it; and nesting beyond MAX_DEPTH."""
    for value, at, depth in _walk(rec):
        if isinstance(value, str):
            if m := _SURROGATE.search(value):
                raise ScoreInputError(f"{where}: {_key_path(at)} is not valid Unicode ({_surrogate(m)})")
        elif isinstance(value, (dict, list)) and depth > MAX_DEPTH:
            raise ScoreInputError(f"{where}: not valid JSON (nested more than {MAX_DEPTH} levels)")
        elif isinstance(value, dict):
            for k in value:
                if m := _SURROGATE.search(k):
                    inside = f" in {_key_path(at)}" if at else ""
                    raise ScoreInputError(f"{where}: key name {k!r}{inside} is not valid Unicode ({_surrogate(m)})")


def _walk(rec: dict[str, Any]) -> Iterator[tuple[Any, tuple, int]]:
    """Every value of a nested row, depth first in document order, with its key path and depth."""
    stack: list[tuple[Any, tuple, int]] = [(rec, (), 1)]
    while stack:
        value, at, depth = stack.pop()
        yield value, at, depth
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, list):
            stack.extend((v, (*at, i), depth + 1) for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, dict):
            stack.extend((v, (*at, k), depth + 1) for k, v in reversed(list(value.items())))


def _key_path(at: tuple) -> str:
    """("meta", "notes", 2) -> key 'meta'['notes'][2]"""
    return f"key {at[0]!r}" + "".join(f"[{c!r}]" for c in at[1:])


def _surrogate(m: re.Match) -> str:
    return f"unpaired surrogate \\u{ord(m.group()):04x}"
