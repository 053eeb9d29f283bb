"""Slurm job configuration (``configs/cluster/slurm.yaml`` + ``key=value``), validated before anything is
rendered or submitted: every value that reaches an ``#SBATCH`` line must match a strict pattern (no spaces,
quotes, ``$``, backticks or ``;``), and the sweep's trials must fit one node."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from sweeps.config import SweepConfig, load_sweep, trial_configs
from trainer.config import ConfigError, RayConfig, TrialConfig, load_config, option
from trainer.runtime_env import CONFIGS_DIR

DEFAULT = CONFIGS_DIR / "cluster" / "slurm.yaml"  # configs/cluster/ of the checkout, or the installed copy

# What sbatch itself accepts in these fields, and nothing a shell would act on.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
CONSTRAINT = re.compile(r"^[A-Za-z0-9_.&|,:*\[\]()-]+$")
TIME = re.compile(r"^(\d+-)?\d+(:\d{1,2}){0,2}$")
MEM = re.compile(r"^\d+[KMGT]?$")
SBATCH_EXTRA = re.compile(r"^--?[A-Za-z][A-Za-z0-9-]*(=[A-Za-z0-9_.,:/%@+=*\[\]-]+)?$")


@dataclass
class SlurmConfig:
    sweep: str = option("demo", help="the sweep to run: a YAML file or a name under configs/sweeps/")
    sweep_overrides: List[str] = option(
        [], help="key=value overrides of the sweep config, e.g. max_concurrent=4", allow_empty=True
    )
    job_name: str = option("biasgen", help="Slurm job name")
    partition: Optional[str] = option(None, help="Slurm partition (required)")
    account: str = option("", help="Slurm account (empty: your default)")
    qos: str = option("", help="quality of service (empty: the partition's default)")
    constraint: str = option("", help="node features, e.g. a100&ib")
    nodes: int = option(1, lo=1, hi=4096, help="nodes; one Ray node per Slurm node")
    gpus_per_node: int = option(0, lo=0, hi=64, help="GPUs per node (--gpus-per-node)")
    cpus_per_node: int = option(2, lo=1, hi=4096, help="CPUs per node (--cpus-per-task of the one task per node)")
    mem: str = option("", help="memory per node, e.g. 64G (empty: the partition's default)")
    time: str = option("01:00:00", help="time limit, [D-]HH:MM:SS")
    extra_sbatch: List[str] = option(
        [], help="further sbatch options, e.g. ['--exclusive', '--mail-type=END']", allow_empty=True
    )
    setup: List[str] = option(
        [], help="shell lines run first in the job: module load, activate an environment", allow_empty=True
    )
    python: str = option(
        "",
        help="the interpreter the job runs launch.py with, after setup (empty: the one running "
        "submit, by absolute path; name one, e.g. python, when setup activates another)",
    )
    requeue: bool = option(True, help="requeue on preemption or when the time limit nears; the sweep resumes")
    signal_lead_s: int = option(120, lo=10, hi=3600, help="SIGUSR1 this long before the time limit: requeue and stop")
    job_dir: str = option("slurm-jobs", help="shared-filesystem folder for job state (one subfolder per sweep)")
    ray_port: int = option(0, lo=0, hi=65000, help="Ray head port; 0 = 20000 + 100 x (job id mod 400)")
    tracking_uri: str = option("", help="MLflow store; empty: an MLflow server on the head node over job_dir")
    mlflow_port: int = option(0, lo=0, hi=65535, help="that server's port; 0 = the Ray port + 90")
    check_s: float = option(
        10.0,
        lo=0.0,
        hi=600.0,
        help="after sbatch, watch the job this long and fail if it "
        "fails at once (a broken environment); 0 = don't wait",
    )
    dry_run: bool = option(False, help="print the script instead of submitting it")


@dataclass
class JobPlan:
    """A validated request: the config, the sweep it runs and what one trial needs."""

    cfg: SlurmConfig
    sweep: SweepConfig
    trial: TrialConfig
    job_dir: Path


def _check_field(key: str, value: str, pattern: re.Pattern, what: str) -> None:
    if value and not pattern.match(value):
        raise ConfigError(f"{key}: expected {what}, got {value!r} (no spaces, quotes or shell metacharacters)")


def load_slurm(path: str | Path | None, overrides: list[str]) -> JobPlan:
    cfg: SlurmConfig = load_config(path if path is not None else DEFAULT, overrides, schema=SlurmConfig)
    if not cfg.partition:
        raise ConfigError(
            "partition: required (the Slurm partition to submit to, e.g. partition=gpu; `sinfo -s` lists them)"
        )
    _check_field("partition", cfg.partition, NAME, "a partition name")
    _check_field("account", cfg.account, NAME, "an account name")
    _check_field("qos", cfg.qos, NAME, "a QOS name")
    _check_field("job_name", cfg.job_name, NAME, "letters, digits, '_', '.', '+', '-'")
    _check_field("constraint", cfg.constraint, CONSTRAINT, "a feature expression like a100&ib")
    _check_field("time", cfg.time, TIME, "[D-]HH:MM:SS, MM:SS or minutes")
    _check_field("mem", cfg.mem, MEM, "a size like 64G")
    for i, opt in enumerate(cfg.extra_sbatch):
        _check_field(f"extra_sbatch[{i}]", opt, SBATCH_EXTRA, "one sbatch option like --exclusive or --mail-type=END")
    for i, line in enumerate(cfg.setup):
        if "\n" in line or "\r" in line:
            raise ConfigError(f"setup[{i}]: expected one shell line, got {line!r}")
    if cfg.python and not re.match(r"^[A-Za-z0-9_./~+-]+$", cfg.python):
        raise ConfigError(f"python: expected an interpreter path, got {cfg.python!r}")
    if not cfg.python:  # the environment that could load this config is the one the job needs
        if not sys.executable:
            raise ConfigError(
                "python: this interpreter does not know its own path (sys.executable is empty); "
                "set python=/path/to/python"
            )
        cfg.python = os.path.abspath(sys.executable)  # not resolved: a venv's python must stay the venv's
    sweep = load_sweep(cfg.sweep, cfg.sweep_overrides)
    trial = trial_configs(sweep)[0]  # every point validated (and duplicates refused) before anything is written
    r = trial.ray
    if r.use_gpu and r.num_workers > cfg.gpus_per_node:
        raise ConfigError(
            f"a trial needs {r.num_workers} GPUs (ray.num_workers={r.num_workers} with ray.use_gpu) "
            f"but a node has gpus_per_node={cfg.gpus_per_node}: lower ray.num_workers or ask for more GPUs"
        )
    if r.num_workers * r.cpus_per_worker > cfg.cpus_per_node:
        raise ConfigError(
            f"a trial needs {r.num_workers * r.cpus_per_worker} CPUs (ray.num_workers={r.num_workers} x "
            f"ray.cpus_per_worker={r.cpus_per_worker}) but a node has cpus_per_node={cfg.cpus_per_node}"
        )
    if r.address:
        raise ConfigError("ray.address: must be empty in a Slurm job (the job starts its own Ray cluster)")
    job_dir = Path(cfg.job_dir)
    job_dir = (job_dir if job_dir.is_absolute() else Path.cwd() / job_dir).resolve() / sweep.name
    return JobPlan(cfg, sweep, trial, job_dir)


def slots_per_node(cfg: SlurmConfig, r: RayConfig) -> int:
    """Trials that fit on one node at once: the node's CPUs (and GPUs) over one trial's (``r``: its ray section)."""
    by_cpu = cfg.cpus_per_node // (r.num_workers * r.cpus_per_worker)
    if r.use_gpu:
        return max(1, min(by_cpu, cfg.gpus_per_node // r.num_workers))
    return max(1, by_cpu)
