"""Runs one trial from the driver: build the data, open the MLflow run, run the stages on Ray Train
(DeepSpeed in every worker), close the run as FINISHED or FAILED."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import TrialConfig, flatten, to_dict
from .corpus.build import build_all
from .corpus.cache import cache_key
from . import tracking
from .ray_session import check_resources, ray_session
from .stage1_cache import build_once, entry, stage1_key


class TrialError(RuntimeError):
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
    """The first line our worker code raised (TrialFailure), else the innermost error Ray reports."""
    text = str(err)
    m = re.search(r"TrialFailure: (.+)", text)
    if m:
        return m.group(1).strip()
    errors = re.findall(r"^(\w+(?:Error|Exception)): (.+)$", text, re.M)
    return f"{errors[-1][0]}: {errors[-1][1]}" if errors else (text.splitlines()[0] if text else type(err).__name__)


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


def ensure_stage1(cfg: TrialConfig, data, uri: str, exp_id: str, worker_config: dict[str, Any],
                  parent_run_id: str | None = None) -> tuple[Path, dict, bool]:
    """The stage-1 entry for this config: trained now (own MLflow run) or found in the cache."""
    from .trial import stage1_worker

    key = stage1_key(cfg, data.summary)
    path = entry(cfg, key)

    def train(tmp: Path) -> dict[str, Any]:
        stage_tags = {"biasgen.role": "stage1", "biasgen.stage1_key": key}
        if parent_run_id:
            stage_tags["mlflow.parentRunId"] = parent_run_id
        interrupted = tracking.find_run(uri, exp_id, stage_tags)  # a stage 1 killed mid-way: reattach
        if interrupted:
            run_id = interrupted.info.run_id
            tracking.reopen(uri, run_id)
        else:
            run_id = tracking.create_run(uri, exp_id, f"stage1-{key}", flatten(cfg), stage_tags)
        try:
            metrics = _fit(stage1_worker, worker_config | {"stage1_dir": str(tmp), "stage1_run_id": run_id}, cfg,
                           f"stage1-{key}")
        except BaseException as e:
            tracking.finish(uri, run_id, ok=False, error=failure_reason(e) if isinstance(e, Exception) else "interrupted")
            raise
        tracking.finish(uri, run_id, ok=True)
        return {"key": key, "run_id": run_id, "metrics": metrics}

    record, hit = build_once(path, train)
    return path, record, hit


def trial_key(cfg: TrialConfig) -> str:
    """Identity of a trial within a sweep: every config value except where results are written."""
    skip = ("tracking.", "output_dir", "ray.address", "ray.storage", "data.cache_dir")
    return cache_key({k: v for k, v in flatten(cfg).items() if not k.startswith(skip)})


def run_trial(cfg: TrialConfig, run_name: str | None = None, tags: dict[str, str] | None = None,
              parent_run_id: str | None = None) -> TrialResult:
    """One trial. Inside a sweep (``parent_run_id``) a rerun of the same trial reattaches to its run."""
    from .trial import stage2_worker

    uri = tracking.resolve_uri(cfg.tracking.uri)
    exp_id = tracking.experiment_id(uri, cfg.tracking.experiment, cfg.tracking.artifact_location)
    name = run_name or default_run_name(cfg)
    run_tags = {"biasgen.role": "trial", "biasgen.trial_key": trial_key(cfg), **(tags or {})}
    existing = None
    if parent_run_id:
        run_tags["mlflow.parentRunId"] = parent_run_id
        existing = tracking.find_run(uri, exp_id, {"mlflow.parentRunId": parent_run_id,
                                                   "biasgen.trial_key": run_tags["biasgen.trial_key"]})
    if existing:
        run_id = existing.info.run_id
        tracking.reopen(uri, run_id)
    else:
        run_id = tracking.create_run(uri, exp_id, name, flatten(cfg), run_tags)
    out_dir = (Path(cfg.output_dir) / f"{name}-{run_id[:8]}").resolve()
    try:
        data = build_all(cfg)
    except Exception as e:
        tracking.finish(uri, run_id, ok=False, error=str(e))
        raise
    c = tracking.client(uri)
    c.log_param(run_id, "data.hash", data.summary["hash"])
    for k, v in data.summary["keys"].items():
        c.set_tag(run_id, f"biasgen.key.{k}", v)
    c.log_dict(run_id, {k: data.summary[k] for k in ("hash", "mix_requested", "mix_actual", "tokens", "documents",
                                                      "distinct_4gram_ratio", "biases", "finetune", "eval", "keys")},
               "data_summary.json")
    worker_config: dict[str, Any] = {"cfg": to_dict(cfg), "data": data.summary, "tracking_uri": uri,
                                     "run_id": run_id, "out_dir": str(out_dir)}
    try:
        with ray_session(cfg.ray):
            s1_path, s1, hit = ensure_stage1(cfg, data, uri, exp_id, worker_config, parent_run_id)
            c.set_tag(run_id, "biasgen.key.stage1_model", s1["key"])
            c.set_tag(run_id, "biasgen.stage1_cache", "hit" if hit else "miss")
            c.set_tag(run_id, "biasgen.stage1_run_id", s1["run_id"])
            metrics = _fit(stage2_worker, worker_config | {"stage1_dir": str(s1_path)}, cfg, f"{name}-{run_id[:8]}")
    except KeyboardInterrupt:
        tracking.finish(uri, run_id, ok=False, error="interrupted")
        raise
    except Exception as e:
        reason = failure_reason(e)
        tracking.finish(uri, run_id, ok=False, error=reason)
        raise TrialError(reason) from None
    tracking.finish(uri, run_id, ok=True)
    return TrialResult(run_id, exp_id, uri, metrics, out_dir, stage1_hit=hit)
