"""Runs one trial from the driver: build the data, open the MLflow run, run the stages on Ray Train
(DeepSpeed in every worker), close the run as FINISHED or FAILED."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import TrialConfig, flatten, to_dict
from .corpus.build import build_all
from .ray_session import check_resources, ray_session
from . import tracking


class TrialError(RuntimeError):
    """The trial failed; the message is one line for the user, the MLflow run is marked FAILED."""


@dataclass
class TrialResult:
    run_id: str
    experiment_id: str
    tracking_uri: str
    metrics: dict[str, float]
    out_dir: Path


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


def run_trial(cfg: TrialConfig, run_name: str | None = None, tags: dict[str, str] | None = None) -> TrialResult:
    import ray.train
    from ray.train.torch import TorchConfig, TorchTrainer

    from .trial import trial_worker

    uri = tracking.resolve_uri(cfg.tracking.uri)
    exp_id = tracking.experiment_id(uri, cfg.tracking.experiment, cfg.tracking.artifact_location)
    name = run_name or default_run_name(cfg)
    run_id = tracking.create_run(uri, exp_id, name, flatten(cfg), tags or {})
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
    worker_config: dict[str, Any] = {"cfg": to_dict(cfg), "data": data.summary,
                                     "tracking_uri": uri, "run_id": run_id, "out_dir": str(out_dir)}
    try:
        with ray_session(cfg.ray):
            check_resources(cfg.ray)
            trainer = TorchTrainer(
                trial_worker, train_loop_config=worker_config,
                scaling_config=ray.train.ScalingConfig(num_workers=cfg.ray.num_workers, use_gpu=cfg.ray.use_gpu,
                                                       resources_per_worker={"CPU": cfg.ray.cpus_per_worker}),
                torch_config=TorchConfig(backend="nccl" if cfg.ray.use_gpu else "gloo"),
                run_config=ray.train.RunConfig(name=f"{name}-{run_id[:8]}", storage_path=str(Path(cfg.ray.storage).resolve())),
            )
            result = trainer.fit()
    except KeyboardInterrupt:
        tracking.finish(uri, run_id, ok=False, error="interrupted")
        raise
    except Exception as e:
        reason = failure_reason(e)
        tracking.finish(uri, run_id, ok=False, error=reason)
        raise TrialError(reason) from None
    tracking.finish(uri, run_id, ok=True)
    return TrialResult(run_id, exp_id, uri, dict(result.return_value or {}), out_dir)
