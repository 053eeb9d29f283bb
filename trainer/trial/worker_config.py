"""What crosses from a trial's driver to its ranks (its own module: the driver imports it without torch)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WorkerConfig:
    """What the driver hands every rank for one stage (as a plain dict, ``loop_config``)."""

    cfg: dict[str, Any]  # the trial config as plain data (config.to_dict)
    data: dict[str, Any]  # the built data's summary: paths, the bias split, keys
    tracking_uri: str
    run_id: str  # the MLflow run rank 0 logs this stage into: the stage-1 run, or the trial's run for stage 2
    stage1_dir: str  # the stage-1 cache entry: stage 1 writes it (a temp folder), stage 2 starts from it
    out_dir: str  # where stage 2 saves the fine-tuned model
    run_name: str  # the trial's name, for the console's live view
    progress_dir: str | None = None  # where rank 0 reports progress (trainer.progress); None = nowhere

    def loop_config(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
