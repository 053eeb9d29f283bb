"""Runs one trial from the driver: build the data, open the MLflow run, run the stages on Ray Train
(DeepSpeed in every worker), close the run as FINISHED or FAILED."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import progress
from .config import TrialConfig, flatten, to_dict
from .corpus.build import build_all
from . import tracking
from .errors import UserError
from .ray_session import ResourceError, check_resources, ray_session
from .keys import stage1_key, trial_key
from .stage1_cache import build_once, entry


class TrialError(UserError, RuntimeError):
    """The trial failed; the message is one line for the user, the MLflow run is marked FAILED."""


@dataclass
class TrialResult:
    run_id: str
    experiment_id: str
    tracking_uri: str
    metrics: dict[str, float]
    out_dir: Path
    stage1_hit: bool = False


def default_run_name(cfg: TrialConfig) -> str:
    size = Path(cfg.model.pretrained).name if cfg.model.pretrained else cfg.model.size
    return f"{size}-mix{cfg.data.mix:g}-frac{cfg.finetune.fraction:g}-s{cfg.seed}"


def failure_reason(err: BaseException) -> str:
    """One line for the user: the error the trial's own code raised, beneath Ray's wrappers.

    Ray Train reports ``WorkerGroupError`` ("Training failed due to worker errors:") with the per-rank
    exceptions in ``worker_failures``; a Tune trial's error is a ``RayTaskError`` whose ``cause`` is what the
    trainable raised. Of several ranks' errors the most telling wins: a message our code wrote for the user
    (a health check, a config or data problem) over a worker that died over anything else, lowest rank first
    (a worker's death makes the others fail in their next collective)."""
    exc = _unwrap(err)
    failures = getattr(exc, "worker_failures", None)
    if failures:
        rank, exc = min(failures.items(), key=lambda item: (_rank_of(item[1]), item[0]))
        exc = _unwrap(exc)
        died = _worker_death(exc)
        if died:
            return f"training worker rank {rank} {died}"
    controller = getattr(exc, "controller_failure", None)
    if controller is not None:
        exc = _unwrap(controller)
    died = _worker_death(exc)
    if died:
        return f"a training worker {died}"
    if isinstance(exc, UserError):
        return _first_line(str(exc)) or type(exc).__name__
    text = _first_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _unwrap(exc: BaseException) -> BaseException:
    """Through Tune's RayTaskError (``cause``) and Ray Train's user-exception wrapper (``_base_exc``)."""
    for _ in range(10):
        inner = getattr(exc, "cause", None) or getattr(exc, "_base_exc", None)
        if not isinstance(inner, BaseException) or inner is exc:
            return exc
        exc = inner
    return exc


def _worker_death(exc: BaseException) -> str | None:
    """'(pid N) died ...' for a Ray Train worker whose process ended (health check failed, actor died)."""
    from ray.exceptions import RayActorError

    cause = getattr(exc, "health_check_failure", exc)
    if not isinstance(cause, RayActorError):
        return None
    m = re.search(r"pid[:=]\s*(\d+)", str(cause)) or re.search(r"pid[:=]\s*(\d+)", str(exc))
    pid = f"(pid {m.group(1)}) " if m else ""
    return f"{pid}died: its process ended unexpectedly (killed, e.g. by the OOM killer or SIGKILL, or crashed)"


def _rank_of(exc: BaseException) -> int:
    exc = _unwrap(exc)
    if isinstance(exc, UserError):
        return 0
    return 1 if _worker_death(exc) else 2


def _fit(worker, worker_config: dict[str, Any], cfg: TrialConfig, name: str) -> dict[str, float]:
    import ray.train
    from ray.train.torch import TorchConfig, TorchTrainer

    check_resources(cfg.ray)
    trainer = TorchTrainer(
        worker, train_loop_config=worker_config,
        scaling_config=ray.train.ScalingConfig(num_workers=cfg.ray.num_workers, use_gpu=cfg.ray.use_gpu,
                                               resources_per_worker={"CPU": cfg.ray.cpus_per_worker}),
        torch_config=TorchConfig(backend="nccl" if cfg.ray.use_gpu else "gloo"),
        run_config=ray.train.RunConfig(name=name, storage_path=str(Path(cfg.ray.storage).resolve())),
    )
    return dict(trainer.fit().return_value or {})


def ensure_stage1(cfg: TrialConfig, uri: str, exp_id: str, worker_config: dict[str, Any],
                  parent_run_id: str | None = None) -> tuple[Path, dict, bool]:
    """The stage-1 entry for this config: trained now (own MLflow run) or found in the cache."""
    from .trial import stage1_worker

    key = stage1_key(cfg)
    path = entry(cfg, key)

    def train(tmp: Path) -> dict[str, Any]:
        stage_tags = {"biasgen.role": "stage1", "biasgen.stage1_key": key}
        if parent_run_id:
            stage_tags["mlflow.parentRunId"] = parent_run_id
        # a stage 1 that failed or was killed mid-way: its run is replaced, not continued
        run_id = tracking.restart_run(uri, exp_id, f"stage1-{key}", flatten(cfg), stage_tags, stage_tags)
        try:
            metrics = _fit(stage1_worker, worker_config | {"stage1_dir": str(tmp), "stage1_run_id": run_id}, cfg,
                           f"stage1-{key}")
        except Exception as e:
            tracking.finish(uri, run_id, ok=False, error=failure_reason(e))
            raise
        except BaseException:
            tracking.finish(uri, run_id, ok=False, error="interrupted", status="KILLED")
            raise
        tracking.finish(uri, run_id, ok=True)
        return {"key": key, "run_id": run_id, "metrics": metrics}

    record, hit = build_once(path, train)
    return path, record, hit


def run_trial(cfg: TrialConfig, run_name: str | None = None, tags: dict[str, str] | None = None,
              parent_run_id: str | None = None, progress_dir: str | None = None) -> TrialResult:
    """One trial. Inside a sweep (``parent_run_id``) a rerun of a failed or killed trial replaces its run.
    ``progress_dir``: where the trial reports its stage for the console's live view (``trainer.progress``)."""
    from .trial import stage2_worker

    uri = tracking.resolve_uri(cfg.tracking.uri)
    exp_id = tracking.experiment_id(uri, cfg.tracking.experiment, cfg.tracking.artifact_location)
    name = run_name or default_run_name(cfg)
    run_tags = {"biasgen.role": "trial", "biasgen.trial_key": trial_key(cfg), **(tags or {})}
    if parent_run_id:
        run_tags["mlflow.parentRunId"] = parent_run_id
        run_id = tracking.restart_run(uri, exp_id, name, flatten(cfg), run_tags,
                                      {"mlflow.parentRunId": parent_run_id, "biasgen.trial_key": run_tags["biasgen.trial_key"]})
    else:
        run_id = tracking.create_run(uri, exp_id, name, flatten(cfg), run_tags)
    out_dir = (Path(cfg.output_dir) / f"{name}-{run_id[:8]}").resolve()
    report = progress.activate(progress.Reporter(progress_dir, name))
    report.stage("data")
    try:
        data = build_all(cfg)
    except Exception as e:
        tracking.finish(uri, run_id, ok=False, error=failure_reason(e))
        raise
    except KeyboardInterrupt:
        tracking.finish(uri, run_id, ok=False, error="interrupted", status="KILLED")
        raise
    c = tracking.client(uri)
    c.log_param(run_id, "data.hash", data.summary["hash"])
    tracking.log_corpus_input(uri, run_id, data.summary, cfg)  # the UI's Dataset column and filter
    for k, v in data.summary["keys"].items():
        c.set_tag(run_id, f"biasgen.key.{k}", v)
    c.log_dict(run_id, {k: data.summary[k] for k in ("hash", "mix_requested", "mix_actual", "tokens", "documents",
                                                      "distinct_4gram_ratio", "biases", "finetune", "eval", "keys")},
               "data_summary.json")
    worker_config: dict[str, Any] = {"cfg": to_dict(cfg), "data": data.summary, "tracking_uri": uri,
                                     "run_id": run_id, "out_dir": str(out_dir), "run_name": name,
                                     "progress_dir": progress_dir}
    try:
        with ray_session(cfg.ray):
            report.stage("stage1")
            s1_path, s1, hit = ensure_stage1(cfg, uri, exp_id, worker_config, parent_run_id)
            c.set_tag(run_id, "biasgen.key.stage1_model", s1["key"])
            c.set_tag(run_id, "biasgen.stage1_cache", "hit" if hit else "miss")
            c.set_tag(run_id, "biasgen.stage1_run_id", s1["run_id"])
            metrics = _fit(stage2_worker, worker_config | {"stage1_dir": str(s1_path)}, cfg, f"{name}-{run_id[:8]}")
    except KeyboardInterrupt:
        tracking.finish(uri, run_id, ok=False, error="interrupted", status="KILLED")
        raise
    except Exception as e:
        reason = failure_reason(e)
        tracking.finish(uri, run_id, ok=False, error=reason)
        raise TrialError(reason) from None
    tracking.finish(uri, run_id, ok=True)
    report.stage("done")
    return TrialResult(run_id, exp_id, uri, metrics, out_dir, stage1_hit=hit)
