"""One trial, on the driver (the process that launched it; driver side): build the data, open the MLflow
run, run each stage on the trial's worker group (``trainer/worker_group.py``: the same ``ray.num_workers``
processes for both stages, ``trainer/trial/worker.py`` in each, DeepSpeed inside), close the run as FINISHED,
FAILED or KILLED."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import progress, timeline, tracking
from ..config import TrialConfig, flatten, to_dict
from ..corpus.build import build_all
from ..errors import UserError
from ..keys import stage1_key, trial_key
from ..ray_session import ray_session
from ..stage1_cache import build_once, entry
from ..worker_group import WorkerGroup
from .failure import failure_reason
from .worker_config import WorkerConfig

# the worker side, named rather than imported: the driver (a sweep's trial process too) never loads torch
STAGE1, STAGE2 = "trainer.trial.worker:stage1_worker", "trainer.trial.worker:stage2_worker"


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


def ensure_stage1(
    cfg: TrialConfig, uri: str, exp_id: str, w: WorkerConfig, group: WorkerGroup, parent_run_id: str | None = None
) -> tuple[Path, dict, bool]:
    """The stage-1 entry for this config: trained now by ``group`` (own MLflow run) or found in the cache."""
    key = stage1_key(cfg)

    def train(tmp: Path) -> dict[str, Any]:
        tags = {"biasgen.role": "stage1", "biasgen.stage1_key": key}
        if parent_run_id:
            tags["mlflow.parentRunId"] = parent_run_id
        # a stage 1 that failed or was killed mid-way: its run is replaced, not continued
        with tracking.open_run(
            uri, exp_id, f"stage1-{key}", flatten(cfg), tags, replace=tags, reason=failure_reason
        ) as run_id:
            metrics = group.run(STAGE1, replace(w, run_id=run_id, stage1_dir=str(tmp)).loop_config())
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
    group: WorkerGroup | None = None,
) -> TrialResult:
    """One trial: the data, then stage 1 (or its cache entry), then stage 2 with the evaluation, in one MLflow
    run. Inside a sweep (``parent_run_id``) a rerun of a failed or killed trial replaces its run.
    ``progress_dir``: where the trial reports its stage for the console's live view (``trainer.progress``).
    ``group``: worker processes to run both stages in, kept running afterwards (a sweep's trial process passes
    the same group to each of its trials, ``sweeps/runner.py``); None = a group of the trial's own."""
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
        timeline.mark("trial_start", trial=name)
        if group is not None:  # a sweep slot's: its ranks start and warm up (the first time) while the data is built
            group.start_in_background(warm=to_dict(cfg))
        data = build_all(cfg)
        check_batches(cfg, data.summary)
        _log_data(uri, run_id, data.summary, cfg)
        timeline.mark("data_ready")
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
            # one group for both stages; a trial's own starts on first use: under the stage-1 lock on a miss (a
            # trial waiting for another's stage 1 holds no workers), for stage 2 alone on a hit
            ranks = nullcontext(group) if group else WorkerGroup(cfg.ray, name=f"{name}-{run_id[:8]}")
            with ray_session(cfg.ray), ranks as group:
                report.stage("stage1")
                s1_path, s1, hit = ensure_stage1(cfg, uri, exp_id, w, group, parent_run_id)
                c.set_tag(run_id, "biasgen.key.stage1_model", s1["key"])
                c.set_tag(run_id, "biasgen.stage1_cache", "hit" if hit else "miss")
                c.set_tag(run_id, "biasgen.stage1_run_id", s1["run_id"])
                metrics = group.run(STAGE2, replace(w, stage1_dir=str(s1_path)).loop_config())
        except Exception as e:  # Ray's wrappers: the run's error tag and the user's line say the root cause
            raise TrialError(failure_reason(e)) from None
    timeline.mark("trial_end")
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
