"""A Ray session for the driver: the cluster at ``ray.address``, or a private local one that is shut down
afterwards. Never `ray stop`: that would kill every Ray on the machine.

A private session is private: every Ray process listens on 127.0.0.1 only; a client needs the session's own
token (a mode-600 file in ``/tmp/bgray-*``, a mode-700 dir of ours), not the host-wide ``~/.ray/auth_token``;
and the session's address is exported (``RAY_ADDRESS``), so Ray's helpers that look a cluster up (Ray
Train's placement-group cleaner) find this one among the host's other Rays.  The dir records its owner; the
next start removes the dirs of dead owners (a SIGKILLed driver cannot clean up) and kills the Ray processes
they left behind.

Ray is imported inside the functions, on purpose: it reads some settings from the environment when it is
first imported (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER``, see ``_process_state``), and they must be this
session's."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Iterator

import psutil

from . import timeline
from .errors import UserError
from .runtime_env import INSTALLED, REPO_ROOT, apply_defaults

LOOPBACK = "127.0.0.1"
TEMP_ROOT = "/tmp"  # short: Ray's socket paths under it must stay < 108 bytes
TEMP_PREFIX = "bgray-"
OWNER_FILE = "owner.json"
PRIVATE_ADDRESS_VAR = "BIASGEN_PRIVATE_RAY_ADDRESS"  # = RAY_ADDRESS while that address is a private session's own
UNOWNED_GRACE_S = 120.0  # an owner-less dir younger than this may be one that is being set up


class ResourceError(UserError, ValueError):
    pass


def code_path() -> str:
    """What a worker must put on its path to import this code: the checkout (a worker started by a cluster, or
    in another working directory, does not see the driver's cwd); nothing for an installed wheel, whose
    packages the worker's interpreter imports as the driver's did (site-packages ahead of the standard
    library on ``PYTHONPATH`` could shadow it)."""
    return "" if INSTALLED else str(REPO_ROOT)


def worker_env(ray_cfg) -> dict[str, str]:
    env = apply_defaults()
    env |= {
        "DS_ACCELERATOR": "cuda" if ray_cfg.use_gpu else "cpu",
        "OMP_NUM_THREADS": str(ray_cfg.cpus_per_worker),
        "PYTHONPATH": os.pathsep.join(filter(None, [code_path(), os.environ.get("PYTHONPATH")])),
    }
    for key in ("MLFLOW_ALLOW_FILE_STORE", "MLFLOW_TRACKING_URI", "HF_HOME", "HF_TOKEN", timeline.VAR):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def cluster_address(ray_cfg) -> str:
    """``ray.address``, else ``$RAY_ADDRESS`` (set for drivers started by ``ray job submit``); empty: private.

    A private session exports its own address as ``$RAY_ADDRESS`` (for Ray's helpers); that one is not a
    cluster to join: inside the session it is private, and after the session it is gone."""
    env = os.environ.get("RAY_ADDRESS", "")
    if env and env == os.environ.get(PRIVATE_ADDRESS_VAR):
        env = ""
    return ray_cfg.address or env


# --- the private temp dir: owned, mode 700, removed with its orphans once its owner is dead ----------------


def _start_time(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def _owner_record() -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": _start_time(os.getpid())}


def _read_owner(path: Path) -> dict | None:
    """The owner record of a session dir; None if there is none (or none that reads as one)."""
    try:
        owner = json.loads((path / OWNER_FILE).read_text())
    except (OSError, ValueError):
        return None
    ok = (
        isinstance(owner, dict)
        and isinstance(owner.get("pid"), int)
        and isinstance(owner.get("host"), str)
        and isinstance(owner.get("started"), (int, float))
    )
    return owner if ok else None


def _owner_alive(owner: dict) -> bool:
    """The owner process still runs: its pid exists with the start time recorded (not a reused pid)."""
    started = _start_time(owner["pid"])
    return started is not None and abs(started - owner["started"]) < 1.0


def _open_paths(pid: int) -> list[str]:
    """What the process's file descriptors point to (Linux); [] when it cannot be read."""
    fd_dir = f"/proc/{pid}/fd"
    paths = []
    with contextlib.suppress(OSError):
        for fd in os.listdir(fd_dir):
            with contextlib.suppress(OSError):
                paths.append(os.readlink(f"{fd_dir}/{fd}"))
    return paths


def processes_using(path: str | Path) -> list:
    """Our uid's processes that name ``path`` (or a file under it) in their command line or hold a file under
    it open.  Every Ray process of a session does one or the other: its sockets, session and log dirs are
    there; the agents and workers rewrite their command line but keep their log files open."""
    path = str(path)
    in_arg = re.compile(rf"(?:^|[=\s,:'\"]){re.escape(path)}(?:/|$|[\s,:'\"])")
    uid, me = os.getuid(), os.getpid()
    found = []
    for p in psutil.process_iter(["pid", "uids", "cmdline"]):
        info = p.info
        if info["pid"] == me or not info["uids"] or info["uids"].real != uid:
            continue
        if any(in_arg.search(arg) for arg in info["cmdline"] or ()) or any(
            f == path or f.startswith(path + "/") for f in _open_paths(info["pid"])
        ):
            found.append(p)
    return found


def is_ray_process(proc) -> bool:
    """A process of Ray's: a worker or agent (``ray::…``), a program of the ray package (gcs_server, raylet,
    log monitor, …) or the ``ray`` command (``ray start --block``)."""
    cmdline = getattr(proc, "info", {}).get("cmdline")
    if cmdline is None:
        try:
            cmdline = proc.cmdline()
        except psutil.Error:
            return False
    if not cmdline:
        return False
    package = os.path.dirname(importlib.util.find_spec("ray").origin) + os.sep
    program = [cmdline[0], *_script(cmdline[1:])] if "python" in os.path.basename(cmdline[0]) else cmdline[:1]
    return (
        cmdline[0].startswith("ray::")
        or any(arg.startswith(package) for arg in program)
        or any(os.path.basename(arg) == "ray" for arg in program)
    )


def _script(args: list[str]) -> list[str]:
    """The script Python's arguments name, after its options (``python -u .../dashboard/agent.py``: an
    agent that has not yet renamed itself ``ray::DashboardAgent``); [] if there is none."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in ("-W", "-X") else 1  # the options that take a value
    return args[i : i + 1]


def session_stragglers(address: str) -> list:
    """Processes the session's workers started that outlived them: every process whose environment is a Ray
    worker's (``RAY_RAYLET_PID``, inherited by what a worker starts) of the private session at ``address``, e.g.
    a compiler of DeepSpeed's op build in a rank killed mid-build when the raylet went first, which
    ``ray.shutdown`` does not end.  What the driver started (its environment names the session too, but no
    raylet) is left alone."""
    found = []
    for p in psutil.process_iter(["pid"]):
        if p.pid == os.getpid():
            continue
        try:
            env = p.environ()
            if env.get(PRIVATE_ADDRESS_VAR) == address and "RAY_RAYLET_PID" in env:
                found.append(p)
        except psutil.Error:  # gone, or another user's
            continue
    return found


def _end(procs: list, grace_s: float = 2.0) -> None:
    """SIGTERM, then SIGKILL after ``grace_s``."""
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace_s)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=grace_s)


def _end_ray_processes(procs: list, grace_s: float = 2.0) -> None:
    """SIGTERM, then SIGKILL after ``grace_s``, to those of ``procs`` that are Ray's (any other user of a
    dead session's dir, say a ``tail -f`` of its log, is left alone)."""
    _end([p for p in procs if is_ray_process(p)], grace_s)


def remove_stale_temp_dirs(root: str = TEMP_ROOT) -> list[Path]:
    """Remove the ``bgray-*`` dirs of dead sessions of this host, killing the processes still using them.

    Dead: the owner recorded in the dir (pid, host, start time) is gone, or its pid now belongs to another
    process.  Never touched: a live owner's dir, another host's (a shared /tmp), another uid's, and a dir
    without an owner record that is young or still used by a process (made by an older biasgen, or by
    ``ray start`` on a Slurm job's other nodes, whose owner lives on the head)."""
    removed = []
    host, uid = socket.gethostname(), os.getuid()
    for path in sorted(Path(root).glob(f"{TEMP_PREFIX}*")):
        try:
            st = path.lstat()
        except OSError:
            continue
        if not path.is_dir() or path.is_symlink() or st.st_uid != uid:
            continue
        owner = _read_owner(path)
        if owner is None:
            if time.time() - st.st_mtime < UNOWNED_GRACE_S or processes_using(path):
                continue
        elif owner["host"] != host or _owner_alive(owner):
            continue
        else:
            _end_ray_processes(processes_using(path))
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


@contextlib.contextmanager
def owned_temp_dir(suffix: str | None = None) -> Iterator[Path]:
    """``/tmp/bgray-<suffix or random>``, mode 700, with an owner record; removed at the end, together with any
    process still using it.  Stale dirs of dead sessions go first (see :func:`remove_stale_temp_dirs`).
    Ray chmods its own temp dir to 777: give it a folder inside this one."""
    remove_stale_temp_dirs()
    if suffix is None:
        path = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=TEMP_ROOT))
    else:
        path = Path(TEMP_ROOT, TEMP_PREFIX + suffix)
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            owner = _read_owner(path)
            raise RuntimeError(
                f"{path} is in use"
                + (f" by pid {owner['pid']} on {owner['host']}" if owner else "")
                + "; it is removed once its owner has ended"
            ) from None
    try:
        path.chmod(0o700)
        tmp = path / f".{OWNER_FILE}.tmp"
        tmp.write_text(json.dumps(_owner_record()))
        tmp.rename(path / OWNER_FILE)
        yield path
    finally:
        with contextlib.suppress(Exception):
            _end_ray_processes(processes_using(path))
        shutil.rmtree(path, ignore_errors=True)


