"""`launch.py submit slurm`: validation and rendering (no Slurm needed), a real submission to the local Slurm
that is requeued mid-sweep and resumes, and a two-node Ray cluster on loopback whose trials land on both."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import launch, mlflow_runs
from slurm_fixture import job_state, scontrol_job, slurm_cmd, wait_job

from trainer.ray_session import TEMP_PREFIX, TEMP_ROOT, token_file
from trainer.runtime_env import REPO_ROOT


def submit(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return launch("submit", "slurm", *args, cwd=cwd, env=env, timeout=timeout)


# -- validation and rendering: nothing reaches sbatch, nothing is written -------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "partition: required"),
        (("partition=gpu;rm -rf /",), "partition: expected a partition name, got 'gpu;rm -rf /'"),
        (("partition=gpu", "account=$(id)"), "account: expected an account name"),
        (("partition=gpu", "constraint=a100 && reboot"), "constraint: expected a feature expression"),
        (("partition=gpu", "time=1 hour"), "time: expected [D-]HH:MM:SS"),
        (("partition=gpu", 'extra_sbatch=["--comment=`reboot`"]'), "extra_sbatch[0]: expected one sbatch option"),
        (
            ("partition=gpu", "gpus_per_node=2", 'sweep_overrides=["set={ray.use_gpu: true, ray.num_workers: 4}"]'),
            "a trial needs 4 GPUs (ray.num_workers=4 with ray.use_gpu) but a node has gpus_per_node=2",
        ),
        (("partition=gpu", "cpus_per_node=1", "sweep=smoke"), "a trial needs 2 CPUs"),  # smoke: 2 workers
        (("partition=gpu", "nodes=0"), "nodes: expected a value in [1, 4096], got 0"),
        (("partition=gpu", "sweep=nope"), "config file 'nope': not found"),
        (("partition=gpu", "python=python; reboot"), "python: expected an interpreter path, got 'python; reboot'"),
        (("partition=gpu", "check_s=-1"), "check_s: expected a value in [0, 600], got -1.0"),
    ],
)
def test_bad_requests_fail_before_anything_is_written(tmp_path, args, message):
    r = submit(*args, f"job_dir={tmp_path / 'jobs'}", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("error: ") and message in r.stderr, r.stderr
    assert not (tmp_path / "jobs").exists()


def test_dry_run_renders_a_quoted_script_and_writes_nothing(tmp_path):
    r = submit(
        "--dry-run",
        "partition=gpu",
        "account=proj-42",
        "qos=high",
        "constraint=a100&ib",
        "mem=64G",
        "nodes=2",
        "gpus_per_node=4",
        "cpus_per_node=16",
        "time=1-12:00:00",
        'extra_sbatch=["--exclusive"]',
        'setup=["module load cuda/12.4", "source $HOME/env/bin/activate"]',
        "sweep=smoke",
        f"job_dir={tmp_path / 'jobs'}",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    script = r.stdout
    for line in (
        "#SBATCH --partition=gpu",
        "#SBATCH --account=proj-42",
        "#SBATCH --qos=high",
        "#SBATCH --constraint=a100&ib",
        "#SBATCH --mem=64G",
        "#SBATCH --nodes=2",
        "#SBATCH --gpus-per-node=4",
        "#SBATCH --cpus-per-task=16",
        "#SBATCH --ntasks-per-node=1",
        "#SBATCH --time=1-12:00:00",
        "#SBATCH --exclusive",
        "#SBATCH --requeue",
        "#SBATCH --signal=B:USR1@120",
        "module load cuda/12.4",
        "source $HOME/env/bin/activate",
        f"exec {shlex.quote(sys.executable)} launch.py slurm-job {tmp_path / 'jobs' / 'smoke-sweep'}",
    ):
        assert line in script.splitlines(), (line, script)
    assert script.index("#SBATCH --exclusive") < script.index("set -eo pipefail") < script.index("module load")
    assert not (tmp_path / "jobs").exists()
    r = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)  # it parses as bash
    assert r.returncode == 0, r.stderr


def test_paths_are_shell_quoted(tmp_path):
    weird = tmp_path / "it's here"
    weird.mkdir()
    r = submit(
        "--dry-run",
        "partition=gpu",
        "sweep=smoke",
        f"job_dir={tmp_path / 'jobs'}",
        "python=/opt/py/bin/python3",
        cwd=weird,
    )
    assert r.returncode == 0, r.stderr
    assert "exec /opt/py/bin/python3 launch.py slurm-job" in r.stdout
    r = submit("--dry-run", "partition=gpu", "sweep=smoke", f"job_dir={weird / 'jobs'}", cwd=weird)
    assert r.returncode == 2 and "job_dir:" in r.stderr and "cannot carry" in r.stderr


def exec_line(script: str) -> list[str]:
    """The sbatch script's last command, split as bash would."""
    (line,) = [x for x in script.splitlines() if x.startswith("exec ")]
    return shlex.split(line)


