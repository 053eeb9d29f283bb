"""One driver per sweep name and store: a second ``sweep`` of the same name on the same store is refused with
one line naming the first one's host and PID, instead of both creating parent runs and running every trial
twice.

- A local store (sqlite, file): an exclusive ``flock`` on ``<store>.locks/<name>.lock``. The kernel releases it
  when the holder exits, however it exits, so a dead holder's lock is simply free.
- A server store (``http(s)://``, e.g. the Slurm job's): a lease in the sweep experiment's tag
  ``biasgen.driver`` (host, PID, Slurm job, heartbeat), renewed every ``HEARTBEAT_S``. It is taken over only
  from a dead holder: one on this host whose PID is gone, the same Slurm job restarted (a requeue), or one whose
  heartbeat is older than ``LEASE_S``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

from trainer import tracking
from trainer.errors import UserError

TAG = "biasgen.driver"
HEARTBEAT_S = 15.0
LEASE_S = 60.0


class SweepBusy(UserError, RuntimeError):
    """Another live driver runs this sweep on this store (one line, exit status 2)."""


def _me() -> dict[str, Any]:
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": time.strftime("%Y-%m-%d %H:%M:%S"),
        "job": os.environ.get("SLURM_JOB_ID", ""),
        "token": uuid.uuid4().hex,
        "beat": time.time(),
    }


def _busy(name: str, uri: str, holder: dict[str, Any]) -> SweepBusy:
    job = f", Slurm job {holder['job']}" if holder.get("job") else ""
    return SweepBusy(
        f"sweep {name!r} is already running on {uri}: driver PID {holder.get('pid')} on "
        f"{holder.get('host')}{job}, since {holder.get('since')}; stop it or wait for it to end"
    )


@contextlib.contextmanager
def sweep_lock(uri: str, name: str, artifact_location: str) -> Iterator[None]:
    if uri.startswith("sqlite:///"):
        lock = Path(uri[len("sqlite:///") :])
    elif "://" not in uri:
        lock = Path(uri)
    else:
        with _lease(uri, name, artifact_location):
            yield
        return
    safe = re.sub(r"[^\w.-]", "_", name)
    with _flock(lock.with_name(lock.name + ".locks") / f"{safe}.lock", name, uri):
        yield


@contextlib.contextmanager
def _flock(path: Path, name: str, uri: str) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                raise
            try:
                holder = json.loads(Path(path).read_text() or "{}")
            except (OSError, ValueError):
                holder = {}
            raise _busy(name, uri, holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_me()).encode(), 0)  # who holds it, for the refusal message
        yield
    finally:
        os.close(fd)  # releases the lock


def _alive(holder: dict[str, Any]) -> bool:
    job = os.environ.get("SLURM_JOB_ID")
    if job and holder.get("job") == job:
        return False  # this job, restarted after a requeue: the old driver is gone
    if holder.get("host") == socket.gethostname():
        try:
            os.kill(int(holder["pid"]), 0)
        except ProcessLookupError:
            return False
        except (PermissionError, KeyError, ValueError, TypeError):
            pass
    return time.time() - float(holder.get("beat", 0)) < LEASE_S


@contextlib.contextmanager
def _lease(uri: str, name: str, artifact_location: str) -> Iterator[None]:
    c = tracking.client(uri)
    exp_id = tracking.experiment_id(uri, name, artifact_location)

    def holder() -> dict[str, Any] | None:
        raw = c.get_experiment(exp_id).tags.get(TAG)
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    current = holder()
    if current and _alive(current):
        raise _busy(name, uri, current)
    me = _me()
    c.set_experiment_tag(exp_id, TAG, json.dumps(me))
    time.sleep(1.0)  # two drivers that both found the lease free: the last write wins, the other backs off
    current = holder()
    if not current or current.get("token") != me["token"]:
        raise _busy(name, uri, current or {})
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_S):
            try:
                c.set_experiment_tag(exp_id, TAG, json.dumps(me | {"beat": time.time()}))
            except Exception:  # a server restart: MLflow's retries failed; try again next beat
                pass

    t = threading.Thread(target=beat, name="sweep-lease", daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join(timeout=5)
        with contextlib.suppress(Exception):
            if (holder() or {}).get("token") == me["token"]:
                c.delete_experiment_tag(exp_id, TAG)
