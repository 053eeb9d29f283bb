"""The MLflow UI for the configured store, sized for a laptop: one worker, job execution off, bound to
127.0.0.1. Runs in the foreground; Ctrl-C stops the server and everything it started."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from trainer import tracking


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


def start(uri: str, host: str, port: int, artifacts: str, extra: list[str] = (),
          log: Path | None = None) -> subprocess.Popen:
    """The server in its own session (stopped as a group by :func:`stop`); output to ``log`` or our stderr."""
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    cmd = [str(Path(sys.executable).with_name("mlflow")), "ui", "--backend-store-uri", uri, "--host", host,
           "--port", str(port), "--workers", "1", "--artifacts-destination", artifacts, *extra]
    out = open(log, "ab") if log else sys.stderr  # our stdout: the URL line
    return subprocess.Popen(cmd, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT if log else None)


def wait_ready(url: str, proc: subprocess.Popen, timeout_s: float = 60.0) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the MLflow UI exited with status {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the MLflow UI did not answer on {url} within {timeout_s:.0f} s")


def stop(*procs: subprocess.Popen, timeout_s: float = 15.0) -> None:
    """SIGTERM to each process group (last started first; a server's uvicorn worker, a ``ray start``'s Ray
    processes go with theirs), then SIGKILL what is left after ``timeout_s``."""
    for p in reversed(procs):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.time() + timeout_s
    for p in reversed(procs):
        try:
            p.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


def runs_url(base: str, experiment_id: str, charts: bool = False) -> str:
    """The experiment's trial runs, best held-out gain first, in the UI's model-training view (MLflow 3 opens
    on GenAI traces otherwise); ``charts`` shows one bar chart per metric instead of the table."""
    q = {"searchFilter": "tags.`biasgen.role` = 'trial'", "orderByKey": "metrics.`heldout/gain`",
         "orderByAsc": "false", "workflowType": "machine_learning"}
    if charts:
        q["compareRunsMode"] = "CHART"
    return f"{base}/#/experiments/{experiment_id}/runs?{urllib.parse.urlencode(q)}"


def sweep_links(uri: str, base: str) -> list[str]:
    """One line per sweep in the store: where its runs are in the UI."""
    c = tracking.client(uri)
    out = []
    for exp in c.search_experiments(max_results=1000):
        if tracking.find_run(uri, exp.experiment_id, {"biasgen.role": "sweep"}):
            out.append(f"  sweep {exp.name}: {runs_url(base, exp.experiment_id)}")
    return out


def serve(uri: str, host: str = "127.0.0.1", port: int = 5000, artifacts: str = "mlartifacts") -> int:
    port = free_port(port)
    url = f"http://{host}:{port}"
    # SIGTERM (kill, a Slurm job's end) must stop the server too, not orphan it in its own session.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    proc = start(uri, host, port, str(Path(artifacts).resolve()))
    try:
        wait_ready(url, proc)
        print(f"MLflow UI for {uri} at {url}  (Ctrl-C to stop)", flush=True)
        for line in sweep_links(uri, url):
            print(line, flush=True)
        proc.wait()
        return proc.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop(proc)