def test_the_job_runs_the_interpreter_that_ran_submit_unless_one_is_named(tmp_path):
    # the project's own environment, reached through a path a shell would split: symlinked venvs stay venvs
    venv = tmp_path / "my env" / "venv"
    venv.parent.mkdir()
    venv.symlink_to(Path(sys.prefix))
    python = str(venv / "bin" / "python")
    jobs = tmp_path / "jobs"
    r = subprocess.run(
        [
            python,
            str(REPO_ROOT / "launch.py"),
            "submit",
            "slurm",
            "--dry-run",
            "partition=gpu",
            "sweep=smoke",
            f"job_dir={jobs}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert exec_line(r.stdout) == ["exec", python, "launch.py", "slurm-job", str(jobs / "smoke-sweep")]
    assert f"exec '{python}' launch.py" in r.stdout  # quoted, not resolved to the base interpreter
    assert subprocess.run(["bash", "-n"], input=r.stdout, text=True).returncode == 0
    from cluster.config import load_slurm
    from cluster.sbatch import render

    for named in ("python", "/opt/py/bin/python3", "~/envs/b/bin/python3.11"):  # a named one wins, as given
        script = render(load_slurm(None, ["partition=gpu", "sweep=smoke", f"job_dir={jobs}", f"python={named}"]))
        assert exec_line(script)[:2] == ["exec", named], script
    assert not jobs.exists()


def test_a_start_failure_names_the_state_and_the_log_and_shows_its_end(tmp_path):
    from cluster.sbatch import JobStatus, start_failure

    assert JobStatus("FAILED", "1:0").failed and JobStatus("COMPLETED", "2:0").failed
    assert JobStatus("CANCELLED").failed and JobStatus("NODE_FAIL", "0:0").failed
    assert not any(JobStatus(*a).failed for a in (("RUNNING",), ("PENDING",), ("COMPLETED", "0:0"), (None,)))
    log = tmp_path / "slurm-7.out"
    log.write_text("".join(f"line {i}\n\n" for i in range(1, 16)))
    msg = start_failure("7", JobStatus("FAILED", "1:0", "NonZeroExitCode"), log).splitlines()
    assert (
        msg[0]
        == f"job 7 failed at start (FAILED, exit code 1:0, reason NonZeroExitCode); the last lines of its log {log}:"
    )
    assert msg[1:] == [f"    line {i}" for i in range(6, 16)]  # the last ten, blank lines skipped
    msg = start_failure("8", JobStatus("CANCELLED"), tmp_path / "slurm-8.out")
    assert msg.startswith("job 8 failed at start (CANCELLED); its log ") and "missing or empty" in msg
    assert len(msg.splitlines()) == 1


# -- real Slurm: submit, requeue mid-sweep, resume -------------------------------------------------------------


def ray_processes_of_job(job) -> str:
    """Processes using the job's own Ray dir, <TEMP_ROOT>/bgray-<job>/ (without the slash, job 1 would also
    match another session's bgray-1x7...)."""
    pattern = f"{TEMP_ROOT}/{TEMP_PREFIX}{job}/"
    return subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True).stdout.strip()


@pytest.mark.slurm
@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_submitted_sweep_survives_a_requeue(local_slurm, tmp_path):
    jobs = tmp_path / "jobs"
    r = submit(
        "partition=debug",
        "sweep=smoke",
        f"job_dir={jobs}",
        f"python={sys.executable}",
        cwd=tmp_path,
        env=local_slurm["env"],
    )
    assert r.returncode == 0, r.stderr
    job = int(re.search(r"Submitted batch job (\d+)", r.stdout).group(1))
    db = jobs / "smoke-sweep" / "mlflow.db"
    deadline = time.time() + 600
    while time.time() < deadline:  # one trial finished, the next one running: requeue now
        trials = [x for x in mlflow_runs(db) if x["tags"].get("biasgen.role") == "trial"]
        if any(t["status"] == "FINISHED" for t in trials) and len(trials) >= 2:
            break
        assert job_state(job, local_slurm) in ("PENDING", "RUNNING"), (
            jobs / "smoke-sweep" / f"slurm-{job}.out"
        ).read_text()[-3000:]
        time.sleep(2)
    else:
        raise AssertionError("no trial finished in time")
    rq = slurm_cmd(local_slurm, "scontrol", "requeue", str(job))
    assert rq.returncode == 0, rq.stderr
    state = wait_job(job, local_slurm, timeout=900, states={"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT"})
    out = (jobs / "smoke-sweep" / f"slurm-{job}.out").read_text()
    assert state == "COMPLETED", out[-4000:]
    assert "SIGTERM: stopping the sweep" in out and "(restart 1: resuming)" in out
    assert re.search(r"sweep smoke-sweep: 4 points, [123] already finished", out), out[-4000:]
    info = scontrol_job(local_slurm, job)
    assert info is None or info.get("Restarts") == "1"
    all_runs = mlflow_runs(db)
    trials = [x for x in all_runs if x["tags"].get("biasgen.role") == "trial"]
    assert len(trials) == 4 and all(t["status"] == "FINISHED" for t in trials)  # no duplicates, none rerun
    assert len({t["tags"]["biasgen.trial_key"] for t in trials}) == 4
    assert len([x for x in all_runs if x["tags"].get("biasgen.role") == "sweep"]) == 1
    assert (jobs / "smoke-sweep" / "analysis" / "report.html").exists()
    # the job ends the sweep as `launch.py sweep` does: the condition table in its log, summary.txt on the run
    assert "held-out gain [95%]" in out, out[-3000:]
    from trainer import tracking

    (parent,) = [x["id"] for x in all_runs if x["tags"].get("biasgen.role") == "sweep"]
    assert "summary.txt" in {a.path for a in tracking.client(f"sqlite:///{db}").list_artifacts(parent)}
    left = ray_processes_of_job(job)
    assert not left, f"Ray processes of the job left behind: {left}"


@pytest.mark.slurm
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_job_that_cannot_import_the_project_fails_the_submit(local_slurm, tmp_path):
    bare = tmp_path / "bare"  # an interpreter without the project's packages, whatever the machine has
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True, timeout=120)
    jobs = tmp_path / "jobs"
    r = submit(
        "partition=debug",
        "sweep=smoke",
        f"job_dir={jobs}",
        f"python={bare / 'bin' / 'python'}",
        "check_s=60",
        cwd=tmp_path,
        env=local_slurm["env"],
    )
    job = int(re.search(r"Submitted batch job (\d+)", r.stdout).group(1))
    log = jobs / "smoke-sweep" / f"slurm-{job}.out"
    lines = r.stderr.splitlines()
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert lines[0].startswith(f"error: job {job} failed at start (FAILED, exit code 1:0") and str(log) in lines[0], (
        lines
    )
    assert re.fullmatch(r"    ModuleNotFoundError: No module named '\w+'", lines[-1]), lines
    assert len(lines) <= 11 and lines[-1].strip() in log.read_text()
    assert job_state(job, local_slurm) == "FAILED"
    assert "follow:" not in r.stdout


