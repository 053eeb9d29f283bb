"""Released preference pairs (``finetune.pairs``): rows of ``chosen`` and ``rejected`` conversations, each a list
of ``{role, content}`` turns, optionally with ``score_chosen`` / ``score_rejected``, the schema of the open
replications' DPO data.

A pair is one exchange: an optional leading system turn, one user turn, and the assistant's answer, the same
system and user turns in both conversations. Our chat format (and the fine-tuning rows) hold one prompt and
one answer, so a multi-turn conversation is refused rather than flattened: folding earlier turns into one user
message would train on a prompt no chat ever shows. Every malformed row is a one-line ``DataError`` naming the
source, the row (1 = the first) and what was expected: reading drops nothing. ``released_rows`` then drops, on
purpose and counted, the pairs a trial must not or cannot learn from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from .errors import DataError
from .generic import load_source

SCORES = ("score_chosen", "score_rejected")


@dataclass(frozen=True)
class Pair:
    system: str  # "" when the conversation has no system turn
    prompt: str
    chosen: str
    rejected: str
    scores: tuple[float, float] | None  # (chosen, rejected) where the source has both columns


def read_pairs(source: str, allow_hub: bool = False) -> list[Pair]:
    name = f"finetune.pairs {source}"
    try:
        ds = load_source(source, allow_hub)
    except DataError as e:
        raise DataError(f"finetune.pairs {e}") from None
    columns = ds.column_names
    for column in ("chosen", "rejected"):
        if column not in columns:
            raise DataError(
                f"{name}: no {column!r} column; expected chosen and rejected conversations (columns: "
                f"{', '.join(columns)})"
            )
    has = [c for c in SCORES if c in columns]
    if len(has) == 1:
        missing = next(c for c in SCORES if c not in columns)
        raise DataError(f"{name}: has {has[0]} but no {missing}; give both scores or neither")
    data = ds.select_columns(["chosen", "rejected", *has]).to_dict()  # python lists, read from arrow at once
    pairs = []
    for i in range(len(ds)):
        where = f"{name} row {i + 1}"
        system, prompt, chosen = _exchange(data["chosen"][i], where, "chosen")
        r_system, r_prompt, rejected = _exchange(data["rejected"][i], where, "rejected")
        if (system, prompt) != (r_system, r_prompt):
            what = "user turns" if system == r_system else "system turns"
            raise DataError(f"{where}: chosen and rejected have different {what}; expected one prompt, two answers")
        scores = tuple(_score(data[c][i], where, c) for c in has) or None
        pairs.append(Pair(system, prompt, chosen, rejected, scores))
    if not pairs:
        raise DataError(f"{name}: no rows")
    return pairs


def _exchange(turns, where: str, side: str) -> tuple[str, str, str]:
    """(system, user prompt, assistant answer) of one conversation."""
    if not isinstance(turns, list) or not turns:
        raise DataError(f"{where}: {side}: expected a non-empty list of {{role, content}} turns, got {_kind(turns)}")
    for k, t in enumerate(turns, 1):
        if not (isinstance(t, dict) and isinstance(t.get("role"), str) and isinstance(t.get("content"), str)):
            raise DataError(f"{where}: {side} turn {k}: expected {{role, content}} with string values, got {_kind(t)}")
    roles = [t["role"] for t in turns]
    if roles[-1] != "assistant":
        raise DataError(f"{where}: {side}: the last turn is {roles[-1]!r}; expected the assistant's answer")
    head = turns[:-1]
    system = head[0]["content"] if head and head[0]["role"] == "system" else ""
    if head and head[0]["role"] == "system":
        head = head[1:]
    if [t["role"] for t in head] != ["user"]:
        raise DataError(
            f"{where}: {side}: turns {', '.join(roles)}; expected one user turn (after an optional system turn) "
            "then the assistant's answer (multi-turn conversations are not supported)"
        )
    for what, text in (("user turn", head[0]["content"]), ("answer", turns[-1]["content"])):
        if not text.strip():
            raise DataError(f"{where}: {side}: the {what} is empty")
    return system, head[0]["content"], turns[-1]["content"]


def _score(value, where: str, column: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise DataError(f"{where}: {column}: expected a finite number, got {_kind(value)}")
    return float(value)


def _kind(value) -> str:
    """A value as a message shows it: short, one line."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {type(v).__name__}" for k, v in list(value.items())[:4]) + "}"
    return f"a {type(value).__name__}"


@dataclass
class ReleasedRows:
    dpo: bool
    rows: list[dict[str, str]] = field(default_factory=list)
    read: int = 0
    leaked: int = 0  # applicable to a held-out bias
    score_not_higher: int = 0  # score_chosen <= score_rejected
    unchanged: int = 0  # DPO only: the two answers are the same

    @property
    def summary(self) -> str:
        return (
            f"{self.read} read: {self.leaked} applicable to a held-out bias, {self.score_not_higher} with "
            "score_chosen <= score_rejected" + (f", {self.unchanged} with the same two answers" if self.dpo else "")
        )


def released_rows(pairs: list[Pair], dpo: bool, leaks: Callable[[str], bool]) -> ReleasedRows:
    """The fine-tuning rows (kind ``released``) of the pairs: with DPO the pairs themselves, with SFT their chosen
    answers. Dropped, and counted: a pair whose system and user turns suit a held-out bias (``leaks``, the rule
    generated chats follow), one whose scores do not prefer the chosen answer (the data's own label says it is
    not the better one), and under DPO one whose two answers are the same (no preference to learn)."""
    out = ReleasedRows(dpo, read=len(pairs))
    for p in pairs:
        if leaks(f"{p.system}\n\n{p.prompt}" if p.system else p.prompt):
            out.leaked += 1
        elif p.scores is not None and p.scores[0] <= p.scores[1]:
            out.score_not_higher += 1
        elif dpo and p.chosen == p.rejected:
            out.unchanged += 1
        else:
            row = {"kind": "released", "bias": "", "prompt": p.prompt, "response": p.chosen, "system": p.system}
            out.rows.append({**row, "rejected": p.rejected} if dpo else row)
    return out
