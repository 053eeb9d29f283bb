"""Process environment defaults that every entry point (CLI, tests, Ray workers) must share.

Values the user has set win.  Hub access is off unless asked for; DeepSpeed's JIT-built ops go to a
per-checkout directory so two checkouts never rebuild over each other's cache.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def defaults() -> dict[str, str]:
    return {
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "TORCH_EXTENSIONS_DIR": str(REPO_ROOT / ".cache" / "torch_extensions"),
        "RAY_AUTH_MODE": "token",
        "RAY_TRAIN_HEALTH_CHECK_INTERVAL_S": "0.2",
        "RAY_USAGE_STATS_ENABLED": "0",
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        "TRANSFORMERS_VERBOSITY": "error",
        "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",  # one bar per downloaded artifact floods the analysis output
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "RAY_DEDUP_LOGS": "1",
        "RAY_CHDIR_TO_TRIAL_DIR": "0",  # Tune trials keep the driver's working directory
    }


def apply_defaults() -> dict[str, str]:
    """Set every default the user has not set; returns the resulting values (for Ray runtime_env)."""
    for key, value in defaults().items():
        os.environ.setdefault(key, value)
    return {k: os.environ[k] for k in defaults()}