@pytest.mark.slurm
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_job_with_the_default_interpreter_is_reported_running(local_slurm, tmp_path):
    jobs = tmp_path / "jobs"
    r = submit("partition=debug", "sweep=smoke", f"job_dir={jobs}", cwd=tmp_path, env=local_slurm["env"])
    assert r.returncode == 0, (r.stdout, r.stderr)
    job = int(re.search(r"Submitted batch job (\d+)", r.stdout).group(1))
    try:
        assert "  state:    RUNNING" in r.stdout.splitlines(), r.stdout
        assert "follow:" in r.stdout
        log = jobs / "smoke-sweep" / f"slurm-{job}.out"
        deadline = time.time() + 120
        while f"slurm-job: job {job}" not in (log.read_text() if log.exists() else ""):  # the project imported
            assert time.time() < deadline and job_state(job, local_slurm) == "RUNNING", log.read_text()[-3000:]
            time.sleep(0.5)
    finally:  # the sweep itself is another test's: stop it here
        slurm_cmd(local_slurm, "scancel", str(job))
        state = wait_job(job, local_slurm, timeout=120)
    assert state == "CANCELLED", log.read_text()[-3000:]
    left = ray_processes_of_job(job)
    assert not left, f"Ray processes of the job left behind: {left}"


# -- two Ray nodes on loopback, no Slurm ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sweep_trials_land_on_both_nodes_of_a_two_node_ray_cluster(tmp_path):
    from cluster import ray_cluster
    from sweeps import ui

    env = ray_cluster.ray_env(token_file(tmp_path / "ray_token"))
    head_ports, worker_ports = ray_cluster.Ports(26100), ray_cluster.Ports(26200)
    address = f"127.0.0.1:{head_ports.base}"
    procs = []
    try:
        for ports, head, name in ((head_ports, None, "head"), (worker_ports, address, "worker")):
            procs.append(
                ray_cluster.start_node(
                    head_address=head,
                    ports=ports,
                    cpus=2,
                    gpus=0,
                    resources={"trial_slot": 1, f"node_{name}": 1},
                    temp_dir=f"/tmp/bgray-t{ports.base}",
                    env=env,
                    node_ip="127.0.0.1",
                    log=tmp_path / f"{name}.log",
                )
            )
        ray_cluster.wait_for_nodes(address, 2, procs, env)
        sweep = tmp_path / "two.yaml"
        sweep.write_text(
            f"name: two-nodes\nbase: {REPO_ROOT / 'configs' / 'smoke.yaml'}\n"
            f"set:\n  ray.address: '{address}'\n  eval.prompts_per_bias: 2\n  eval.max_new_tokens: 16\n"
            "grid:\n  data.mix: [0.0, 0.5]\n"
        )
        r = subprocess.run(
            [sys.executable, str(REPO_ROOT / "launch.py"), "sweep", str(sweep)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=800,
        )
        assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
        probe = (
            "import ray, sys, json; ray.init(address=sys.argv[1], logging_level='error'); "
            "print(json.dumps(sorted(n['NodeID'] for n in ray.nodes() if n['Alive'])))"
        )
        nodes = json.loads(
            subprocess.run([sys.executable, "-c", probe, address], env=env, capture_output=True, text=True, timeout=120)
            .stdout.strip()
            .splitlines()[-1]
        )
    finally:
        ui.stop(*procs, timeout_s=30.0)
        for ports in (head_ports, worker_ports):
            shutil.rmtree(f"/tmp/bgray-t{ports.base}", ignore_errors=True)
    trials = [x for x in mlflow_runs(tmp_path / "mlflow.db") if x["tags"].get("biasgen.role") == "trial"]
    assert len(trials) == 2 and all(t["status"] == "FINISHED" for t in trials)
    placed = {t["tags"]["biasgen.ray_node"] for t in trials}
    assert placed == set(nodes) and len(nodes) == 2, (placed, nodes)  # one trial on each node
