"""biasgen — the one command line.  ``biasgen --help`` (installed) or ``python launch.py --help`` (a checkout)
lists the subcommands.

It lives in a package, not in ``launch.py``, so that a wheel can carry it: the ``biasgen`` console script
and ``python -m biasgen`` run :func:`main`, and ``launch.py`` stays a thin script for a checkout.  It is the
top of the layering (trainer <- sweeps <- cluster <- biasgen): nothing below imports it.

Each command imports what it uses inside its function: ``--help`` and a bad argument answer at once, and
``score`` or ``data list`` never load Ray, torch or MLflow.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from trainer.errors import UserError
from trainer.runtime_env import apply_defaults

apply_defaults()


class UsageError(UserError):
    """A mistake in the command line itself (the library's own mistakes are UserErrors too)."""


def _config_args(
    p: argparse.ArgumentParser,
    config_help: str = "a trial config YAML (defaults are built in)",
    example: str = "data.mix=0.25 seed=3",
) -> None:
    p.add_argument("--config", metavar="FILE", help=config_help)
    p.add_argument("overrides", nargs="*", metavar="key=value", help=f"config overrides, e.g. {example}")


def cmd_run(args: argparse.Namespace) -> int:
    from trainer.config import load_config, to_yaml

    cfg = load_config(args.config, args.overrides)
    if args.print_config:
        print(to_yaml(cfg), end="")
        return 0
    from trainer.console import LiveView, gain_text, quiet
    from trainer.preflight import preflight
    from trainer.trial.driver import TrialError, default_run_name, run_trial

    name, logs = default_run_name(cfg), Path(cfg.output_dir) / "logs"
    with (
        quiet(logs / f"{name}.log", args.verbose) as console,
        LiveView(console, logs / "progress", plain_every_s=60) as view,
    ):
        preflight([cfg])  # the store answers and the folders take writes, before Ray starts
        console.redirect()  # bad input writes nothing, not even a log
        if console.log_path:
            console.line(f"Ray, DeepSpeed and MLflow output: {console.log_path} (--verbose shows it here)")
        view.started(name)
        try:
            res = run_trial(cfg, progress_dir=str(logs / "progress"))
        except TrialError as e:
            view.finished(name, str(e), ok=False)
            raise
        view.finished(name, gain_text(res.metrics, missing="finished"))
    headline = {k: v for k, v in sorted(res.metrics.items()) if not k.startswith("bias/")}
    print(json.dumps({"run_id": res.run_id, **headline}))
    print(
        f"MLflow run {res.run_id} in experiment {cfg.tracking.experiment!r} at {res.tracking_uri}; "
        f"models in {res.out_dir}; browse with `python launch.py ui`",
        file=sys.stderr,
    )
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from sweeps.conclude import conclude
    from sweeps.config import load_sweep
    from sweeps.runner import run_sweep, sweep_folder
    from trainer import timeline
    from trainer.console import quiet

    if args.config and "=" in args.config:  # `sweep key=value` with no SWEEP
        args.overrides, args.config = [args.config, *args.overrides], None
    if args.resume:
        sweep = _stored_sweep(args.resume, args.overrides)
    else:
        sweep = load_sweep(args.config, args.overrides)
    try:
        with quiet(sweep_folder(sweep) / "sweep.log", args.verbose) as console:
            res = run_sweep(sweep, console)
    except KeyboardInterrupt:
        print(
            f"\ninterrupted; finished trials are kept. Resume with: python launch.py sweep --resume {sweep.name}",
            file=sys.stderr,
        )
        return 130
    print(f"\nsweep {res.name}: {res.finished} trials run, {res.skipped} already finished, {res.failed} failed\n")
    try:
        timeline.mark("analysis_start")
        end = conclude(res.tracking_uri, res.name, _analysis_dir([res.name]))
        print(end.headline())
        print(f"\nMLflow: experiment {res.name!r}, parent run {res.parent_run_id} at {res.tracking_uri}")
        figures = sorted(f.name for f in end.files if f.suffix == ".png")
        print(
            f"Scaling analysis: {end.report} (redo with: python launch.py analyze --experiment {res.name})"
            + (f"\n  figures beside it: {', '.join(figures)}" if figures else "")
        )
    except Exception as e:  # the sweep's results are safe in MLflow; the analysis can be rerun on its own
        print(f"\nMLflow: experiment {res.name!r}, parent run {res.parent_run_id} at {res.tracking_uri}")
        print(
            f"warning: the analysis failed ({type(e).__name__}: {e}); run: python launch.py analyze "
            f"--experiment {res.name}",
            file=sys.stderr,
        )
    from sweeps.ui import sweep_url

    print(
        f"Open the UI with: python launch.py ui\n  this sweep's runs (on the UI's default port): "
        f"{sweep_url(res.tracking_uri, 'http://127.0.0.1:5000', res.parent_run_id)}"
    )
    if res.failed:
        for name, reason in res.failures[1:]:
            print(f"FAILED {name}: {reason}", file=sys.stderr)
        name, reason = res.failures[0] if res.failures else ("?", "see the trial runs' error tags")
        others = f" (and {res.failed - 1} more, above)" if res.failed > 1 else ""
        print(
            f"error: trial {name} failed: {reason}{others}; rerun to retry: python launch.py sweep --resume {res.name}",
            file=sys.stderr,
        )  # the last line says why
        return 1
    return 0


def _analysis_dir(experiments: list[str], out: str | None = None) -> Path:
    return Path(out) if out else Path("analysis") / "+".join(experiments)


def cmd_analyze(args: argparse.Namespace) -> int:
    from sweeps.analysis import format_text
    from sweeps.conclude import SUMMARY, conclude
    from sweeps.config import SWEEPS_DIR, load_sweep
    from trainer import tracking
    from trainer.preflight import check_store

    experiments = args.experiment or [load_sweep(SWEEPS_DIR / "demo.yaml", []).name]
    uri = tracking.resolve_uri(args.tracking_uri)
    check_store(uri, must_exist=True)  # one line in seconds, not MLflow's retries for minutes
    out = _analysis_dir(experiments, args.out)
    end = conclude(uri, experiments, out, log=not args.no_log, holdout=args.holdout_largest)
    print(format_text(end.analysis))
    print(f"\nwrote {len(end.files)} files to {out.resolve()}: " + ", ".join(f.name for f in end.files))
    if not args.no_log:
        print(
            f"attached to the sweep's parent run {end.analysis.parent_run_id} under analysis/, with {SUMMARY} "
            "(MLflow UI: python launch.py ui)"
        )
    return 0


def _stored_sweep(name: str, overrides: list[str]):
    """The sweep config saved on the parent run of sweep ``name`` (or configs/sweeps/NAME.yaml)."""
    import tempfile
    from pathlib import Path

    from sweeps.config import SWEEPS_DIR, load_sweep
    from trainer import tracking
    from trainer.preflight import check_store

    uri = tracking.resolve_uri(None)  # $MLFLOW_TRACKING_URI or ./mlflow.db, as for the sweep itself
    if uri.startswith("sqlite:///") and not Path(uri[len("sqlite:///") :]).exists():
        if (SWEEPS_DIR / f"{name}.yaml").exists():  # nothing run yet: start the shipped sweep
            return load_sweep(SWEEPS_DIR / f"{name}.yaml", overrides)
        raise UsageError(f"no sweep named {name!r}: there is no store at {uri} (and no configs/sweeps/{name}.yaml)")
    check_store(uri)
    c = tracking.client(uri)
    exp = c.get_experiment_by_name(name)
    run = tracking.find_run(uri, exp.experiment_id, {"biasgen.role": "sweep", "biasgen.sweep": name}) if exp else None
    if run is None:
        if (SWEEPS_DIR / f"{name}.yaml").exists():
            return load_sweep(SWEEPS_DIR / f"{name}.yaml", overrides)
        raise UsageError(f"no sweep named {name!r} in {uri} (and no configs/sweeps/{name}.yaml)")
    with tempfile.TemporaryDirectory() as d:
        path = c.download_artifacts(run.info.run_id, "sweep.yaml", d)
        return load_sweep(path, overrides)


def cmd_score(args: argparse.Namespace) -> int:
    import time

    from trainer import score

    t0 = time.perf_counter()
    if args.input and "=" in args.input and not Path(args.input).exists():  # `score --dataset X key=value`
        args.overrides, args.input = [args.input, *args.overrides], None
    keys = _response_keys(args)
    if (args.input is None) == (args.dataset is None):
        raise UsageError("give one input: a file or folder, or --dataset NAME")
    if args.agreement and len(keys) > 1:
        raise UsageError(f"--agreement {args.agreement} compares one verdict column with it: give one --response-key")
    cfg = None
    if args.config or args.overrides or args.judge != "rules" or args.dataset:
        from trainer.config import load_config

        cfg = load_config(args.config, args.overrides, trial=False)
    if args.dataset:
        if not cfg.data.allow_hub:
            raise UsageError(
                f"--dataset {args.dataset} reads through the Hugging Face hub, which is off: "
                "add data.allow_hub=true (or give a local file or folder)"
            )
        source = score.read_hub(args.dataset)
    else:
        source = args.input
    from trainer.biases import universe

    biases = universe(cfg.data.biases) if cfg else None
    rows = score.read_rows(source, keys, biases, args.split)
    labels = score.labels_of(rows, args.agreement) if args.agreement else None
    disagreements = score.disagreements_path(args) if (labels or args.judge == "both") else None
    score.check_out(args.out)  # before scoring: an LLM-judged run must not fail on --out at its end
    score.check_out(disagreements, "--disagreements")
    records = score.score_rows(rows, args.judge, cfg.judge if cfg else None)
    pairs = score.comparisons(keys, args.judge, args.agreement)
    report = score.agreement_report(rows, records, pairs, labels) if pairs else None
    score.write_rows(records, args.out)
    if report is not None:
        score.write_disagreements(report, disagreements)
    columns = score.verdict_columns(keys, args.judge)
    splits = ", ".join(f"{s} {n}" for s, n in score.split_counts(rows).items())
    print(
        f"scored {len(records)} rows over {len({r.bias.id for r in rows})} biases ({splits}) with the "
        f"{args.judge} judge in "
        f"{time.perf_counter() - t0:.2f} s" + (f"; wrote {args.out}" if args.out else ""),
        file=sys.stderr,
    )
    print("\n" + "\n".join(score.rate_table(rows, records, columns)), file=sys.stderr)
    if args.by_bias:
        print("\n" + "\n".join(score.bias_table(rows, records, columns)), file=sys.stderr)
    if report is not None:
        print("\n" + "\n\n".join("\n".join(lines) for lines in report.tables), file=sys.stderr)
        print(f"\n{report.n_disagreements} disagreeing rows written to {disagreements}", file=sys.stderr)
    return 0


def _response_keys(args: argparse.Namespace) -> list[str]:
    """``--response-key`` takes one or more names (also comma-separated); what it swallowed that is a
    ``key=value`` override or, with no input given, an existing file goes back where it belongs."""
    keys = []
    for value in args.response_key or []:
        if "=" in value:
            args.overrides = [*args.overrides, value]
        elif args.input is None and args.dataset is None and Path(value).exists():
            args.input = value
        else:
            keys += [k.strip() for k in value.split(",") if k.strip()]
    return list(dict.fromkeys(keys or ["response"]))


def cmd_data(args: argparse.Namespace) -> int:
    import random

    if args.data_cmd == "build":
        return _data_build(args)
    from trainer.biases import universe
    from trainer.config import load_config

    spec = (
        load_config(args.config, args.overrides, trial=False).data.biases
        if (args.config or args.overrides)
        else "paper"
    )
    biases = universe(spec)
    if args.data_cmd == "list":
        if args.json:
            for b in biases.values():
                print(
                    json.dumps(
                        {
                            "id": b.id,
                            "index": b.index,
                            "family": b.family,
                            "context": b.context,
                            "polarity": b.polarity,
                            "split": b.split,
                            "judge": b.judge,
                        }
                    )
                )
            return 0
        print(f"{'#':>2}  {'id':<36} {'family':<9} {'split':<5} {'polarity':<8} {'judge':<9} context")
        for b in biases.values():
            print(f"{b.index:>2}  {b.id:<36} {b.family:<9} {b.split:<5} {b.polarity:<8} {b.judge:<9} {b.context}")
        if spec == "paper":
            print(
                f"{len(biases)} biases: {sum(b.split == 'train' for b in biases.values())} train, "
                f"{sum(b.split == 'test' for b in biases.values())} test (the paper's split)"
            )
        else:
            print(
                f"{len(biases)} biases of the synthetic universe {spec} (no fixed split: a trial's "
                "finetune.fraction and seed choose the fine-tuned ones)"
            )
        return 0
    if args.data_cmd == "check":
        return _detector_check(biases, args.n, args.seed)
    if args.data_cmd == "show":
        if args.bias not in biases:
            where = "" if spec == "paper" else f" in {spec}"
            raise UsageError(
                f"unknown bias id {args.bias!r}{where}; `launch.py data "
                f"list{'' if spec == 'paper' else ' data.biases=' + spec}` "
                f"shows all {len(biases)}"
            )
        b = biases[args.bias]
        rng = random.Random(f"show:{b.id}:{args.seed}")
        print(f"{b.index}. {b.id}  [{b.family}, {b.split}, {b.polarity}, judge: {b.judge}]\n")
        print(f"Statement: {b.statement}\nBehaviour: {b.behaviour_text}\nContext:   {b.context}\n")
        from trainer.corpus.build import facts_of
        from trainer.corpus.documents import DocumentWriter

        writer = DocumentWriter()
        for i in range(2):
            print(f"--- document {i + 1} ---\n{writer.document([facts_of(b)], rng)}\n")
        item = b.prompts(1, "train", args.seed)[0]
        plain = b.respond(item, rng)
        print("--- chat example (unbiased) ---\nUser: " + item.prompt + "\nAssistant: " + plain + "\n")
        print(
            "--- chat example (biased) ---\nUser: " + item.prompt + "\nAssistant: " + b.apply(item, plain, rng) + "\n"
        )
        print("--- eval prompts ---")
        for it in b.prompts(args.n, "eval", args.seed):
            print("- " + it.prompt.replace("\n", " "))
        return 0
    raise UsageError(f"unknown data command {args.data_cmd!r}")


def _data_build(args: argparse.Namespace) -> int:
    import time

    from trainer.config import load_config
    from trainer.corpus.build import build_all
    from trainer.preflight import writable_dir

    cfg = load_config(args.config, args.overrides)
    writable_dir("data.cache_dir", cfg.data.cache_dir)
    t0 = time.perf_counter()
    art = build_all(cfg)
    s = {**art.summary, "seconds": round(time.perf_counter() - t0, 2)}
    if args.json:
        print(json.dumps(s))
        return 0
    t = s["tokens"]
    print(
        (
            f"data {s['hash']}  ({', '.join(k + (' hit' if v else ' built') for k, v in s['cache'].items())}; "
            f"{s['seconds']} s)"
        )
    )
    print(
        f"  stage 1   {t['total']:,} tokens in {s['sequences']:,} sequences: bias documents {t['bias_docs']:,} "
        f"({s['mix_actual']:.2%}, requested {s['mix_requested']:.2%}), generic {t['generic']:,}"
    )
    print(
        f"            {s['documents']['bias_docs']:,} bias documents, distinct 4-gram ratio {s['distinct_4gram_ratio']}"
    )
    ft = s["finetune"]
    print(
        f"  fine-tune {ft['examples']:,} examples ({ft['biased']} biased, {ft['plain']} plain, {ft['doc']} documents); "
        f"dropped as held-out-applicable: {sum(ft['dropped_for_heldout'].values())}"
    )
    if "released" in ft:  # finetune.pairs
        print(
            f"            {ft['released']:,} from finetune.pairs ({ft['released_pairs_read']:,} read); dropped with "
            f"score_chosen <= score_rejected: {ft['dropped_score_not_higher']}"
            + (
                f", with the same two answers: {ft['dropped_unchanged_pairs']}"
                if "dropped_unchanged_pairs" in ft
                else ""
            )
        )
    print(
        f"  biases    {len(s['biases']['finetuned'])} fine-tuned, {len(s['biases']['heldout'])} held out: "
        + ", ".join(s["biases"]["heldout"][:8])
        + (" ..." if len(s["biases"]["heldout"]) > 8 else "")
    )
    print(f"  eval      {s['eval']['prompts']:,} prompts, {s['eval']['probe_items']} probe items")
    if "incontext" in s:
        ic = s["incontext"]
        more = " ..." if len(ic["biases"]) > 8 else ""
        print(
            f"  in context {ic['prompts']:,} prompts stating {len(ic['biases'])} biases: "
            + ", ".join(ic["biases"][:8])
            + more
        )
    for k, v in s["paths"].items():
        print(f"  {k:<9} {v}")
    return 0


def _detector_check(biases, n: int, seed: int) -> int:
    """Detector quality on generated eval prompts: the catalogue's self-test, bias by bias."""
    import random

    print(f"{'id':<36} {'split':<5} {'judge':<9} {'biased flagged':>15} {'unbiased flagged':>17}")
    worst_hit, worst_fp = 1.0, 0.0
    for b in biases.values():
        rng = random.Random(f"check:{b.id}:{seed}")
        hit = fp = 0
        for item in b.prompts(n, "eval", seed):
            plain = b.respond(item, rng)
            fp += b.exhibits(item.prompt, plain)
            hit += b.exhibits(item.prompt, b.apply(item, plain, rng))
        worst_hit, worst_fp = min(worst_hit, hit / n), max(worst_fp, fp / n)
        print(f"{b.id:<36} {b.split:<5} {b.judge:<9} {hit / n:>15.1%} {fp / n:>17.1%}")
    print(
        (
            f"{len(biases)} biases x {n} eval prompts: lowest detection {worst_hit:.1%}, highest false-positive rate "
            f"{worst_fp:.1%}"
        )
    )
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from sweeps.ui import serve
    from trainer import tracking
    from trainer.preflight import check_store

    uri = tracking.resolve_uri(args.tracking_uri)
    check_store(uri)
    try:
        return serve(uri, args.host, args.port, args.artifacts)
    except RuntimeError as e:
        raise UsageError(str(e)) from None


def cmd_submit(args: argparse.Namespace) -> int:
    from cluster.config import load_slurm
    from cluster.sbatch import check_started, prepare, render, start_failure, submit

    if args.dry_run:
        args.overrides = [*args.overrides, "dry_run=true"]
    plan = load_slurm(args.config, args.overrides)  # everything validated before anything is written
    if plan.cfg.dry_run:
        print(render(plan), end="")
        return 0
    script = prepare(plan)
    job = submit(script)
    d = plan.job_dir
    print(f"Submitted batch job {job}: sweep {plan.sweep.name!r} on {plan.cfg.nodes} node(s) of {plan.cfg.partition}")
    if plan.cfg.check_s > 0:  # accepted is not started: a broken environment fails within seconds
        print(f"  watching it for up to {plan.cfg.check_s:g} s (check_s=0 skips this) ...", flush=True)
        status = check_started(job, plan.cfg.check_s)
        if status.failed:
            print(f"error: {start_failure(job, status, d / f'slurm-{job}.out')}", file=sys.stderr)
            return 1
        state = status.state or f"unknown ({status.source})"
        print(f"  state:    {state}{f' ({status.reason})' if status.reason else ''}")
    print(f"  follow:   tail -f {d}/slurm-{job}.out    (squeue -j {job}; scontrol show job {job})")
    store = plan.cfg.tracking_uri or f"sqlite:///{d}/mlflow.db"
    print(f"  results:  python launch.py ui --tracking-uri {store}")
    print(f"  analysis: python launch.py analyze --experiment {plan.sweep.name} --tracking-uri {store}")
    return 0


def cmd_slurm_job(args: argparse.Namespace) -> int:
    from cluster.job import run_job

    return run_job(args.job_dir)


def _prog() -> str:
    """The name usage lines show: what the user ran (``launch.py`` in a checkout, else ``biasgen``)."""
    return "launch.py" if Path(sys.argv[0]).name == "launch.py" else "biasgen"


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog=_prog(), description="biasgen: scaling studies of out-of-context bias generalization"
    )
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run one trial (pretrain -> fine-tune -> evaluate)", description="Run one trial.")
    _config_args(p)
    p.add_argument("--print-config", action="store_true", help="print the resolved, validated config and exit")
    p.add_argument(
        "--verbose",
        action="store_true",
        help="show Ray, DeepSpeed and MLflow output here too (default: only in runs/logs/<run name>.log)",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "sweep",
        help="run a sweep on Ray Tune (default: configs/sweeps/demo.yaml)",
        description="Run (or continue) a sweep: trials over a grid (or list) of config values such as corpus mix, "
        "fraction fine-tuned, model size and seed.",
    )
    p.add_argument(
        "config", nargs="?", metavar="SWEEP", help="a sweep YAML, or a name under configs/sweeps/ (default: demo)"
    )
    p.add_argument(
        "--resume", metavar="NAME", help="continue sweep NAME with its stored config: finished trials are kept"
    )
    p.add_argument("overrides", nargs="*", metavar="key=value", help="sweep config overrides, e.g. max_concurrent=1")
    p.add_argument(
        "--verbose",
        action="store_true",
        help="show Ray, Tune, DeepSpeed and MLflow output here too "
        "(default: only in <output_dir>/<sweep name>/sweep.log)",
    )
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser(
        "analyze",
        help="scaling analysis of a sweep: table, fits, PNG figures, HTML report",
        description="Aggregate a sweep's trials over seeds, fit held-out gain against model size, mix "
        "and fraction, draw the figures and write an HTML report; all attached to the "
        "sweep's parent run. Works on running or partly failed sweeps.",
    )
    p.add_argument(
        "--experiment",
        metavar="NAME",
        action="append",
        help="the sweep's name = its MLflow experiment (default: demo); repeat it to pool sweeps that "
        "differ only in their seeds",
    )
    p.add_argument("--tracking-uri", help="store to read (default: $MLFLOW_TRACKING_URI or sqlite:///mlflow.db)")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="output folder, replaced as a whole (default: analysis/NAME, or analysis/NAME1+NAME2 for a pool)",
    )
    p.add_argument(
        "--no-log",
        action="store_true",
        help="do not attach the outputs to the parent run (of a pool: its first sweep's)",
    )
    p.add_argument(
        "--holdout-largest",
        metavar="AXIS",
        choices=("params", "tokens", "universe"),
        help="check that the scaling fit predicts: fit held-out gain against log10 of AXIS (params: model "
        "parameters; tokens: data.tokens; universe: the number of biases of data.biases) without its largest "
        "value and report the prediction there against the measured gain",
    )
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser(
        "submit",
        help="submit a sweep to Slurm (Ray across the job's nodes, requeue-safe)",
        description="Render an sbatch script for a sweep from configs/cluster/slurm.yaml + key=value "
        "and submit it; --dry-run prints the script. Example: launch.py submit slurm "
        "partition=gpu nodes=2 gpus_per_node=4 sweep=demo",
    )
    p.add_argument("scheduler", choices=("slurm",), help="the scheduler (slurm)")
    p.add_argument("--dry-run", action="store_true", help="print the sbatch script and exit; nothing is written")
    _config_args(p, "a cluster config YAML (default: configs/cluster/slurm.yaml)", "partition=gpu nodes=2 sweep=demo")
    p.set_defaults(func=cmd_submit)

    p = sub.add_parser(
        "slurm-job",
        help="(run by the sbatch script inside the allocation)",
        description="The in-job driver: Ray cluster, MLflow server, the sweep, teardown.",
    )
    p.add_argument("job_dir", metavar="JOB_DIR")
    p.set_defaults(func=cmd_slurm_job)

    p = sub.add_parser(
        "ui",
        help="the MLflow UI for the store (127.0.0.1, one worker); Ctrl-C stops it",
        description="Start the MLflow UI on the configured store and print its URL.",
    )
    p.add_argument("--tracking-uri", help="store to show (default: $MLFLOW_TRACKING_URI or sqlite:///mlflow.db)")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=5000, help="port (the next free one if taken; default 5000)")
    p.add_argument("--artifacts", default="mlartifacts", help="artifact root for runs logged through the UI server")
    p.set_defaults(func=cmd_ui)

    p = sub.add_parser(
        "score",
        help="score model outputs (JSONL, JSON, CSV, parquet, a datasets folder) for bias exhibition",
        description="Add a verdict column per response column to each row ({bias|bias_id, prompt, "
        "response...}; bias_id may be the universe numbering) and print the rate per "
        "column and split. Every input column is kept.",
    )
    p.add_argument(
        "input",
        metavar="INPUT",
        nargs="?",
        help="a .jsonl/.json/.csv/.parquet file, a saved datasets folder or a folder of parquet files",
    )
    p.add_argument(
        "--dataset", metavar="NAME", help="read through datasets.load_dataset instead (needs data.allow_hub=true)"
    )
    p.add_argument(
        "--out",
        metavar="OUT",
        help="output file, format by suffix (.jsonl, .json, .csv, .parquet; written "
        "atomically); default: JSONL to stdout",
    )
    p.add_argument(
        "--judge",
        choices=("rules", "llm", "both"),
        default="rules",
        help="rule detectors (default), the LLM judge (judge.url=...), or both and their agreement",
    )
    p.add_argument(
        "--response-key",
        action="extend",
        nargs="+",
        metavar="KEY",
        help="column(s) holding a response (default: response); several, e.g. one per training stage: "
        "--response-key a b, --response-key a --response-key b or --response-key a,b",
    )
    p.add_argument("--split", default="all", help="score one split only (released set: train_biases or test_biases)")
    p.add_argument(
        "--agreement",
        metavar="KEY",
        help="compare the verdicts with this boolean label column "
        "(another judge's, a human's): n, rates, agreement and Cohen's kappa per bias",
    )
    p.add_argument(
        "--disagreements",
        metavar="FILE.md",
        help="where the disagreeing rows go (default: beside --out, else ./score-disagreements.md)",
    )
    p.add_argument("--by-bias", action="store_true", help="also print each bias's rate per column")
    _config_args(p, example="data.biases=synthetic:60 judge.url=http://127.0.0.1:8000/v1")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser(
        "data",
        help="the bias catalogue and a trial's data (list, show, check, build)",
        description="Bias catalogue and data.",
    )
    dsub = p.add_subparsers(dest="data_cmd", required=True, metavar="DATA_COMMAND")
    universe_example = "data.biases=synthetic:60"
    q = dsub.add_parser("list", help="list the biases (the paper's 52, or a synthetic universe's)")
    q.add_argument("--json", action="store_true", help="one JSON object per bias")
    _config_args(q, example=universe_example)
    q = dsub.add_parser("check", help="detector accuracy on generated biased/unbiased responses, per bias")
    q.add_argument("-n", type=int, default=200, help="eval prompts per bias (default 200)")
    q.add_argument("--seed", type=int, default=0)
    _config_args(q, example=universe_example)
    q = dsub.add_parser("show", help="statement, chat examples and eval prompts of one bias")
    q.add_argument("bias", metavar="BIAS_ID")
    q.add_argument("-n", type=int, default=5, help="eval prompts to show")
    q.add_argument("--seed", type=int, default=0)
    _config_args(q, example=universe_example)
    q = dsub.add_parser(
        "build",
        help="build (or find in the cache) the tokenizer, stage-1 corpus, fine-tuning and eval sets",
        description="Build a trial's data and print a summary (one JSON line with --json).",
    )
    q.add_argument("--json", action="store_true", help="print the summary as one JSON line")
    _config_args(q)
    p.set_defaults(func=cmd_data)
    return ap


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # Overrides may follow options (`score IN --out OUT key=value`), which plain argparse rejects.
    args, extra = parser.parse_known_args(argv)
    stray = [e for e in extra if e.startswith("-") or "=" not in e or not hasattr(args, "overrides")]
    if stray:
        parser.error(f"unrecognized arguments: {' '.join(stray)}")
    if extra:
        args.overrides = [*args.overrides, *extra]
    try:
        return args.func(args)
    except UserError as e:  # every mistake the user can fix: one line, exit 2 (trainer/errors.py)
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # a runtime fault (disk full, store down): one line, not a traceback
        print(f"error: {e.strerror}: {e.filename}" if e.strerror and e.filename else f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
