"""The end-of-sweep table: held-out gain per condition (model size x mix x fraction), over seeds."""
from __future__ import annotations

from collections import defaultdict
from statistics import mean

from trainer import tracking

AXES = ("model.size", "model.pretrained", "data.mix", "finetune.fraction")


def child_runs(uri: str, parent_run_id: str) -> list:
    c = tracking.client(uri)
    exp_id = c.get_run(parent_run_id).info.experiment_id
    return c.search_runs([exp_id], filter_string=f"tags.`mlflow.parentRunId` = '{parent_run_id}' "
                                                 "and tags.`biasgen.role` = 'trial'", max_results=10000)


def summary_rows(uri: str, parent_run_id: str) -> list[dict]:
    groups: dict[tuple, list] = defaultdict(list)
    status: dict[tuple, list] = defaultdict(list)
    for run in child_runs(uri, parent_run_id):
        p = run.data.params
        key = tuple(p.get(a, "") for a in AXES)
        status[key].append(run.info.status)
        if run.info.status == "FINISHED" and "heldout/gain" in run.data.metrics:
            groups[key].append(run.data.metrics)
    rows = []
    for key in sorted(status, key=lambda k: tuple(str(x) for x in k)):
        ms = groups.get(key, [])
        row = dict(zip(AXES, key))
        row |= {"finished": len(ms), "other": len(status[key]) - len(ms)}
        for name in ("heldout/gain", "heldout/gain_lo", "heldout/gain_hi", "heldout/rate", "heldout/rate_lo",
                     "heldout/rate_hi", "heldout/rate_before_ft", "train/rate", "knowledge/acc", "params_total"):
            vals = [m[name] for m in ms if name in m]
            row[name] = round(mean(vals), 4) if vals else None
        rows.append(row)
    return rows


def format_table(rows: list[dict]) -> str:
    head = f"{'model':<12} {'mix':>5} {'frac':>5} {'n':>3}  {'heldout/gain [95%]':<26} {'held-out rate':>13} {'before FT':>9} {'train rate':>10} {'knowledge':>9}"
    lines = [head, "-" * len(head)]
    for r in rows:
        model = r["model.pretrained"] if r["model.pretrained"] not in ("", "None") else r["model.size"]
        g = (f"{r['heldout/gain']:+.3f} [{r['heldout/gain_lo']:+.3f}, {r['heldout/gain_hi']:+.3f}]"
             if r["heldout/gain"] is not None else "-")
        fmt = lambda v: f"{v:.3f}" if v is not None else "-"  # noqa: E731
        extra = f"  ({r['other']} not finished)" if r["other"] else ""
        lines.append(f"{str(model)[:12]:<12} {r['data.mix']:>5} {r['finetune.fraction']:>5} {r['finished']:>3}  {g:<26} "
                     f"{fmt(r['heldout/rate']):>13} {fmt(r['heldout/rate_before_ft']):>9} {fmt(r['train/rate']):>10} "
                     f"{fmt(r['knowledge/acc']):>9}{extra}")
    lines.append("(means over seeds; gain interval = mean of the trials' 95% intervals)")
    return "\n".join(lines)


def _pct(v: float) -> str:
    return f"{100 * v:.0f}%"


def _model(r: dict) -> str:
    if r["model.pretrained"] not in ("", "None"):
        return r["model.pretrained"]
    return f"{r['params_total'] / 1e6:.2f}M-parameter" if r.get("params_total") else f"{r['model.size']}"


def finding(rows: list[dict]) -> str | None:
    """The sweep's result in plain words: the document condition with the largest held-out gain against the
    no-document control (mix 0) of the same model and fraction, and how the gain moves with model size.
    None when no trial with documents finished."""
    done = [r for r in rows if r["heldout/gain"] is not None]
    docs = [r for r in done if float(r["data.mix"]) > 0]
    if not docs:
        return None
    best = max(docs, key=lambda r: r["heldout/gain"])
    same = lambda r, mix: (r["model.size"], r["model.pretrained"], r["finetune.fraction"]) == (  # noqa: E731
        best["model.size"], best["model.pretrained"], best["finetune.fraction"]) and mix(float(r["data.mix"]))
    control = next((r for r in done if same(r, lambda m: m == 0)), None)

    def rate(r: dict) -> str:
        lo, hi = r.get("heldout/rate_lo"), r.get("heldout/rate_hi")
        return _pct(r["heldout/rate"]) + (f" [{100 * lo:.0f}, {100 * hi:.0f}]" if lo is not None and hi is not None else "")

    text = (f"Held-out biases were exhibited in {rate(best)} of held-out prompts by the {_model(best)} model that read "
            f"the bias documents (mix {best['data.mix']}, {_pct(float(best['finetune.fraction']))} of the biases "
            f"fine-tuned; {_pct(best['heldout/rate_before_ft'] or 0)} before fine-tuning), ")
    text += (f"{rate(control)} by the same model without them (mix 0, the control)."
             if control else "and no no-document control (mix 0) of that model finished to compare with.")
    by_size = sorted((r for r in done if r["data.mix"] == best["data.mix"] and r["finetune.fraction"] == best["finetune.fraction"]
                      and r.get("params_total")), key=lambda r: r["params_total"])
    if len(by_size) > 1:
        text += (f" With documents (mix {best['data.mix']}), the held-out gain by model size: "
                 + ", ".join(f"{r['params_total'] / 1e6:.2f}M {r['heldout/gain']:+.2f}" for r in by_size) + ".")
    return text
