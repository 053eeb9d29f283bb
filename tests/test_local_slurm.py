"""The local single-node Slurm (cluster/local_slurm.sh): real daemons, real jobs."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
from slurm_fixture import (
    SCRIPT,
    job_state,
    jobcomp_state,
    sbatch,
    scontrol_job,
    slurm_cmd,
    wait_job,
)

pytestmark = [pytest.mark.slurm, pytest.mark.e2e, pytest.mark.timeout(180)]


def test_wrapped_job_completes(local_slurm, tmp_path):
    status = subprocess.run(
        ["bash", str(SCRIPT), "status", "--dir", str(local_slurm["dir"])],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert status.returncode == 0, status.stdout + status.stderr
    assert "idle" in status.stdout

    out = tmp_path / "job.out"
    job = sbatch(local_slurm, "-o", str(out), "--wrap", "sleep 1; echo hi from $SLURM_JOB_ID")
    assert wait_job(job, local_slurm, timeout=60) == "COMPLETED"
    info = scontrol_job(local_slurm, job)
    assert info["ExitCode"] == "0:0"
    assert out.read_text().strip() == f"hi from {job}"
    # the record without slurmctld's memory: the jobcomp file
    assert jobcomp_state(local_slurm, job) == "COMPLETED"

    failing = sbatch(local_slurm, "-o", "/dev/null", "--wrap", "exit 3")
    assert wait_job(failing, local_slurm, timeout=60) == "FAILED"
    assert scontrol_job(local_slurm, failing)["ExitCode"] == "3:0"


def test_srun_steps_inside_a_job(local_slurm, tmp_path):
    out = tmp_path / "steps.out"
    job = sbatch(
        local_slurm, "-n", "2", "-o", str(out), "--wrap", "srun hostname; srun -n1 bash -c 'echo step=$SLURM_STEP_ID'"
    )
    assert wait_job(job, local_slurm, timeout=60) == "COMPLETED"
    lines = out.read_text().split()
    assert lines == [socket.gethostname().split(".")[0]] * 2 + ["step=1"], lines


def test_requeued_job_restarts_and_completes(local_slurm, tmp_path):
    marker = tmp_path / "runs.txt"
    out = tmp_path / "requeue.out"
    # first run waits to be requeued; the restarted one (SLURM_RESTART_COUNT=1) finishes at once
    script = (
        f'echo "run restart=${{SLURM_RESTART_COUNT-unset}}" >> {marker}; '
        'if [ -z "${SLURM_RESTART_COUNT:-}" ]; then sleep 120; fi; '
        'echo "finished restart=$SLURM_RESTART_COUNT"'
    )
    job = sbatch(local_slurm, "--requeue", "-o", str(out), "--wrap", script)
    deadline = time.monotonic() + 60
    while not (marker.exists() and marker.read_text()):
        assert time.monotonic() < deadline, f"job {job} never started: {scontrol_job(local_slurm, job)}"
        time.sleep(0.2)
    assert job_state(job, local_slurm) == "RUNNING"

    requeue = slurm_cmd(local_slurm, "scontrol", "requeue", str(job))
    assert requeue.returncode == 0, requeue.stderr
    # a requeued job may start again after AuthInfo cred_expire (10 s here, Slurm's default is 120 s)
    assert wait_job(job, local_slurm, timeout=60) == "COMPLETED"
    assert marker.read_text().splitlines() == ["run restart=unset", "run restart=1"]
    assert out.read_text().strip() == "finished restart=1"  # the output file restarts with the job
    assert scontrol_job(local_slurm, job)["Restarts"] == "1"
