"""One driver per sweep name and store: a second one is refused naming the first's host and PID; a dead
holder's lock is free (a local store's flock; a server store's lease), a live one's never is."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from helpers import free_port, start_mlflow_server

from sweeps import lock as sweep_lock_module
from sweeps.lock import TAG, SweepBusy, sweep_lock
from trainer import tracking
from trainer.runtime_env import REPO_ROOT

HOLD = """
import sys, time
sys.path.insert(0, {root!r})
from sweeps.lock import sweep_lock
with sweep_lock({uri!r}, "s", {art!r}):
    print("held", flush=True)
    time.sleep(600)
"""


def hold(uri: str, art: str) -> subprocess.Popen:
    """A driver holding sweep 's' in another process, until killed."""
    p = subprocess.Popen(
        [sys.executable, "-c", HOLD.format(root=str(REPO_ROOT), uri=uri, art=art)], stdout=subprocess.PIPE, text=True
    )
    assert p.stdout.readline().strip() == "held"
    return p


def kill(p: subprocess.Popen) -> None:
    p.send_signal(signal.SIGKILL)
    p.wait()


def test_local_store(tmp_path):
    uri, art = f"sqlite:///{tmp_path / 'mlflow.db'}", str(tmp_path / "art")
    holder = hold(uri, art)
    try:
        with pytest.raises(SweepBusy) as e:
            with sweep_lock(uri, "s", art):
                pass
        msg = str(e.value)
        assert msg.startswith(
            f"sweep 's' is already running on {uri}: driver PID {holder.pid} on {socket.gethostname()}"
        )
        with sweep_lock(uri, "other", art):  # another name on the same store is free
            pass
    finally:
        kill(holder)
    with sweep_lock(uri, "s", art):  # the kernel released the dead holder's lock
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from sweeps import ui

    proc, url = start_mlflow_server(tmp_path_factory.mktemp("lease") / "mlflow.db", free_port())
    try:
        yield url
    finally:
        ui.stop(proc)


def lease(url: str, name: str) -> dict | None:
    c = tracking.client(url)
    raw = c.get_experiment_by_name(name).tags.get(TAG)
    return json.loads(raw) if raw else None


@pytest.mark.e2e
def test_server_store_lease(server, monkeypatch):
    holder = hold(server, "mlflow-artifacts:/")
    try:
        assert lease(server, "s")["pid"] == holder.pid
        with pytest.raises(SweepBusy, match=f"driver PID {holder.pid} on {socket.gethostname()}"):
            with sweep_lock(server, "s", "mlflow-artifacts:/"):
                pass
    finally:
        kill(holder)
    with sweep_lock(server, "s", "mlflow-artifacts:/"):  # its PID is gone on this host: the lease is free
        assert lease(server, "s")["pid"] == os.getpid()
    assert lease(server, "s") is None  # released on exit


@pytest.mark.e2e
def test_a_remote_holder_is_trusted_until_its_lease_expires(server, monkeypatch):
    c = tracking.client(server)
    exp = tracking.experiment_id(server, "remote", "mlflow-artifacts:/")
    other = {
        "host": "node-17",
        "pid": 4242,
        "since": "2026-01-01 00:00:00",
        "job": "900",
        "token": "t",
        "beat": time.time(),
    }
    c.set_experiment_tag(exp, TAG, json.dumps(other))
    with pytest.raises(SweepBusy, match="driver PID 4242 on node-17, Slurm job 900"):
        with sweep_lock(server, "remote", "mlflow-artifacts:/"):
            pass
    monkeypatch.setenv("SLURM_JOB_ID", "900")  # the same job, requeued: its old driver is gone
    with sweep_lock(server, "remote", "mlflow-artifacts:/"):
        pass
    monkeypatch.delenv("SLURM_JOB_ID")
    c.set_experiment_tag(exp, TAG, json.dumps(other | {"beat": time.time() - sweep_lock_module.LEASE_S - 5}))
    with sweep_lock(server, "remote", "mlflow-artifacts:/"):  # no heartbeat for longer than the lease
        pass
