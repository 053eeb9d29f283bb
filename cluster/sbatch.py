"""Render the sbatch script of a sweep and submit it.

The script is thin on purpose: ``#SBATCH`` lines, the user's set-up lines, then ``exec PYTHON launch.py
slurm-job JOB_DIR``, which does the work in Python (:mod:`cluster.job`). ``exec`` makes that process the
batch step's main process, so Slurm's signals reach it directly. PYTHON is by default the interpreter that
ran ``submit``: a node's bare ``python`` is rarely the environment the project is installed in.  From a
checkout the job runs in it (``cd`` there, ``launch.py``); an installed biasgen has no checkout, so the job
runs ``PYTHON -P -m biasgen`` in the directory ``submit`` ran in, where relative paths meant what they mean.

sbatch accepting a job says nothing about whether it can run; :func:`check_started` watches its first
seconds so that a job that dies at once (wrong interpreter, missing module, unwritable folder) is reported
by ``submit`` with its log, not discovered later in the queue's history.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from trainer.atomic import atomic_write
from trainer.config import ConfigError, to_yaml
from trainer.errors import UserError
from trainer.runtime_env import INSTALLED, REPO_ROOT

from .config import JobPlan

SAFE_PATH = re.compile(r"^[A-Za-z0-9_./+@%=,:-]+$")  # what may stand unquoted in an #SBATCH line


class SubmitError(UserError, RuntimeError):
    """sbatch refused the job: one line, exit status 2."""


def render(plan: JobPlan) -> str:
    c = plan.cfg
    if not SAFE_PATH.match(str(plan.job_dir)):
        raise ConfigError(
            f"job_dir: {str(plan.job_dir)!r} has characters an #SBATCH line cannot carry "
            "(spaces, quotes, shell metacharacters); choose a plain path"
        )
    opts = [
        f"--job-name={c.job_name}",
        f"--partition={c.partition}",
        f"--nodes={c.nodes}",
        "--ntasks-per-node=1",
        f"--cpus-per-task={c.cpus_per_node}",
        f"--time={c.time}",
        f"--output={plan.job_dir}/slurm-%j.out",
        "--open-mode=append",
        "--requeue" if c.requeue else "--no-requeue",
        f"--signal=B:USR1@{c.signal_lead_s}",
    ]
    if c.gpus_per_node:
        opts.append(f"--gpus-per-node={c.gpus_per_node}")
    for flag, value in (("mem", c.mem), ("account", c.account), ("qos", c.qos), ("constraint", c.constraint)):
        if value:
            opts.append(f"--{flag}={value}")
    opts += list(c.extra_sbatch)
    lines = (
        ["#!/bin/bash"]
        + [f"#SBATCH {o}" for o in opts]
        + [
            f"# biasgen sweep {plan.sweep.name!r}, written by `{'biasgen' if INSTALLED else 'launch.py'} submit "
            f"slurm` on "
            f"{time.strftime('%Y-%m-%d %H:%M:%S')}.",
            f"# Job state (configs, Ray token, MLflow store, logs): {plan.job_dir}",
            "set -eo pipefail",
        ]
    )
    # -P: the folder submit ran in is not put on the path, where a folder named like a package would shadow it
    workdir, cli = (os.getcwd(), "-P -m biasgen") if INSTALLED else (str(REPO_ROOT), "launch.py")
    lines.append(f"cd {shlex.quote(workdir)}")
    if c.setup:
        where = "where submit ran" if INSTALLED else "in the repository"
        lines += [f"# set-up lines from the config (run {where}):"] + list(c.setup)
    lines += [f"exec {shlex.quote(c.python)} {cli} slurm-job {shlex.quote(str(plan.job_dir))}", ""]
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
        raise SubmitError(
            "sbatch not found: run this on a Slurm login node (or start cluster/local_slurm.sh)"
        ) from None
    if r.returncode != 0:
        msg = (r.stderr.strip() or r.stdout.strip()).splitlines()
        raise SubmitError(f"sbatch refused the job: {msg[-1] if msg else f'exit status {r.returncode}'}")
    return r.stdout.strip().split(";")[0]


# A job in one of these within check_s of its submission failed to start; "COMPLETED" with a non-zero exit
# code counts too (a batch script's exit status).
FAILED_STATES = {"FAILED", "CANCELLED", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "TIMEOUT", "DEADLINE"}
ENDED_STATES = FAILED_STATES | {"COMPLETED", "PREEMPTED"}
LOG_LINES = 10  # of the job's log, shown when it failed at start


@dataclass
class JobStatus:
    """What Slurm says about a job; ``state`` is None when no Slurm command could tell."""

    state: str | None
    exit_code: str = ""  # "status:signal", once the job ended
    reason: str = ""  # why it is pending or why it ended, when Slurm gives one
    source: str = ""  # scontrol, sacct, or why neither answered

    @property
    def failed(self) -> bool:
        return self.state in FAILED_STATES or (self.state == "COMPLETED" and self.exit_code not in ("", "0:0"))


def _run(args: list[str], env: dict | None) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=30, env=env)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None


def job_status(job_id: str, env: dict | None = None) -> JobStatus:
    """``scontrol show job`` while slurmctld holds the record (MinJobAge after the end), else ``sacct``
    (clusters with accounting); a cluster with neither can lose a finished job's state."""
    r = _run(["scontrol", "show", "job", "-o", str(job_id)], env)
    if r is not None and r.returncode == 0 and "JobState=" in r.stdout:
        f = dict(m.groups() for m in re.finditer(r"(\w+)=(\S*)", r.stdout))
        reason = f.get("Reason", "")
        return JobStatus(f["JobState"], f.get("ExitCode", ""), "" if reason == "None" else reason, "scontrol")
    why = "scontrol not found" if r is None else (r.stderr.strip() or r.stdout.strip() or f"exit status {r.returncode}")
    a = _run(["sacct", "-n", "-X", "-P", "-j", str(job_id), "-o", "State,ExitCode,Reason"], env)
    rows = [line.split("|") for line in (a.stdout.splitlines() if a is not None and a.returncode == 0 else [])]
    rows = [row for row in rows if len(row) == 3 and row[0]]
    if rows:
        state, exit_code, reason = rows[-1]
        return JobStatus(state.split()[0], exit_code, "" if reason == "None" else reason, "sacct")  # "CANCELLED by 0"
    return JobStatus(None, source=why.splitlines()[-1] if why else "no answer")


