"""Process environment defaults that every entry point (CLI, tests, Ray workers) must share, and where the
code and its shipped configs are.

Values the user has set win.  Hub access is off unless asked for; DeepSpeed's JIT-built ops go to a
per-checkout directory so two checkouts never rebuild over each other's cache (an installed biasgen leaves
torch's own per-user default).

biasgen runs from a checkout (``python launch.py``, or an editable install) or from an installed wheel (the
``biasgen`` command).  The shipped configs (model ladder, sweep files, the Slurm defaults and the trial
configs they name) have one home in git, the repository's ``configs/``, which the docs and the user's
``--config configs/...`` name; the wheel carries that folder as the package data ``trainer/configs/``
(``setup.cfg``: ``package_dir``), so an install finds them without the checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

# The folder holding trainer/, sweeps/ and cluster/: the checkout, or site-packages for an installed wheel.
# Paths relative to it (trainer/corpus/...) read the same in both, so the data cache's code hash agrees.
REPO_ROOT = Path(__file__).resolve().parent.parent
_PACKAGED_CONFIGS = Path(__file__).resolve().parent / "configs"  # where the wheel puts configs/; absent in git
INSTALLED = _PACKAGED_CONFIGS.is_dir()  # an installed wheel, not a checkout (nor an editable install of one)
CONFIGS_DIR = _PACKAGED_CONFIGS if INSTALLED else REPO_ROOT / "configs"


def repo_file(path: str | Path) -> Path:
    """``path`` if it exists; else a relative path read as the repository names it, from any directory:
    ``configs/...`` is the shipped config (in a checkout or an install), anything else is under
    :data:`REPO_ROOT`.  Unchanged when neither exists, so an error names the path the user gave."""
    p = Path(path)
    if p.exists() or p.is_absolute() or not p.parts:
        return p
    there = CONFIGS_DIR.joinpath(*p.parts[1:]) if p.parts[0] == "configs" else REPO_ROOT / p
    return there if there.exists() else p


def defaults() -> dict[str, str]:
    per_checkout = {} if INSTALLED else {"TORCH_EXTENSIONS_DIR": str(REPO_ROOT / ".cache" / "torch_extensions")}
    return {
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        **per_checkout,  # never site-packages, which may be read-only
        "RAY_AUTH_MODE": "token",
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
