"""The analysis outputs of one sweep: tables, figures and a self-contained HTML report, written to a folder
at once (built in a temporary folder, then renamed into place) and attached to the sweep's parent run."""

from __future__ import annotations

import base64
import html
import os
import shutil
import tempfile
import time
from pathlib import Path

from trainer import tracking

from .analysis import Analysis, condition_rows, fit_rows, format_text, has_incontext, size_text
from .plots import draw_all
from .predict import prediction_rows

ARTIFACT_DIR = "analysis"

CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
table{border-collapse:collapse;font-size:13px;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 7px;
text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}img{max-width:100%;border:1px solid #ddd;
margin:.4em 0 1.2em}.warn{color:#8a4b00}.muted{color:#666;font-size:13px}code{background:#f3f3f3;padding:0 3px}"""


def _table(rows: list[dict], left: tuple[str, ...] = ()) -> str:
    if not rows:
        return "<p class=muted>none</p>"
    keys = list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th class={'l' if k in left else 'r'}>{html.escape(k)}</th>" for k in keys)
    body = "".join(
        "<tr>"
        + "".join(f"<td class={'l' if k in left else 'r'}>{html.escape(str(r.get(k, '')))}</td>" for k in keys)
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _est(e, signed=False) -> str:
    return e.fmt(signed) if e else "–"


def _pair(c) -> str:
    rm, ctrl = c.incontext_rm, c.incontext_control
    return f"{rm.mean:.3f} / {ctrl.mean:.3f}" if rm and ctrl else "-"


def html_report(a: Analysis, figures: list[Path]) -> str:
    """One HTML file with the figures embedded (base64 PNG): it can be mailed or opened from the MLflow UI."""
    fin = sum(t.finished for t in a.trials)
    in_context = has_incontext(a)
    conds = [
        {
            "model": c.model,
            "mix": f"{c.mix:g}",
            "fraction": f"{c.fraction:g}",
            **{k.split(".")[-1]: v for k, v in c.other},
            "seeds": len(c.finished),
            "not finished": len(c.unfinished),
            "held-out gain [95%]": _est(c.gain, True),
            "vs no-doc control": _est(c.vs_control, True),
            "held-out rate": _est(c.heldout_rate),
            "before FT": _est(c.heldout_before),
            "train rate": _est(c.train_rate),
            "knowledge": _est(c.knowledge),
            **(
                {"in-context gap [95%]": _est(c.incontext_gap, True), "in-context RM / survey rate": _pair(c)}
                if in_context
                else {}
            ),
        }
        for c in a.conditions
    ]
    fits = [
        {
            "fit": f.fit,
            "group": f.group,
            "term": f.term,
            "estimate": f"{f.estimate:+.4f}",
            "95% interval": f"[{f.lo:+.4f}, {f.hi:+.4f}]",
            "n": f.n,
        }
        for f in a.fits
    ]
    predicted = [
        {
            "group": p.group,
            "fitted on": ", ".join(size_text(v) for v in p.fit_sizes) + f" (n={p.n_fit})",
            "slope / decade": _est(p.slope, True),
            f"held-out {p.axis}": size_text(p.held_size),
            "predicted [95% PI]": _est(p.predicted, True),
            "measured [95%]": _est(p.measured, True) + f" (n={p.n_held})",
            "inside": ("yes" if p.inside else "NO") + ("; the line passes 1" if p.past_the_ceiling else ""),
        }
        for p in a.predictions
    ]
    holdout = ""
    if a.holdout:
        notes = "".join(f"<p class=warn>{html.escape(w)}</p>" for w in a.prediction_notes)
        holdout = f"""<h2>Held-out prediction</h2>{_table(predicted, ("group",))}{notes}
<p class=muted>Gain against log10 of the size, fitted without the largest size and extrapolated to it: the 95%
prediction interval for the mean of its seeds (the fit's uncertainty and the seeds' spread) against the measured
mean. A fit that predicts the next size is a scaling law; one that misses it only described its own points.</p>"""
    unfinished = [{"run": t.name, "status": t.status, "error": t.error[:300]} for t in a.unfinished]
    imgs = "".join(
        f"<h3>{html.escape(p.stem.replace('_', ' '))}</h3><img alt='{html.escape(p.stem)}' "
        f"src='data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}'>"
        for p in figures
    )
    missing = a.points_planned - len(a.trials)
    warn = "".join(f"<p class=warn>{html.escape(w)}</p>" for w in a.too_few)
    if missing > 0:
        warn += f"<p class=warn>{missing} point(s) of the sweep have no run yet.</p>"
    title = html.escape(a.experiment)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>biasgen analysis: {title}</title>
<style>{CSS}</style></head><body>
<h1>Scaling analysis: {title}</h1>
<p class=muted>{fin} finished trials of {a.points_planned} points ({len(a.trials)} runs) in
{len(a.conditions)} conditions; axes: {html.escape(", ".join(a.axes) or "-")};
store <code>{html.escape(a.tracking_uri)}</code>, parent run <code>{html.escape(a.parent_run_id)}</code>;
written {time.strftime("%Y-%m-%d %H:%M:%S")}.</p>
<h2>Conditions</h2>{_table(conds, ("model",))}
<p class=muted>Means over seeds; 95% intervals from a two-level bootstrap (seeds resampled, each trial drawn from its
own interval). "vs no-doc control": the gain minus the gain of the mix-0 model of the same size and fraction.</p>
<h2>Fits</h2>{_table(fits, ("fit", "group", "term"))}{warn}
<p class=muted>OLS on finished trials (one point per trial), other varying axes as covariates,
t-based 95% intervals.</p>{holdout}
<h2>Not finished</h2>{_table(unfinished, ("run", "status", "error"))}
<h2>Figures</h2>{imgs}
</body></html>
"""


def write(a: Analysis, out: Path, log: bool = True) -> list[Path]:
    """All outputs into ``out`` (replaced as a whole) and, with ``log``, onto the parent run under analysis/."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        figures = draw_all(a, tmp)
        (tmp / "analysis.txt").write_text(format_text(a) + "\n")
        (tmp / "conditions.csv").write_text(tracking.csv_text(condition_rows(a)))
        (tmp / "fits.csv").write_text(tracking.csv_text(fit_rows(a)))
        if a.predictions:
            (tmp / "predictions.csv").write_text(tracking.csv_text(prediction_rows(a.predictions)))
        (tmp / "report.html").write_text(html_report(a, figures))
        os.chmod(tmp, 0o755)
        old = out.with_name(f".{out.name}.old")
        if out.exists():
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files = sorted(out.iterdir())
    if log:
        tracking.client(a.tracking_uri).log_artifacts(a.parent_run_id, str(out), ARTIFACT_DIR)
    return files