def check_started(job_id: str, wait_s: float, env: dict | None = None, poll_s: float = 0.5) -> JobStatus:
    """Watch a just-submitted job for up to ``wait_s`` seconds; returns its status at the end of the wait, or
    as soon as it has ended (failed or not). A job still PENDING or RUNNING then is taken as started."""
    deadline = time.monotonic() + wait_s
    last = JobStatus(None, source="not asked")
    while True:
        now = job_status(job_id, env)
        if now.state is not None or last.state is None:  # a record that vanishes keeps the last one seen
            last = now
        if last.state in ENDED_STATES or time.monotonic() >= deadline:
            return last
        time.sleep(max(0.0, min(poll_s, deadline - time.monotonic())))


def log_tail(path: Path, lines: int = LOG_LINES) -> list[str]:
    """The last non-blank lines of a job's log ([] when there is none)."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return []
    return [line.rstrip() for line in text.splitlines() if line.strip()][-lines:]


def start_failure(job_id: str, status: JobStatus, log: Path) -> str:
    """The report of a job that failed at start: one line naming the state and the log, then the log's end."""
    detail = ", ".join(
        x
        for x in (
            status.state,
            status.exit_code and f"exit code {status.exit_code}",
            status.reason and f"reason {status.reason}",
        )
        if x
    )
    tail = log_tail(log)
    if not tail:
        return (
            f"job {job_id} failed at start ({detail}); its log {log} is missing or empty (did it run? "
            f"`scontrol show job {job_id}`; job_dir must be on a filesystem the nodes see)"
        )
    return "\n".join(
        [
            f"job {job_id} failed at start ({detail}); the last lines of its log {log}:",
            *(f"    {line}" for line in tail),
        ]
    )
