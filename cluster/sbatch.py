"""Render the sbatch script of a sweep and submit it.

The script is thin on purpose: ``#SBATCH`` lines, the user's set-up lines, then ``exec python launch.py
slurm-job JOB_DIR``, which does the work in Python (:mod:`cluster.job`). ``exec`` makes that process the
batch step's main process, so Slurm's signals reach it directly.
"""
from __future__ import annotations

import re
import shlex
import subprocess
import time
from pathlib import Path

from trainer.atomic import atomic_write
from trainer.config import ConfigError, to_yaml
from trainer.runtime_env import REPO_ROOT

from .config import JobPlan

SAFE_PATH = re.compile(r"^[A-Za-z0-9_./+@%=,:-]+$")  # what may stand unquoted in an #SBATCH line


class SubmitError(RuntimeError):
    """sbatch refused the job: one line, exit status 2."""


def render(plan: JobPlan) -> str:
    c = plan.cfg
    if not SAFE_PATH.match(str(plan.job_dir)):
        raise ConfigError(f"job_dir: {str(plan.job_dir)!r} has characters an #SBATCH line cannot carry "
                          "(spaces, quotes, shell metacharacters); choose a plain path")
    opts = [f"--job-name={c.job_name}", f"--partition={c.partition}", f"--nodes={c.nodes}", "--ntasks-per-node=1",
            f"--cpus-per-task={c.cpus_per_node}", f"--time={c.time}",
            f"--output={plan.job_dir}/slurm-%j.out", "--open-mode=append",
            "--requeue" if c.requeue else "--no-requeue", f"--signal=B:USR1@{c.signal_lead_s}"]
    if c.gpus_per_node:
        opts.append(f"--gpus-per-node={c.gpus_per_node}")
    for flag, value in (("mem", c.mem), ("account", c.account), ("qos", c.qos), ("constraint", c.constraint)):
        if value:
            opts.append(f"--{flag}={value}")
    opts += list(c.extra_sbatch)
    lines = ["#!/bin/bash"] + [f"#SBATCH {o}" for o in opts] + [
        f"# biasgen sweep {plan.sweep.name!r}, written by `launch.py submit slurm` on {time.strftime('%Y-%m-%d %H:%M:%S')}.",
        f"# Job state (configs, Ray token, MLflow store, logs): {plan.job_dir}",
        "set -eo pipefail",
    ]
    lines.append(f"cd {shlex.quote(str(REPO_ROOT))}")
    if c.setup:
        lines += ["# set-up lines from the config (run in the repository):"] + list(c.setup)
    lines += [f"exec {shlex.quote(c.python)} launch.py slurm-job {shlex.quote(str(plan.job_dir))}", ""]
    return "\n".join(lines)


def write_text(path: Path, text: str) -> None:
    with atomic_write(path) as f:
        f.write(text)


def prepare(plan: JobPlan) -> Path:
    """Write the job folder's configs and script (each file atomically); returns the script's path."""
    plan.job_dir.mkdir(parents=True, exist_ok=True)
    write_text(plan.job_dir / "slurm.yaml", to_yaml(plan.cfg))
    write_text(plan.job_dir / "sweep.yaml", to_yaml(plan.sweep))
    script = plan.job_dir / "job.sbatch"
    write_text(script, render(plan))
    return script


def submit(script: Path, env: dict | None = None) -> str:
    try:
        r = subprocess.run(["sbatch", "--parsable", str(script)], capture_output=True, text=True, timeout=120, env=env)
    except FileNotFoundError:
        raise SubmitError("sbatch not found: run this on a Slurm login node (or start cluster/local_slurm.sh)") from None
    if r.returncode != 0:
        msg = (r.stderr.strip() or r.stdout.strip()).splitlines()
        raise SubmitError(f"sbatch refused the job: {msg[-1] if msg else f'exit status {r.returncode}'}")
    return r.stdout.strip().split(";")[0]
