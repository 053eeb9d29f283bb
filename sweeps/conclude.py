"""The end of a sweep, one path for `launch.py sweep`, `launch.py analyze` and the Slurm job: the scaling
analysis (one kind of interval: the two-level bootstrap of :mod:`sweeps.analysis`), its files written and
attached to the sweep's parent run, and ``summary.txt`` there: the finding in words above the analysis."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from trainer import tracking

from .analysis import Analysis, analyze, conditions_text, finding, format_text
from .report import write

SUMMARY = "summary.txt"


@dataclass
class Conclusion:
    analysis: Analysis
    files: list[Path]  # the analysis folder's files (report.html, analysis.txt, conditions.csv, figures)
    finding: str | None  # the result in one paragraph; None before a condition with documents finished

    @property
    def report(self) -> Path:
        return next(f for f in self.files if f.name == "report.html")

    def headline(self) -> str:
        """What the end of a sweep prints: the finding, then one line per condition."""
        return self._paragraph() + conditions_text(self.analysis)

    def summary(self) -> str:
        """``summary.txt``: the finding, then the whole analysis table with its fits."""
        return self._paragraph() + format_text(self.analysis) + "\n"

    def _paragraph(self) -> str:
        return textwrap.fill(self.finding, width=110) + "\n\n" if self.finding else ""


def conclude(
    uri: str, experiments: str | list[str], out: Path, log: bool = True, holdout: str | None = None
) -> Conclusion:
    """Analyse the sweep (or pool), write ``out`` and, with ``log``, attach it and ``summary.txt`` to the
    (first) sweep's parent run.  ``holdout``: the size axis whose largest value the fits predict
    (``sweeps.predict``)."""
    a = analyze(uri, experiments, holdout=holdout)
    end = Conclusion(a, write(a, out, log=log), finding(a))
    if log:
        tracking.client(uri).log_text(a.parent_run_id, end.summary(), SUMMARY)
    return end
