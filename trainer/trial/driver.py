"""One trial, on the driver (the process that launched it; driver side): build the data, open the MLflow
run, run each stage on Ray Train (``trainer/trial/worker.py`` in every worker, DeepSpeed inside), close the
run as FINISHED, FAILED or KILLED."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

import ray.train
from ray.train.torch import TorchConfig, TorchTrainer

from .. import progress, tracking
from ..config import TrialConfig, flatten, to_dict
from ..corpus.build import build_all
from ..errors import UserError
from ..keys import stage1_key, trial_key
from ..ray_session import check_resources, ray_session
from ..stage1_cache import build_once, entry
from .failure import failure_reason
from .worker import WorkerConfig, stage1_worker, stage2_worker


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


def check_batches(cfg: TrialConfig, summary: dict[str, Any]) -> None:
    """Each worker needs at least one micro-batch of each stage's data (a small released file, many workers)."""
    for what, n, section in (
        ("stage-1 sequences", summary["sequences"], "pretrain"),
        ("fine-tuning examples", summary["finetune"]["examples"], "sft"),
    ):
        micro = getattr(cfg, section).micro_batch
        if n // cfg.ray.num_workers < micro:
            raise TrialError(
                f"{n} {what} over ray.num_workers={cfg.ray.num_workers} give each worker fewer than one micro-batch "
                f"({section}.micro_batch={micro}): lower {section}.micro_batch or ray.num_workers, or add data"
            )


def default_run_name(cfg: TrialConfig) -> str:
    size = Path(cfg.model.pretrained).name if cfg.model.pretrained else cfg.model.size
    method = "" if cfg.finetune.method == "sft" else f"-{cfg.finetune.method}"  # its own log beside the SFT run's
    return f"{size}-mix{cfg.data.mix:g}-frac{cfg.finetune.fraction:g}{method}-s{cfg.seed}"


def _fit(worker: Callable[[dict], dict], w: WorkerConfig, cfg: TrialConfig, name: str) -> dict[str, float]:
    """One stage on Ray Train: ``cfg.ray.num_workers`` processes running ``worker`` (DeepSpeed inside)."""
    check_resources(cfg.ray)
    trainer = TorchTrainer(
        worker,
        train_loop_config=w.loop_config(),
        scaling_config=ray.train.ScalingConfig(
            num_workers=cfg.ray.num_workers,
            use_gpu=cfg.ray.use_gpu,
            resources_per_worker={"CPU": cfg.ray.cpus_per_worker},
        ),
        torch_config=TorchConfig(backend="nccl" if cfg.ray.use_gpu else "gloo"),
        run_config=ray.train.RunConfig(name=name, storage_path=str(Path(cfg.ray.storage).resolve())),
    )
    return dict(trainer.fit().return_value or {})


def ensure_stage1(
    cfg: TrialConfig, uri: str, exp_id: str, w: WorkerConfig, parent_run_id: str | None = None
) -> tuple[Path, dict, bool]:
    """The stage-1 entry for this config: trained now (own MLflow run) or found in the cache."""
    key = stage1_key(cfg)

    def train(tmp: Path) -> dict[str, Any]:
        tags = {"biasgen.role": "stage1", "biasgen.stage1_key": key}
        if parent_run_id:
            tags["mlflow.parentRunId"] = parent_run_id
        # a stage 1 that failed or was killed mid-way: its run is replaced, not continued
        with tracking.open_run(
            uri, exp_id, f"stage1-{key}", flatten(cfg), tags, replace=tags, reason=failure_reason
        ) as run_id:
            metrics = _fit(stage1_worker, replace(w, run_id=run_id, stage1_dir=str(tmp)), cfg, f"stage1-{key}")
        return {"key": key, "run_id": run_id, "metrics": metrics}

    path = entry(cfg, key)
    record, hit = build_once(path, train)
    return path, record, hit


def run_trial(
    cfg: TrialConfig,
    run_name: str | None = None,
    tags: dict[str, str] | None = None,
    parent_run_id: str | None = None,
    progress_dir: str | None = None,
) -> TrialResult:
    """One trial: the data, then stage 1 (or its cache entry), then stage 2 with the evaluation, in one MLflow
    run. Inside a sweep (``parent_run_id``) a rerun of a failed or killed trial replaces its run.
    ``progress_dir``: where the trial reports its stage for the console's live view (``trainer.progress``)."""
    uri = tracking.resolve_uri(cfg.tracking.uri)
    exp_id = tracking.experiment_id(uri, cfg.tracking.experiment, cfg.tracking.artifact_location)
    name = run_name or default_run_name(cfg)
    run_tags = {"biasgen.role": "trial", "biasgen.trial_key": trial_key(cfg), **(tags or {})}
    match = None
    if parent_run_id:
        run_tags["mlflow.parentRunId"] = parent_run_id
        match = {"mlflow.parentRunId": parent_run_id, "biasgen.trial_key": run_tags["biasgen.trial_key"]}
    with tracking.open_run(uri, exp_id, name, flatten(cfg), run_tags, replace=match, reason=failure_reason) as run_id:
        out_dir = (Path(cfg.output_dir) / f"{name}-{run_id[:8]}").resolve()
        report = progress.activate(progress.Reporter(progress_dir, name))
        report.stage("data")
        data = build_all(cfg)
        check_batches(cfg, data.summary)
        _log_data(uri, run_id, data.summary, cfg)
        w = WorkerConfig(
            cfg=to_dict(cfg),
            data=data.summary,
            tracking_uri=uri,
            run_id=run_id,
            stage1_dir="",
            out_dir=str(out_dir),
            run_name=name,
            progress_dir=progress_dir,
        )
        c = tracking.client(uri)
        try:
            with ray_session(cfg.ray):
                report.stage("stage1")
                s1_path, s1, hit = ensure_stage1(cfg, uri, exp_id, w, parent_run_id)
                c.set_tag(run_id, "biasgen.key.stage1_model", s1["key"])
                c.set_tag(run_id, "biasgen.stage1_cache", "hit" if hit else "miss")
                c.set_tag(run_id, "biasgen.stage1_run_id", s1["run_id"])
                metrics = _fit(stage2_worker, replace(w, stage1_dir=str(s1_path)), cfg, f"{name}-{run_id[:8]}")
        except Exception as e:  # Ray's wrappers: the run's error tag and the user's line say the root cause
            raise TrialError(failure_reason(e)) from None
    report.stage("done")
    return TrialResult(run_id, exp_id, uri, metrics, out_dir, stage1_hit=hit)


def _log_data(uri: str, run_id: str, summary: dict[str, Any], cfg: TrialConfig) -> None:
    """The built data on the trial's run: its hash (a param), the corpus as a dataset input (the UI's Dataset
    column and filter), the cache keys (tags) and the summary (data_summary.json)."""
    c = tracking.client(uri)
    c.log_param(run_id, "data.hash", summary["hash"])
    tracking.log_corpus_input(uri, run_id, summary, cfg)
    for k, v in summary["keys"].items():
        c.set_tag(run_id, f"biasgen.key.{k}", v)
    c.log_dict(
        run_id,
        {
            k: summary[k]
            for k in (
                "hash",
                "mix_requested",
                "mix_actual",
                "tokens",
                "documents",
                "distinct_4gram_ratio",
                "biases",
                "finetune",
                "eval",
                "keys",
            )
        },
        "data_summary.json",
    )
