"""What runs inside a Slurm allocation (``launch.py slurm-job JOB_DIR``, called by the sbatch script).

1. A Ray cluster over the allocation: the head on the first node (this process's node), one worker per
   other node through ``srun``, explicit ports from the job id, token auth from ``JOB_DIR/ray_token``.
2. An MLflow server on the head over ``JOB_DIR/mlflow.db`` (unless ``tracking_uri`` is set).
3. The sweep, as its driver, on that cluster. It is the same sweep every time the job starts: a requeued
   job continues it (finished trials are skipped, interrupted ones reattach; see :mod:`sweeps.runner`).
4. Teardown by PID, whatever happened.

Preemption: SIGUSR1 (sent ``signal_lead_s`` before the time limit, see the sbatch script) asks Slurm to
requeue the job when ``requeue`` is on; SIGTERM (preemption, ``scontrol requeue``, the requeue just asked
for, ``scancel``) stops the sweep like a Ctrl-C, tears down and exits 143. Slurm starts the requeued job
with ``SLURM_RESTART_COUNT`` > 0.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from sweeps import ui
from sweeps.conclude import conclude
from sweeps.config import load_sweep, points, trial_config
from sweeps.runner import run_sweep
from trainer.config import load_config
from trainer.console import Console, quiet
from trainer.ray_session import owned_temp_dir, ray_session, token_file

from . import ray_cluster
from .config import SlurmConfig, slots_per_node

_CONSOLE: list[Console] = []  # while the sweep runs, stdout is its log file: the job's own lines go here


def log(msg: str) -> None:
    line = f"[{time.strftime('%H:%M:%S')}] slurm-job: {msg}"
    if _CONSOLE:
        _CONSOLE[-1].line(line)
    else:
        print(line, flush=True)


def hostnames(nodelist: str) -> list[str]:
    r = subprocess.run(["scontrol", "show", "hostnames", nodelist], capture_output=True, text=True, check=True)
    return r.stdout.split()


STOPPING: list[str] = []  # set by the signal handlers: the sweep is being stopped on purpose


def _on_signals(cfg: SlurmConfig, job_id: str) -> None:
    def usr1(*_):
        if cfg.requeue:
            log(f"time limit in <= {cfg.signal_lead_s} s: asking Slurm to requeue job {job_id}")
            subprocess.run(["scontrol", "requeue", job_id], check=False)  # Slurm then sends SIGTERM
        else:
            log("time limit near and requeue is off: stopping the sweep (resume it with a new submit)")
            STOPPING.append("SIGUSR1")
            os.kill(os.getpid(), signal.SIGINT)

    def term(*_):
        STOPPING.append("SIGTERM")
        log("SIGTERM: stopping the sweep; finished trials are kept in MLflow")
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.kill(os.getpid(), signal.SIGINT)  # Tune turns SIGINT into a graceful stop; elsewhere KeyboardInterrupt

    signal.signal(signal.SIGUSR1, usr1)
    signal.signal(signal.SIGTERM, term)


def run_job(job_dir: Path) -> int:
    job_dir = Path(job_dir).resolve()
    cfg: SlurmConfig = load_config(job_dir / "slurm.yaml", [], schema=SlurmConfig)
    sweep = load_sweep(job_dir / "sweep.yaml", [])
    job_id = os.environ.get("SLURM_JOB_ID", "0")
    restart = int(os.environ.get("SLURM_RESTART_COUNT") or 0)
    nodes = (
        hostnames(os.environ["SLURM_JOB_NODELIST"]) if "SLURM_JOB_NODELIST" in os.environ else [socket.gethostname()]
    )
    head_ip = "127.0.0.1" if len(nodes) == 1 else socket.gethostbyname(nodes[0])
    base = cfg.ray_port or 20000 + 100 * (int(job_id) % 400)
    address = f"{head_ip}:{base}"
    env = ray_cluster.ray_env(token_file(job_dir / "ray_token"))
    os.environ.update(
        {k: env[k] for k in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN_PATH", "RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S")}
    )
    log(
        f"job {job_id}{f' (restart {restart}: resuming)' if restart else ''}: sweep {sweep.name!r} on "
        f"{len(nodes)} node(s) {', '.join(nodes)}; Ray head {address}; state in {job_dir}"
    )
    _on_signals(cfg, job_id)  # while the cluster starts; again once the driver has joined it (below)
    slots = slots_per_node(cfg, trial_config(sweep, points(sweep)[0]).ray)
    procs: list[subprocess.Popen] = []
    # /tmp/bgray-<job> (mode 700, owned; a requeued job's start removes a killed run's dir and orphans); Ray gets a
    # folder inside it. Short: Ray's socket paths must stay < 108 bytes
    tmp_owner = contextlib.ExitStack()
    tmp = str(tmp_owner.enter_context(owned_temp_dir(job_id)) / "ray")
    try:
        procs.append(
            ray_cluster.start_node(
                head_address=None,
                ports=ray_cluster.Ports(base),
                cpus=cfg.cpus_per_node,
                gpus=cfg.gpus_per_node,
                resources={"trial_slot": slots},
                temp_dir=tmp,
                env=env,
                node_ip=head_ip,
                log=job_dir / f"ray-head-{job_id}.log",
            )
        )
        if len(nodes) > 1:
            srun = [
                "srun",
                f"--nodes={len(nodes) - 1}",
                f"--ntasks={len(nodes) - 1}",
                "--ntasks-per-node=1",
                f"--exclude={nodes[0]}",
                "--kill-on-bad-exit=0",
                "--overlap",
            ]
            procs.append(
                ray_cluster.start_node(
                    head_address=address,
                    ports=ray_cluster.Ports(base),
                    cpus=cfg.cpus_per_node,
                    gpus=cfg.gpus_per_node,
                    resources={"trial_slot": slots},
                    temp_dir=tmp,
                    env=env,
                    launcher=srun,
                    log=job_dir / f"ray-workers-{job_id}.log",
                )
            )
        ray_cluster.wait_for_nodes(address, len(nodes), procs, env)
        log(f"Ray cluster up: {len(nodes)} node(s), {slots} trial slot(s) each")
        uri = cfg.tracking_uri
        if not uri:
            port = cfg.mlflow_port or base + 90
            host_args = [
                "--allowed-hosts",
                ",".join(f"{h}:{port}" for h in {head_ip, nodes[0], "localhost", "127.0.0.1"}),
            ]
            server = ui.start(
                f"sqlite:///{job_dir / 'mlflow.db'}",
                head_ip if len(nodes) > 1 else "127.0.0.1",
                port,
                str(job_dir / "mlartifacts"),
                extra=host_args,
                log=job_dir / f"mlflow-{job_id}.log",
            )
            procs.append(server)
            uri = f"http://{head_ip}:{port}"
            ui.wait_ready(uri, server)
            log(f"MLflow server {uri} over {job_dir / 'mlflow.db'}")
        os.environ["MLFLOW_TRACKING_URI"] = uri
        sweep.set = {**sweep.set, "ray.address": address, "tracking.uri": uri}
        # Ray's and the workers' output to a file beside the job's other logs; the Slurm log keeps plain lines
        with quiet(job_dir / f"sweep-{job_id}.log") as console:
            console.redirect()  # before the driver joins Ray: its output goes to the log too
            _CONSOLE.append(console)
            try:
                with ray_session(trial_config(sweep, points(sweep)[0]).ray):
                    _on_signals(cfg, job_id)  # ray.init installed Ray's own SIGTERM handler, which just dies: ours
                    res = run_sweep(sweep, console)  # joins this session
            finally:
                _CONSOLE.clear()
        _conclude(res.tracking_uri, sweep.name, job_dir)
        for name, reason in res.failures:
            log(f"FAILED {name}: {reason}")
        log(
            f"sweep {sweep.name!r} done: {res.finished} run, {res.skipped} already finished, {res.failed} failed; "
            f"browse: python launch.py ui --tracking-uri sqlite:///{job_dir / 'mlflow.db'}"
        )
        return 1 if res.failed else 0
    except BaseException as e:
        if not (STOPPING or isinstance(e, KeyboardInterrupt)):
            raise
        # Slurm signals every process of the job at once, so Ray may fail under the sweep before Tune stops it.
        log("stopped; finished trials are kept" + (" and the requeued job resumes the sweep" if cfg.requeue else ""))
        return 143
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # teardown must finish
        ui.stop(*procs, timeout_s=30.0)
        tmp_owner.close()
        log("Ray and MLflow processes of this job stopped")


def _conclude(uri: str, name: str, job_dir: Path) -> None:
    """The end of the sweep, as `launch.py sweep` ends one (``sweeps.conclude``): the finding and the condition
    table into the job's log, the analysis into ``<job dir>/analysis`` and onto the parent run."""
    try:
        end = conclude(uri, name, job_dir / "analysis")
        print(end.headline(), flush=True)
        log(f"scaling analysis: {end.report}")
    except Exception as e:  # the results are safe in MLflow; `launch.py analyze` can redo it
        log(f"the analysis failed ({type(e).__name__}: {e}); run `launch.py analyze --experiment {name}`")
