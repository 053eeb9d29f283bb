"""How far two judges agree on the same rows: the rule detectors, the LLM judge, a label column (another
judge's, a human's).  No judge is taken as truth; the report says where they differ and writes those rows
out for reading.

Per bias and overall: n, each judge's rate, raw agreement, Cohen's kappa with a 95% interval, and
precision / recall of judge A taking judge B as the reference (meaningful when B is a careful label).
The interval is the large-sample one of Fleiss, Cohen & Everitt (1969), deterministic and cheap; it is
undefined (shown as n/a) when both judges give one constant answer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Sequence

from .metrics import Z95

_TRUE = {"true", "t", "yes", "y", "1", "1.0", "applied", "exhibits", "exhibited", "positive"}
_FALSE = {
    "false",
    "f",
    "no",
    "n",
    "0",
    "0.0",
    "not applied",
    "not_applied",
    "does not exhibit",
    "not exhibited",
    "negative",
}
_UNLABELLED = {"", "n/a", "na", "none", "null", "nan"}


class LabelError(ValueError):
    pass


def parse_label(value: Any) -> bool | None:
    """A boolean label from bool, 0/1 or a yes/no, true/false, applied/not applied string; None for an
    unlabelled row (null, NaN, "", "n/a").  Raises LabelError for anything else."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str) and " ".join(value.lower().split()) in _UNLABELLED:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = " ".join(value.lower().split()) if isinstance(value, str) else None
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise LabelError(
        f"expected a boolean (true/false, yes/no, 1/0, applied/not applied; empty or null for "
        f"unlabelled), got {value!r}"
    )


@dataclass(frozen=True)
class Agreement:
    n: int
    rate_a: float  # share of rows judge A says exhibit the bias
    rate_b: float
    agree: float  # share of rows where they say the same
    kappa: float | None  # Cohen's kappa; None when undefined (both judges constant and equal)
    kappa_lo: float | None
    kappa_hi: float | None
    precision: float | None  # of A against B as the reference; None when A never says yes
    recall: float | None  # None when B never says yes


def agreement(a: Sequence[bool], b: Sequence[bool]) -> Agreement:
    """Agreement of two verdict lists over the same rows."""
    if len(a) != len(b) or not a:
        raise ValueError("agreement needs two non-empty verdict lists of the same length")
    n = len(a)
    n11 = sum(1 for x, y in zip(a, b) if x and y)
    n10 = sum(1 for x, y in zip(a, b) if x and not y)
    n01 = sum(1 for x, y in zip(a, b) if y and not x)
    n00 = n - n11 - n10 - n01
    kappa, lo, hi = cohen_kappa(n11, n10, n01, n00)
    return Agreement(
        n=n,
        rate_a=(n11 + n10) / n,
        rate_b=(n11 + n01) / n,
        agree=(n11 + n00) / n,
        kappa=kappa,
        kappa_lo=lo,
        kappa_hi=hi,
        precision=n11 / (n11 + n10) if n11 + n10 else None,
        recall=n11 / (n11 + n01) if n11 + n01 else None,
    )


def cohen_kappa(
    n11: int, n10: int, n01: int, n00: int, z: float = Z95
) -> tuple[float | None, float | None, float | None]:
    """Kappa and its 95% interval from a 2x2 table (rows: judge A yes/no; columns: judge B yes/no)."""
    n = n11 + n10 + n01 + n00
    p = [[n11 / n, n10 / n], [n01 / n, n00 / n]]  # p[i][j]: A says i (0 = yes), B says j
    row = [p[0][0] + p[0][1], p[1][0] + p[1][1]]
    col = [p[0][0] + p[1][0], p[0][1] + p[1][1]]
    po = p[0][0] + p[1][1]
    pe = row[0] * col[0] + row[1] * col[1]
    if pe >= 1.0 - 1e-12:
        return None, None, None
    k = (po - pe) / (1 - pe)
    # Fleiss, Cohen & Everitt (1969): the large-sample variance of kappa.
    diag = sum(p[i][i] * (1 - (row[i] + col[i]) * (1 - k)) ** 2 for i in range(2))
    off = (1 - k) ** 2 * sum(p[i][j] * (col[i] + row[j]) ** 2 for i in range(2) for j in range(2) if i != j)
    var = max(0.0, (diag + off - (k - pe * (1 - k)) ** 2) / (n * (1 - pe) ** 2))
    half = z * math.sqrt(var)
    return k, max(-1.0, k - half), min(1.0, k + half)


def report(groups: dict[str, tuple[list[bool], list[bool]]], name_a: str, name_b: str) -> list[str]:
    """The agreement table: one line per group (bias) then ``all``; A's precision/recall take B as reference."""
    width = max([len(g) for g in groups] + [4])
    head = (
        f"{'bias':<{width}} {'n':>5} {name_a[:10]:>10} {name_b[:10]:>10} {'agree':>6}  "
        f"{'kappa [95%]':<21} {'precision':>9} {'recall':>6}"
    )
    lines = [f"agreement of {name_a} with {name_b} (precision and recall of {name_a}, {name_b} as the reference)", head]
    every_a: list[bool] = []
    every_b: list[bool] = []
    for g, (a, b) in groups.items():
        lines.append(_line(g, width, agreement(a, b)))
        every_a += a
        every_b += b
    if every_a:
        lines.append(_line("all", width, agreement(every_a, every_b)))
    return lines


def _line(name: str, width: int, ag: Agreement) -> str:
    kappa = f"{ag.kappa:+.2f} [{ag.kappa_lo:+.2f}, {ag.kappa_hi:+.2f}]" if ag.kappa is not None else "n/a"
    prec = f"{ag.precision:.2f}" if ag.precision is not None else "n/a"
    rec = f"{ag.recall:.2f}" if ag.recall is not None else "n/a"
    return (
        f"{name:<{width}} {ag.n:>5} {ag.rate_a:>10.1%} {ag.rate_b:>10.1%} {ag.agree:>6.1%}  {kappa:<21} "
        f"{prec:>9} {rec:>6}"
    )


def disagreements_markdown(title: str, items: list[dict[str, Any]]) -> str:
    """Disagreeing rows as Markdown for reading: each with its bias, where it came from, both verdicts,
    the prompt and the response (fenced with more backticks than the text holds)."""
    out = [f"# {title}\n", f"{len(items)} rows.\n"]
    for i, it in enumerate(items, 1):
        out.append(f"## {i}. {it['bias']} · {it['where']}\n")
        out.append(" · ".join(f"{k}: **{'exhibits' if v else 'does not'}**" for k, v in it["verdicts"].items()) + "\n")
        if it.get("bias_text"):
            out.append(f"*Bias:* {it['bias_text']}\n")
        out.append("**Prompt**\n\n" + _fenced(it["prompt"]))
        out.append(f"**Response** (`{it['response_key']}`)\n\n" + _fenced(it["response"]))
    return "\n".join(out)


def _fenced(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}\n"