def token_file(path: Path) -> Path:
    """A Ray auth token at ``path``, created once (mode 600) and then read by every process that uses it: a
    private session's, or a Slurm job's cluster's on the shared filesystem (cluster/job.py)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path


# The ports Ray gives its components by default: a port the kernel hands us may be one of them (in a CI run the
# GCS drew 52365, the dashboard agent's default, and Ray refused "a port used by other components").
RAY_DEFAULT_PORTS = frozenset({6379, 8265, 10001, 52365})


def free_port(host: str = LOOPBACK) -> int:
    """A port free on ``host`` now, never one of Ray's defaults (a cluster started later would want it)."""
    while True:
        with socket.socket() as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        if port not in RAY_DEFAULT_PORTS:
            return port


def _port_taken(port: int) -> bool:
    """Someone listens on (or holds) the port; a closed connection's TIME_WAIT does not count."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return True
    return False


@contextlib.contextmanager
def _process_state(env: dict[str, str | None]) -> Iterator[None]:
    """This process's Ray settings for a private session, all restored afterwards (one process may open many
    sessions, and a later one may join a cluster): ``env`` in os.environ (None: unset), which the Ray
    processes inherit; and the three things Ray read once, before the session, from the environment.

    * ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER`` (read at import): unless it is 0, Ray replaces 127.0.0.1 by the
      host's IP and listens on every interface.
    * ``RAY_AUTH_MODE`` (cached config): a private session always asks for its token.
    * the auth token (cached at first use): this session's, not the last one's.
    """
    from ray._private import ray_constants
    from ray._raylet import AuthenticationMode, AuthenticationTokenLoader, Config, get_authentication_mode

    def put(values: dict[str, str | None]) -> None:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    saved = {k: os.environ.get(k) for k in env}
    saved_cluster = ray_constants.ENABLE_RAY_CLUSTER
    refresh_config = get_authentication_mode() != AuthenticationMode.TOKEN
    put(env)
    try:
        ray_constants.ENABLE_RAY_CLUSTER = False
        if refresh_config:
            Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()
        yield
    finally:
        put(saved)
        ray_constants.ENABLE_RAY_CLUSTER = saved_cluster
        if refresh_config:
            Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()


@contextlib.contextmanager
def _private_session(ray_cfg, resources: dict[str, float] | None) -> Iterator[None]:
    """A local Ray of our own: in an owned dir, on 127.0.0.1 only, with its own token, its address exported."""
    import ray

    num_gpus = None
    if ray_cfg.use_gpu:
        import torch

        num_gpus = torch.cuda.device_count()
    with owned_temp_dir() as root:
        token = token_file(root / "token")
        for attempt in range(3):
            # Ports chosen up front: the address is exported to every process, and the dashboard's (recorded
            # for the state API, although no dashboard listens) must not be the host-wide default 8265.
            port, dashboard_port = free_port(), free_port()
            address = f"{LOOPBACK}:{port}"
            env = {
                "RAY_ADDRESS": address,
                PRIVATE_ADDRESS_VAR: address,
                "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
                "RAY_AUTH_MODE": "token",
                "RAY_AUTH_TOKEN_PATH": str(token),
            }
            with _process_state(env | {"RAY_AUTH_TOKEN": None, "RAY_GCS_SERVER_PORT": str(port)}):
                try:
                    ray.init(
                        address="local",
                        num_cpus=local_cpus(ray_cfg),
                        num_gpus=num_gpus,
                        resources=resources,
                        include_dashboard=False,
                        dashboard_port=dashboard_port,
                        _temp_dir=str(root / "ray"),
                        _node_ip_address=LOOPBACK,
                        runtime_env={"env_vars": worker_env(ray_cfg) | env},
                        log_to_driver=True,
                        configure_logging=True,
                        logging_level="warning",
                        logging_config=ray.LoggingConfig(log_level="ERROR"),
                    )
                except BaseException as e:
                    ray.shutdown()
                    if isinstance(e, Exception) and attempt < 2 and (_port_taken(port) or _port_taken(dashboard_port)):
                        continue  # another process took a port between our choice and Ray's bind: choose again
                    raise
                os.environ.pop("RAY_GCS_SERVER_PORT")  # read at the head's start only
                try:
                    where = ray.get_runtime_context().gcs_address
                    if where != address or ray.util.get_node_ip_address() != LOOPBACK:
                        raise RuntimeError(
                            f"the private Ray session listens at {where} (node "
                            f"{ray.util.get_node_ip_address()}), not at {address} only: "
                            f"this Ray version no longer binds it to {LOOPBACK}"
                        )
                    yield
                finally:
                    ray.shutdown()
                    _end(session_stragglers(address))
                return


@contextlib.contextmanager
def ray_session(ray_cfg, resources: dict[str, float] | None = None) -> Iterator[None]:
    """Ray for the driver until the block ends: the one already initialised, the cluster at
    :func:`cluster_address`, or else a private one (see the module's doc)."""
    import ray

    if ray.is_initialized():  # inside a Tune trial or a caller's session: use it as it is
        yield
        return
    address = cluster_address(ray_cfg)
    if not address:
        with _private_session(ray_cfg, resources):
            yield
        return
    ray.init(address=address, runtime_env={"env_vars": worker_env(ray_cfg)}, log_to_driver=True)
    try:
        yield
    finally:
        ray.shutdown()


def local_cpus(ray_cfg) -> int:
    """The CPUs a private local Ray offers: ``ray.num_cpus``, or this machine's cores."""
    return ray_cfg.num_cpus or os.cpu_count() or 1


def check_resources(ray_cfg) -> None:
    """Fail before starting if the trial can never be placed (Ray would wait forever)."""
    import ray

    have = ray.cluster_resources()
    cpus = ray_cfg.num_workers * ray_cfg.cpus_per_worker
    if have.get("CPU", 0) < cpus:
        raise ResourceError(
            f"ray.num_workers={ray_cfg.num_workers} x ray.cpus_per_worker={ray_cfg.cpus_per_worker} "
            f"needs {cpus} CPUs but the Ray cluster has {have.get('CPU', 0):g}"
        )
    if ray_cfg.use_gpu and have.get("GPU", 0) < ray_cfg.num_workers:
        raise ResourceError(
            f"ray.use_gpu with ray.num_workers={ray_cfg.num_workers} needs {ray_cfg.num_workers} GPUs "
            f"but the Ray cluster has {have.get('GPU', 0):g}"
        )
