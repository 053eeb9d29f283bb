"""Score model outputs for bias exhibition with the rule detectors, the LLM judge, or both.

A row names its bias by ``bias`` or ``bias_id``: a catalogue id (``"spanish_color_words"``) or the
universe numbering (``19``, the released evaluation set's integers; a digit string from a CSV counts too).
When a ``bias_description`` is present it is checked against the bias by content
(:mod:`trainer.biases.description`), so a file numbered against another universe fails on its first row
instead of being scored against the wrong biases.  Each ``--response-key`` gets its own verdict column;
every input column is kept.  Nothing is written until every row has been read and validated; output
goes to a temp file and is renamed.

A row's split is the one its source gives it (see :mod:`trainer.score_input`), else its ``split``
column, else the paper's split of its bias: ``train_biases`` or ``test_biases`` (``biases`` in a
synthetic universe, which has no split).
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from .agreement import LabelError, disagreements_markdown, parse_label, report
from .atomic import atomic_write, probe_writable
from .biases import Bias, load
from .biases.description import matcher_for
from .judge import LLMJudge
from .metrics import wilson
from .score_input import MAX_DEPTH, InputRow, ScoreInputError, read_hub, read_source  # noqa: F401 (re-exported)
from .tracking import csv_text, jsonl_text

ALL = "all"
SPLIT_OF_BIAS = {"train": "train_biases", "test": "test_biases", "none": "biases"}
JUDGES = ("rules", "llm", "both")


@dataclass
class Row:
    record: dict[str, Any]
    bias: Bias
    prompt: str
    responses: dict[str, str]  # response key -> text
    split: str
    where: str
    split_from_source: bool = False  # the source's structure gave the split: written as a "split" column

    @property
    def response(self) -> str:  # the first response key's text (the common one-key case)
        return next(iter(self.responses.values()))


def read_rows(
    source: str | Path | Sequence[InputRow],
    response_keys: str | Sequence[str] = "response",
    biases: Mapping[str, Bias] | None = None,
    split: str = ALL,
) -> list[Row]:
    """Validated rows of a file/folder (or of already-read :class:`InputRow` s), in input order."""
    keys = [response_keys] if isinstance(response_keys, str) else list(response_keys)
    inputs = read_source(source) if isinstance(source, (str, Path)) else list(source)
    name = str(source) if isinstance(source, (str, Path)) else "input"
    if not inputs:
        raise ScoreInputError(f"{name}: no rows")
    resolver = _BiasResolver(biases if biases is not None else load())
    rows = []
    for inp in inputs:
        rec, where = inp.record, inp.where
        bias = resolver(rec, where)
        for key in ("prompt", *keys):
            if key not in rec:
                raise ScoreInputError(f"{where}: missing key {key!r} (keys present: {_keys(rec)})")
            if not isinstance(rec[key], str):
                raise ScoreInputError(f"{where}: key {key!r} must be a string, got {_type(rec[key])}")
        row_split = inp.split or (rec["split"] if isinstance(rec.get("split"), str) and rec["split"] else None)
        rows.append(
            Row(
                rec,
                bias,
                rec["prompt"],
                {k: rec[k] for k in keys},
                row_split or SPLIT_OF_BIAS[bias.split],
                where,
                split_from_source=bool(inp.split),
            )
        )
    if split != ALL:
        present = sorted({r.split for r in rows})
        rows = [r for r in rows if r.split == split]
        if not rows:
            raise ScoreInputError(f"--split {split}: no rows in that split of {name} (splits: {', '.join(present)})")
    return rows


class _BiasResolver:
    """Row -> Bias: by id or universe index, cross-checked against ``bias_description`` (memoised per
    (bias, description) pair: the released set repeats one description per bias)."""

    def __init__(self, biases: Mapping[str, Bias]):
        self.biases = biases
        self.by_index = {b.index: b for b in biases.values()}
        self.checked: dict[tuple[str, str], str | None] = {}

    def __call__(self, rec: dict[str, Any], where: str) -> Bias:
        key = "bias" if "bias" in rec else "bias_id"
        if key not in rec:
            raise ScoreInputError(f"{where}: missing key 'bias' or 'bias_id' (keys present: {_keys(rec)})")
        value = rec[key]
        index = _as_index(value)
        if index is not None:
            if index not in self.by_index:
                raise ScoreInputError(
                    f"{where}: unknown bias id {value!r} (this universe numbers its biases 1..{len(self.by_index)})"
                )
            bias = self.by_index[index]
        elif isinstance(value, str):
            if value not in self.biases:
                raise ScoreInputError(f"{where}: unknown bias id {value!r}")
            bias = self.biases[value]
        else:
            raise ScoreInputError(
                f"{where}: key {key!r} must be a bias id (a string) or the universe numbering "
                f"(an integer), got {_type(value)}"
            )
        desc = rec.get("bias_description")
        if desc is not None:
            if not isinstance(desc, str):
                raise ScoreInputError(f"{where}: key 'bias_description' must be a string, got {_type(desc)}")
            if desc.strip():
                self._check(bias, key, value, desc, where)
        return bias

    def _check(self, bias: Bias, key: str, value: Any, desc: str, where: str) -> None:
        pair = (bias.id, desc)
        if pair not in self.checked:
            self.checked[pair] = matcher_for(self.biases).contradiction(bias.id, desc)
        other = self.checked[pair]
        if other is None:
            return
        named = (
            f"{key} {value!r} is {bias.id}" if not isinstance(value, str) or value != bias.id else f"{key} {value!r}"
        )
        reads = f"reads as {other}" if other else "matches no bias of this universe"
        quoted = desc if len(desc) <= 70 else desc[:67] + "..."
        raise ScoreInputError(f"{where}: {named}, but its bias_description {reads} ({quoted!r})")


def _as_index(value: Any) -> int | None:
    """The universe numbering if ``value`` is one: an int, an integral float (a CSV or pandas round trip),
    or a digit string (no catalogue id is all digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _keys(rec: dict[str, Any]) -> str:
    return ", ".join(k if str(k).isprintable() else repr(k) for k in rec) or "none"


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


# -- verdicts -------------------------------------------------------------------------------------------
def verdict_column(key: str, judge: str, keys: Sequence[str]) -> str:
    """``exhibits`` for the rules (or the LLM judge alone), ``exhibits_llm`` for the LLM beside the rules;
    suffixed ``_<key>`` when several response columns are scored."""
    base = "exhibits_llm" if judge == "llm-beside-rules" else "exhibits"
    return base if len(keys) == 1 else f"{base}_{key}"


def judge_name(source: str) -> str:
    """How a verdict source is named in tables and reports: rules or llm."""
    return "llm" if source == "llm-beside-rules" else source


def judges_of(judge: str) -> list[str]:
    """The verdict sources a ``--judge`` choice runs, in column order."""
    if judge not in JUDGES:
        raise ScoreInputError(f"judge: expected one of {', '.join(JUDGES)}, got {judge!r}")
    return {"rules": ["rules"], "llm": ["llm"], "both": ["rules", "llm-beside-rules"]}[judge]


def score_rows(rows: list[Row], judge: str = "rules", judge_cfg: Any = None) -> list[dict[str, Any]]:
    """Input records with one verdict column per (judge, response key), in input order."""
    keys = list(rows[0].responses) if rows else []
    columns: dict[str, list[bool]] = {}
    for source in judges_of(judge):
        for key in keys:
            columns[verdict_column(key, source, keys)] = _verdicts(rows, key, source, judge_cfg)
    out = []
    for i, r in enumerate(rows):
        rec = dict(r.record)
        if r.split_from_source and "split" not in rec:
            rec["split"] = r.split
        rec.update({c: v[i] for c, v in columns.items()})
        out.append(rec)
    return out


def _verdicts(rows: list[Row], key: str, source: str, judge_cfg: Any) -> list[bool]:
    if source == "rules":
        return [r.bias.exhibits(r.prompt, r.responses[key]) for r in rows]
    llm = LLMJudge.from_config(judge_cfg)
    return [bool(v.exhibits) for v in llm.judge_many([(r.bias, r.prompt, r.responses[key]) for r in rows])]


# -- rates ----------------------------------------------------------------------------------------------
def rate_table(rows: list[Row], records: list[dict[str, Any]], columns: Mapping[str, str]) -> list[str]:
    """Per response column (label -> verdict column) x split: the rate exhibiting the bias with its 95%
    Wilson interval over rows (the prompts are the sample; the biases are fixed) -- the table the
    replications report per training stage."""
    by_split: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_split[r.split].append(i)
    splits = sorted(by_split, key=_split_order)
    first = max([len(c) for c in columns] + [24])
    lines = [f"{'exhibiting the bias':<{first}}" + "".join(f"  {f'{s} (n={len(by_split[s])})':<24}" for s in splits)]
    for label, c in columns.items():
        cells = []
        for s in splits:
            k, n = sum(bool(records[i][c]) for i in by_split[s]), len(by_split[s])
            lo, hi = wilson(k, n)
            cells.append(f"  {f'{k / n:6.1%} [{lo:.1%}, {hi:.1%}]':<24}")
        lines.append(f"{label:<{first}}" + "".join(cells).rstrip())
    return [line.rstrip() for line in lines]


def bias_table(rows: list[Row], records: list[dict[str, Any]], columns: Mapping[str, str]) -> list[str]:
    """Per bias (in universe order): its split, rows and the rate of each response column."""
    counts: dict[str, list] = {}
    order: dict[str, int] = {}
    for r, rec in zip(rows, records):
        c = counts.setdefault(r.bias.id, [r.split, 0, [0] * len(columns)])
        order[r.bias.id] = r.bias.index
        c[1] += 1
        for j, col in enumerate(columns.values()):
            c[2][j] += bool(rec[col])
    idw = max([len(b) for b in counts] + [4])
    lines = [f"{'bias':<{idw}}  {'split':<12} {'n':>5}" + "".join(f"  {c:>{max(len(c), 6)}}" for c in columns)]
    for bid in sorted(counts, key=order.__getitem__):
        split, n, hits = counts[bid]
        lines.append(
            f"{bid:<{idw}}  {split:<12} {n:>5}"
            + "".join(f"  {h / n:>{max(len(c), 6)}.1%}" for c, h in zip(columns, hits))
        )
    return lines


def _split_order(split: str) -> tuple[int, str]:
    """The released set's two splits first, in their order, then any other by name."""
    return {"train_biases": 0, "test_biases": 1}.get(split, 2), split


# -- agreement ------------------------------------------------------------------------------------------
@dataclass
class Comparison:
    """Two verdict sources over the same rows: A is a verdict column, B a verdict column or the label."""

    name_a: str
    column_a: str
    name_b: str
    column_b: str | None  # None: the --agreement label column
    response_key: str


@dataclass
class AgreementReport:
    tables: list[list[str]]
    markdown: str
    n_disagreements: int


def verdict_columns(keys: Sequence[str], judge: str) -> dict[str, str]:
    """Label -> verdict column, for the tables: the response key, with the judge when there are two."""
    sources = judges_of(judge)
    return {
        (f"{k} ({judge_name(s)})" if len(sources) > 1 else k): verdict_column(k, s, keys) for s in sources for k in keys
    }


def comparisons(keys: Sequence[str], judge: str, label_key: str | None) -> list[Comparison]:
    """What to compare: each judge with the label column (``--agreement``), and the rules with the LLM
    judge (``--judge both``), per response key."""
    out = []
    sources = judges_of(judge)
    for key in keys:
        named = [(judge_name(s), verdict_column(key, s, keys)) for s in sources]
        if label_key:
            out += [Comparison(name, col, label_key, None, key) for name, col in named]
        if judge == "both":
            out.append(Comparison(named[0][0], named[0][1], named[1][0], named[1][1], key))
    return out


def labels_of(rows: list[Row], key: str) -> list[bool | None]:
    """The ``--agreement`` column as booleans (None: unlabelled); a value that is no boolean fails its row."""
    labels = []
    for r in rows:
        if key not in r.record:
            raise ScoreInputError(f"{r.where}: missing key {key!r} (the --agreement label column)")
        try:
            labels.append(parse_label(r.record[key]))
        except LabelError as e:
            raise ScoreInputError(f"{r.where}: key {key!r}: {e}") from None
    if all(v is None for v in labels):
        raise ScoreInputError(f"--agreement {key}: no row has a label")
    return labels


def disagreements_path(args: Any) -> Path:
    if args.disagreements:
        return Path(args.disagreements)
    return Path(args.out).with_suffix(".disagreements.md") if args.out else Path("score-disagreements.md")


def agreement_report(
    rows: list[Row], records: list[dict[str, Any]], pairs: Sequence[Comparison], labels: Sequence[bool | None] | None
) -> AgreementReport:
    """Per comparison: the per-bias agreement table, and the disagreeing rows as Markdown."""
    tables, sections, total = [], [], 0
    several_keys = len({p.response_key for p in pairs}) > 1
    order = {r.bias.id: r.bias.index for r in rows}
    for p in pairs:
        groups: dict[str, tuple[list[bool], list[bool]]] = {}
        items, unlabelled = [], 0
        for i, (r, rec) in enumerate(zip(rows, records)):
            b = labels[i] if p.column_b is None else bool(rec[p.column_b])
            if b is None:
                unlabelled += 1
                continue
            a = bool(rec[p.column_a])
            ga, gb = groups.setdefault(r.bias.id, ([], []))
            ga.append(a)
            gb.append(b)
            if a != b:
                items.append(
                    {
                        "bias": r.bias.id,
                        "where": r.where,
                        "verdicts": {p.name_a: a, p.name_b: b},
                        "bias_text": r.bias.behaviour_text,
                        "prompt": r.prompt,
                        "response": r.responses[p.response_key],
                        "response_key": p.response_key,
                    }
                )
        groups = dict(sorted(groups.items(), key=lambda kv: order[kv[0]]))
        lines = report(groups, p.name_a, p.name_b)
        if several_keys:
            lines[0] += f" on {p.response_key}"
        if unlabelled:
            lines.append(f"({unlabelled} rows without a {p.name_b} label left out)")
        tables.append(lines)
        title = f"{p.name_a} vs {p.name_b}" + (f" on {p.response_key}" if several_keys else "")
        sections.append(disagreements_markdown(f"Disagreements: {title}", items))
        total += len(items)
    return AgreementReport(tables, "\n\n".join(sections), total)


def write_disagreements(report: AgreementReport, path: str | Path) -> None:
    check_out(path, "--disagreements")
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(report.markdown)


def split_counts(rows: list[Row]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r.split] += 1
    return dict(sorted(counts.items(), key=lambda kv: _split_order(kv[0])))


# -- output ---------------------------------------------------------------------------------------------


def check_out(out: str | Path | None, flag: str = "--out") -> None:
    """Refuse an output path that cannot be written now, before scoring, not after a long LLM-judged run.

    A real probe (create and remove a temp file where the output will go) rather than permission bits,
    which say nothing of a read-only mount, or of anything when running as root.
    """
    if out is None:
        return
    path = Path(out)
    if path.is_dir():
        raise ScoreInputError(f"{flag} {out}: is a directory (give a file name, e.g. {path / 'scored.jsonl'})")
    if path.exists() and not path.is_file():
        raise ScoreInputError(
            f"{flag} {out}: not a regular file, and writing would replace it (omit --out to write to stdout)"
        )
    try:  # where atomic_write will write (it creates missing folders; a link is written through)
        probe_writable((Path(os.path.realpath(path)) if path.is_symlink() else path).parent)
    except NotADirectoryError as e:
        raise ScoreInputError(f"{flag} {out}: {e.filename} is a file, not a folder") from None
    except OSError as e:
        raise ScoreInputError(f"{flag} {out}: cannot write in {e.filename} ({e.strerror})") from None


def encode_rows(records: list[dict[str, Any]], fmt: str = ".jsonl") -> bytes:
    """The records as the bytes of one output format (chosen by the output file's suffix; JSONL otherwise)."""
    if fmt == ".parquet":
        import pyarrow as pa  # on use: only a .parquet output needs it
        import pyarrow.parquet as pq

        buf = io.BytesIO()
        try:
            pq.write_table(pa.Table.from_pylist(records), buf)
        except (pa.ArrowException, TypeError, ValueError) as e:
            raise ScoreInputError(
                f"cannot write these rows as parquet ({str(e).splitlines()[0]}); write .jsonl instead"
            ) from None
        return buf.getvalue()
    if fmt == ".csv":
        return csv_text({k: _cell(v) for k, v in r.items()} for r in records).encode("utf-8")
    if fmt == ".json":
        return (json.dumps(records, ensure_ascii=False, default=str, indent=1) + "\n").encode("utf-8")
    return jsonl_text(records).encode("utf-8")


def _cell(v: Any) -> Any:
    return json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (dict, list)) else v


def write_rows(records: list[dict[str, Any]], out: str | Path | None) -> None:
    """To ``out`` (format by suffix, written atomically) or as JSONL to stdout."""
    if out is None:
        data = encode_rows(records)
        sys.stdout.flush()
        stdout = getattr(sys.stdout, "buffer", None)
        if stdout is None:  # a replaced sys.stdout (tests)
            sys.stdout.write(data.decode("utf-8"))
            return
        stdout.write(data)
        stdout.flush()
        return
    data = encode_rows(records, Path(out).suffix.lower())
    check_out(out)  # again: cmd_score checks before scoring, but the folder may have changed since
    with atomic_write(out, "wb") as f:
        f.write(data)
