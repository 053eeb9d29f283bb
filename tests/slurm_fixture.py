"""A real single-node Slurm for tests: ``cluster/local_slurm.sh`` in a private state dir.

conftest.py registers the fixture ``local_slurm`` once for every test module (a module that bound it itself
would get a cluster of its own); a test asks for it by name and imports the helpers it calls::

    from slurm_fixture import job_state, sbatch, wait_job

``local_slurm`` (session scope) starts munged, slurmctld and slurmd in a temporary state dir on free
ports, yields ``{"SLURM_CONF": ..., "dir": Path, "jobcomp": Path, "env": dict}`` and stops them at the end.
It skips only when the Slurm/munge packages are missing and apt-get cannot install them (exit status 4
of the script); any other failure to start fails the test, with the daemons' last log lines.
"""

from __future__ import annotations

import os
import random
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = REPO_ROOT / "cluster" / "local_slurm.sh"
EXIT_CANNOT_INSTALL = 4  # cluster/local_slurm.sh: packages missing, apt-get could not install them

# states after which a job never runs again (unless requeued by hand)
FINAL_STATES = {
    "COMPLETED",
    "FAILED",
    "CANCELLED",
    "TIMEOUT",
    "NODE_FAIL",
    "OUT_OF_MEMORY",
    "PREEMPTED",
    "BOOT_FAIL",
    "DEADLINE",
}


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port_pair() -> int:
    """A port p with p and p+1 free (SlurmctldPort, SlurmdPort), outside the ephemeral range."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 30000, 2)
        if _port_free(port) and _port_free(port + 1):
            return port
    raise RuntimeError("no two free consecutive ports in 20000-30000")


def _run_script(action: str, state_dir: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPT), action, "--dir", str(state_dir)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _processes_using(state_dir: Path) -> list[str]:
    """Live processes whose command line names the state dir (munged, slurmctld, slurmd)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(state_dir) in cmdline:
            found.append(f"{proc.name}: {cmdline.strip()}")
    return found


@pytest.fixture(scope="session")
def local_slurm(tmp_path_factory):
    state_dir = tmp_path_factory.mktemp("slurm")
    env = {**os.environ, "BIASGEN_SLURM_PORT": str(_free_port_pair())}
    env.pop("BIASGEN_SLURMD_PORT", None)
    started = _run_script("start", state_dir, env, timeout=300)
    if started.returncode == EXIT_CANNOT_INSTALL:
        pytest.skip(f"Slurm is not installed and apt-get could not install it:\n{started.stderr}")
    if started.returncode != 0:
        stopped = _run_script("stop", state_dir, env, timeout=120)  # whatever did start
        pytest.fail(
            f"cluster/local_slurm.sh start failed (exit {started.returncode}):\n{started.stderr}"
            f"\n(stop: exit {stopped.returncode} {stopped.stderr})",
            pytrace=False,
        )
    conf = str(state_dir / "slurm.conf")
    assert f"export SLURM_CONF={conf}" in started.stdout, started.stdout
    try:
        yield {
            "SLURM_CONF": conf,
            "dir": state_dir,
            "jobcomp": state_dir / "log" / "jobcomp.txt",
            "env": {**os.environ, "SLURM_CONF": conf},
        }
    finally:
        stopped = _run_script("stop", state_dir, env, timeout=120)
        left = _processes_using(state_dir)
        assert stopped.returncode == 0 and not left, (
            f"cluster/local_slurm.sh stop failed (exit {stopped.returncode}):\n{stopped.stderr}\nprocesses left: {left}"
        )


def slurm_cmd(slurm: dict, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run a Slurm client command against the local cluster."""
    return subprocess.run(list(args), env=slurm["env"], check=False, capture_output=True, text=True, timeout=timeout)


def sbatch(slurm: dict, *args: str, cwd: Path | None = None) -> int:
    """Submit with ``sbatch --parsable ARGS``; returns the job id."""
    out = subprocess.run(
        ["sbatch", "--parsable", *args],
        env=slurm["env"],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, f"sbatch {' '.join(args)} failed: {out.stderr}"
    return int(out.stdout.strip().split(";")[0])


def scontrol_job(slurm: dict, job_id: int) -> dict[str, str] | None:
    """``scontrol show job -o`` as a dict, or None once slurmctld no longer knows the job."""
    out = slurm_cmd(slurm, "scontrol", "show", "job", "-o", str(job_id))
    if out.returncode != 0 or "JobState=" not in out.stdout:
        return None
    return dict(m.groups() for m in re.finditer(r"(\w+)=(\S*)", out.stdout))


def jobcomp_state(slurm: dict, job_id: int) -> str | None:
    """The job's state in the last record the jobcomp file has for it (a requeue writes one too)."""
    path = Path(slurm["jobcomp"])
    if not path.exists():
        return None
    state = None
    for line in path.read_text().splitlines():
        if re.search(rf"\bJobId={job_id}\b", line):
            m = re.search(r"\bJobState=(\S+)", line)
            state = m.group(1) if m else state
    return state


def job_state(job_id: int, slurm: dict) -> str | None:
    """Current state: ``scontrol show job`` while slurmctld keeps the record (MinJobAge=600 s),
    else the jobcomp file (there is no slurmdbd, so no sacct)."""
    info = scontrol_job(slurm, job_id)
    if info is not None:
        return info["JobState"]
    return jobcomp_state(slurm, job_id)


def wait_job(job_id: int, slurm: dict, timeout: float = 60, states=FINAL_STATES) -> str:
    """Wait until the job reaches one of ``states``; returns it."""
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        state = job_state(job_id, slurm)
        if state in states:
            return state
        time.sleep(0.2)
    info = scontrol_job(slurm, job_id)
    raise AssertionError(f"job {job_id} not in {sorted(states)} after {timeout}s: {state}; {info}")
