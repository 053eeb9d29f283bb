"""Runs a sweep on Ray Tune: one function trainable per point, each running a whole trial (whose stage 1
may come from the cache), all recorded under one MLflow parent run.

Re-running a sweep continues it: points whose MLflow child run is FINISHED are not run again, stage-1
results come from the cache, and a point that was interrupted reattaches to its run.
Ray is imported on use, after the session's environment is set (``trainer/ray_session.py``).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer import timeline, tracking
from trainer.config import TrialConfig, from_dict, to_dict, to_yaml
from trainer.console import Console, LiveView, gain_text
from trainer.keys import stage1_key, trial_key
from trainer.preflight import preflight
from trainer.ray_session import ResourceError, cluster_address, local_cpus, ray_session, remove_stale_temp_dirs
from trainer.trial.driver import default_run_name, run_trial
from trainer.trial.failure import failure_reason
from trainer.worker_group import WorkerGroup

from .config import SweepConfig, points, sweep_axes, trial_config, trial_configs
from .lock import sweep_lock

HEADLINE = (
    "heldout/rate",
    "heldout/rate_before_ft",
    "heldout/gain",
    "heldout/gain_lo",
    "heldout/gain_hi",
    "train/rate",
    "knowledge/acc",
    "params_total",
    "params_non_embedding",
)


@dataclass
class SweepResult:
    name: str
    parent_run_id: str
    tracking_uri: str
    finished: int
    failed: int
    skipped: int
    failures: list[tuple[str, str]] = field(default_factory=list)  # (run name, one-line reason) per failed trial


_GROUP: WorkerGroup | None = None  # this trial process's worker group, kept for the next trial Tune gives it


def _trainable(config: dict[str, Any]) -> None:
    """Tune function trainable: one whole trial (both its stages run in the process's worker group).

    Tune reuses the process for the sweep's next trial (``reuse_actors``), and the trial reuses the worker
    group the last one left, if it has the same shape: a sweep's trials after the first in each slot skip
    starting processes, importing torch and DeepSpeed and forming the process group."""
    global _GROUP
    from ray import tune

    config = config["trial"]  # the point, as put in the param space
    cfg = from_dict(config["cfg"])
    import ray

    if _GROUP is not None and not _GROUP.fits(cfg.ray):
        _GROUP.shutdown()
        _GROUP = None
    _GROUP = _GROUP or WorkerGroup(cfg.ray, name=f"{config['sweep']}-slot")
    node = ray.get_runtime_context().get_node_id()  # where the trial's driver ran (its workers may spread)
    res = run_trial(
        cfg,
        run_name=config["run_name"],
        parent_run_id=config["parent"],
        tags={"biasgen.sweep": config["sweep"], "biasgen.ray_node": node},
        progress_dir=config.get("progress"),
        group=_GROUP,
    )
    tune.report(
        {k: v for k, v in res.metrics.items() if k in HEADLINE} | {"run_id": res.run_id, "stage1_hit": res.stage1_hit}
    )


def _progress_callback(view: LiveView):
    from ray import tune

    class Progress(tune.Callback):
        """Tune's trial events into the console's live view (which polls the trials' stages itself)."""

        def __init__(self, live: LiveView):
            self.view = live  # not a closure over the argument: Tune pickles this class by value

        def __getstate__(self):  # Tune pickles its callbacks with the experiment state: not the terminal
            return {"view": None}

        def on_trial_start(self, iteration, trials, trial, **info):
            if self.view:
                self.view.started(trial.config["trial"]["run_name"])

        def on_trial_complete(self, iteration, trials, trial, **info):
            if not self.view:
                return
            r = trial.last_result or {}
            text = gain_text(r, missing="no metrics")
            s1 = "stage 1 from cache" if r.get("stage1_hit") else "stage 1 trained"
            self.view.finished(trial.config["trial"]["run_name"], f"{text}; {s1}")

        def on_trial_error(self, iteration, trials, trial, **info):
            if self.view:
                self.view.finished(trial.config["trial"]["run_name"], _trial_reason(trial), ok=False)

    return Progress(view)


def _trial_reason(trial) -> str:
    """The failed trial's one-line reason (the trainable raised TrialError(reason); Tune pickles it)."""
    err = None
    try:  # at callback time the error is in the trial's local folder; get_pickled_error() reads the synced copy
        local = trial.pickled_error_file
        if local and os.path.exists(local):
            from ray import cloudpickle

            with open(local, "rb") as f:
                err = cloudpickle.load(f)
        else:
            err = trial.get_pickled_error()
    except Exception:
        err = None
    return failure_reason(err)[:500] if err is not None else "no reason recorded (see the trial's MLflow run)"


def _parent_run(sweep: SweepConfig, cfg0: TrialConfig, uri: str, exp_id: str, n_points: int) -> str:
    existing = tracking.find_run(uri, exp_id, {"biasgen.role": "sweep", "biasgen.sweep": sweep.name})
    if existing:
        tracking.reopen(uri, existing.info.run_id)
        return existing.info.run_id
    params = {
        "sweep.name": sweep.name,
        "sweep.search": sweep.search,
        "sweep.points": n_points,
        "sweep.axes": ",".join(sweep_axes(sweep)),
        "sweep.base": sweep.base or "",
    }
    run_id = tracking.create_run(
        uri, exp_id, f"sweep-{sweep.name}", params, {"biasgen.role": "sweep", "biasgen.sweep": sweep.name}
    )
    c = tracking.client(uri)
    c.log_text(run_id, to_yaml(sweep), "sweep.yaml")
    c.log_dict(
        run_id,
        {
            "grid": sweep.grid,
            "variants": sweep.variants,
            "set": sweep.set,
            "search": sweep.search,
            "num_samples": sweep.num_samples,
        },
        "search_space.json",
    )
    c.log_text(run_id, to_yaml(cfg0), "base_trial_config.yaml")
    return run_id


def stage1_first(todo: list[dict]) -> list[dict]:
    """Dispatch order: one trial per distinct stage 1 first, then the trials that will find it cached.

    Trials that differ only in what they fine-tune share a stage 1, built once under a file lock; started
    side by side, the second would hold its slot idle until the first has trained it.  The grouping is the
    stage-1 key itself (``trainer.keys``, in each item), computed from the config before any data is built."""
    seen: set[str] = set()
    first, rest = [], []
    for item in todo:
        (rest if item["stage1_key"] in seen else first).append(item)
        seen.add(item["stage1_key"])
    return first + rest


def _name_part(value: Any) -> str:
    """An axis value as it reads in a run name: lists joined with '+', nothing but word characters and . + -"""
    text = "+".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return re.sub(r"[^\w.+-]", "", text)


def sweep_folder(sweep: SweepConfig, cfg: TrialConfig | None = None) -> Path:
    """The sweep's own folder, ``<output_dir>/<name>/``: its log of internals (``sweep.log``, written by
    `launch.py sweep`) and the trials' live progress (``progress/``)."""
    return Path((cfg or trial_config(sweep, points(sweep)[0])).output_dir) / sweep.name  # one point: the base's


def run_sweep(sweep: SweepConfig, console: Console | None = None) -> SweepResult:
    """The sweep, holding its lock (one driver per name and store) from before its first MLflow write.
    ``console``: where the live view and the sweep's own lines go (default: plain lines on stdout)."""
    timeline.mark("sweep_start")
    remove_stale_temp_dirs()  # what killed drivers left (Ray processes, dirs), even if nothing is left to run
    pts = points(sweep)
    cfgs = trial_configs(sweep)  # every point validated, duplicates refused, before anything starts
    preflight(cfgs)  # stores answer and folders take writes, before Ray starts
    uri = tracking.resolve_uri(cfgs[0].tracking.uri)
    with sweep_lock(uri, sweep.name, cfgs[0].tracking.artifact_location):
        return _run_locked(sweep, pts, cfgs, uri, console or Console(sys.stdout, tty=False))


def _run_locked(
    sweep: SweepConfig, pts: list[dict], cfgs: list[TrialConfig], uri: str, console: Console
) -> SweepResult:
    from ray import tune

    cfg0 = cfgs[0]
    exp_id = tracking.experiment_id(uri, sweep.name, cfg0.tracking.artifact_location)
    # Runs a dead driver left RUNNING (we hold the lock: no live driver owns them) are closed now, not when
    # their trial happens to run again; the parent among them is reopened just below.
    tracking.close_orphans(
        uri,
        exp_id,
        [f"tags.`biasgen.sweep` = '{sweep.name}'", "tags.`biasgen.role` = 'stage1'"],
        "killed: the driver stopped without closing this run (a rerun of the sweep replaces it)",
    )
    parent = _parent_run(sweep, cfg0, uri, exp_id, len(pts))
    todo, skipped = [], 0
    # We hold the sweep's lock: no other driver reads these; a killed run's stale stages must not show.
    live_dir = sweep_folder(sweep, cfg0) / "progress"
    shutil.rmtree(live_dir, ignore_errors=True)
    for p, cfg in zip(pts, cfgs):
        done = tracking.find_run(uri, exp_id, {"mlflow.parentRunId": parent, "biasgen.trial_key": trial_key(cfg)})
        if done and done.info.status == "FINISHED":
            skipped += 1
            continue
        name = "-".join(f"{k.split('.')[-1]}{_name_part(v)}" for k, v in p.items()) or default_run_name(cfg)
        todo.append(
            {
                "cfg": to_dict(cfg),
                "run_name": name,
                "parent": parent,
                "sweep": sweep.name,
                "progress": str(live_dir),
                "stage1_key": stage1_key(cfg),
            }
        )
    todo = stage1_first(todo)
    console.redirect()  # the input is good and the sweep is ours: from here on, internals to the log
    console.line(
        f"sweep {sweep.name}: {len(pts)} points, {skipped} already finished, {len(todo)} to run; "
        f"MLflow experiment {sweep.name!r} at {uri}"
    )
    if console.log_path:
        console.line(f"Ray, Tune, DeepSpeed and MLflow output: {console.log_path} (--verbose shows it here)")
    failed, failures = 0, []
    if todo:
        r = cfg0.ray
        per_trial = r.num_workers * r.cpus_per_worker
        slots = sweep.max_concurrent or max(1, local_cpus(r) // per_trial)
        timeline.mark("sweep_ready")
        with ray_session(r, resources={"trial_slot": float(slots)}):
            import ray

            timeline.mark("ray_ready")
            have = ray.cluster_resources()
            if "trial_slot" not in have:
                raise ResourceError(
                    "the Ray cluster at ray.address has no 'trial_slot' resource: start its nodes with "
                    "--resources='{\"trial_slot\": N}' (N = trials that fit at once)"
                )
            # On a cluster of several nodes the driver's own CPU count says nothing: the slots say it all.
            slots = (
                int(have["trial_slot"])
                if cluster_address(r) and not sweep.max_concurrent
                else int(min(slots, have["trial_slot"]))
            )
            view = LiveView(console, live_dir, total=len(pts), slots=slots, done=skipped)
            tuner = tune.Tuner(
                tune.with_resources(_trainable, {"CPU": 0, "trial_slot": 1}),
                param_space={"trial": tune.grid_search(todo)},
                # reuse_actors: a slot's next trial runs in the same process, and so in the same worker group
                tune_config=tune.TuneConfig(max_concurrent_trials=slots, reuse_actors=True),
                run_config=tune.RunConfig(
                    name=f"{sweep.name}-{time.strftime('%Y%m%d-%H%M%S')}",
                    storage_path=os.path.abspath(r.storage),
                    verbose=0,
                    failure_config=tune.FailureConfig(max_failures=sweep.retries),
                    callbacks=[_progress_callback(view)],
                ),
            )
            with view:
                grid = tuner.fit()  # Tune turns a first Ctrl-C into a graceful stop and returns
            timeline.mark("tune_end")
            failures = [
                (res.config["trial"]["run_name"], failure_reason(res.error)[:500])
                for res in grid
                if res.error is not None and "run_id" not in (res.metrics or {})
            ]
            failed = len(failures)
            finished = sum(1 for res in grid if "run_id" in (res.metrics or {}))
        timeline.mark("ray_closed")
    else:
        finished = 0
    if finished + failed < len(todo):  # stopped before every trial ran: resumable, not failed
        tracking.client(uri).set_tag(parent, "biasgen.interrupted", "true")
        raise KeyboardInterrupt
    c = tracking.client(uri)
    c.set_tag(parent, "biasgen.trials_failed", str(failed))
    tracking.finish(uri, parent, ok=failed == 0, error=f"{failed} of {len(pts)} trials failed" if failed else None)
    return SweepResult(sweep.name, parent, uri, finished, failed, skipped, failures)
