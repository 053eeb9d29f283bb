"""The private Ray session on a real local Ray: loopback only, its own token, its address exported (and taken
back), two at once on one host, and the leftovers of a killed one removed by the next start, never a live
one's.  The owner rules are also tested alone, on plain dirs and processes."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from helpers import holder, make_dir

from trainer import ray_session as rs
from trainer.config import RayConfig
from trainer.runtime_env import REPO_ROOT

pytestmark = pytest.mark.e2e  # real private Ray sessions

# A driver in its own process: opens a private session, says where it is, then obeys lines on stdin:
# "lookup": a task asks Ray's own helpers which cluster they find; "fit DIR": a tiny all-reduce on a trial's
# worker group (trainer/worker_group.py); "end" (or end of input): ends the session.
CHILD = r"""
import json, os, sys
from trainer.runtime_env import apply_defaults
apply_defaults()
import ray
from trainer.config import RayConfig
from trainer.ray_session import ray_session
from trainer.worker_group import WorkerGroup

def loop(config):
    import torch, torch.distributed as dist
    dist.init_process_group("gloo")
    t = torch.ones(1) * (dist.get_rank() + 1)
    dist.all_reduce(t)
    return float(t.item())

@ray.remote
def lookup():
    from ray._private.services import canonicalize_bootstrap_address_or_die
    from ray.dashboard.utils import get_address_for_submission_client
    return [canonicalize_bootstrap_address_or_die(None), get_address_for_submission_client(None)]

with ray_session(RayConfig(num_workers=2, cpus_per_worker=1)):
    print("READY " + json.dumps({"root": os.path.dirname(os.environ["RAY_AUTH_TOKEN_PATH"]),
                                 "address": os.environ["RAY_ADDRESS"]}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if cmd[0] == "lookup":
            print("LOOKUP " + json.dumps(ray.get(lookup.remote())), flush=True)
        elif cmd[0] == "fit":
            with WorkerGroup(RayConfig(num_workers=2), name="tiny") as group:
                print("FIT " + json.dumps(group.run(loop, {})), flush=True)
        else:
            break
"""


class Child:
    """A child driver (see CHILD) and everything it printed."""

    def __init__(self, env: dict[str, str]):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)},
        )
        self.out: list[str] = []

    def expect(self, prefix: str) -> str:
        """What follows ``prefix`` on the next line that starts with it."""
        for line in self.proc.stdout:
            self.out.append(line)
            if line.startswith(prefix + " "):
                return line[len(prefix) + 1 :]
        self.proc.wait()
        raise AssertionError(f"the child ended (exit {self.proc.returncode}) before printing {prefix}:\n{self.text()}")

    def ask(self, command: str, prefix: str):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self.expect(prefix))

    def end(self, timeout: float = 120) -> str:
        rest, _ = self.proc.communicate("end\n", timeout=timeout)
        self.out.append(rest)
        assert self.proc.returncode == 0, self.text()
        return "".join(self.out)

    def text(self) -> str:
        return "".join(self.out)[-4000:]


@pytest.fixture
def children():
    """Start child drivers all at once, one per environment given; returns each with its READY info."""
    made: list[Child] = []

    def start(*envs: dict[str, str]) -> list[tuple[Child, dict]]:
        new = [Child(env) for env in envs]
        made.extend(new)
        return [(c, json.loads(c.expect("READY"))) for c in new]

    yield start
    for c in made:
        if c.proc.poll() is None:
            c.proc.kill()
            c.proc.wait()


def is_loopback(ip: str) -> bool:
    addr = ipaddress.ip_address(ip.split("%")[0])
    return (getattr(addr, "ipv4_mapped", None) or addr).is_loopback


def bound_addresses(procs: list, skip: frozenset = frozenset()) -> list[tuple[int, str, str]]:
    """(pid, name, ip) of every listening TCP socket and every bound UDP socket of ``procs``, but those whose
    (pid, ip, port) is in ``skip`` (what this test process had open before, e.g. an earlier test's torch store)."""
    out = []
    for p in procs:
        try:
            for c in p.net_connections(kind="inet"):
                if c.laddr and (c.status == psutil.CONN_LISTEN or (c.type == socket.SOCK_DGRAM and not c.raddr)):
                    if (p.pid, c.laddr.ip, c.laddr.port) not in skip:
                        out.append((p.pid, p.name(), c.laddr.ip))
        except psutil.NoSuchProcess:
            pass
    return out


def gcs_probe(address: str, **env: str) -> subprocess.CompletedProcess:
    """A bare GCS client, with the current environment plus ``env``: fails fast (no ray.init retries) when the
    cluster refuses it."""
    code = (
        "import ray._raylet as r, sys; r.GcsClient(address=sys.argv[1]).internal_kv_keys(b'', namespace=None); "
        "print('ADMITTED')"
    )
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", **env}
    return subprocess.run([sys.executable, "-c", code, address], env=env, capture_output=True, text=True, timeout=120)


# --- the owner rules, on plain dirs (no Ray) -------------------------------------------------------------------


def test_stale_dirs_go_with_their_orphans_and_no_other_dir_is_touched(tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended_start = psutil.Process(ended.pid).create_time()
    ended.wait()
    host, me = socket.gethostname(), psutil.Process()
    dead = make_dir(tmp_path, "dead", {"pid": ended.pid, "host": host, "started": ended_start})
    reused = make_dir(tmp_path, "reused", {"pid": me.pid, "host": host, "started": me.create_time() - 1000})
    live = make_dir(tmp_path, "live", {"pid": me.pid, "host": host, "started": me.create_time()})
    elsewhere = make_dir(tmp_path, "elsewhere", {"pid": ended.pid, "host": host + "-other", "started": ended_start})
    unowned_young = make_dir(tmp_path, "young", None)
    unowned_in_use = make_dir(tmp_path, "inuse", None, age_s=3600)
    unowned_old = make_dir(tmp_path, "old", None, age_s=3600)
    kept = [live, elsewhere, unowned_young, unowned_in_use]
    if os.getuid() == 0:  # a dead session's dir, but another user's
        kept.append(make_dir(tmp_path, "theirs", {"pid": ended.pid, "host": host, "started": ended_start}))
        os.chown(kept[-1], 65534, 65534)
    orphan, bystander = holder(dead, "ray::IDLE"), holder(dead)  # a Ray worker left behind; a `tail -f`, say
    live_user, unowned_user = holder(live, "ray::IDLE"), holder(unowned_in_use, "ray::IDLE")
    procs = [orphan, bystander, live_user, unowned_user]
    try:
        deadline = time.time() + 30
        while len({p.pid for d in (dead, live, unowned_in_use) for p in rs.processes_using(d)}) < 4:
            assert time.time() < deadline, "the holder processes did not open their files"
            time.sleep(0.1)
        assert [rs.is_ray_process(psutil.Process(p.pid)) for p in procs] == [True, False, True, True]
        removed = rs.remove_stale_temp_dirs(str(tmp_path))
        assert sorted(removed) == sorted([dead, reused, unowned_old])
        assert not dead.exists() and not reused.exists() and not unowned_old.exists()
        assert orphan.wait(timeout=30) is not None  # the dead session's Ray process was ended
        for d in kept:
            assert (d / "ray").is_dir(), d
        assert [p.poll() for p in procs[1:]] == [None, None, None]  # nothing else was touched
    finally:
        for p in procs:
            p.kill()
            p.wait()


RAY_PACKAGE = os.path.dirname(rs.importlib.util.find_spec("ray").origin)


@pytest.mark.parametrize(
    "cmdline, ray",
    [
        (["ray::DashboardAgent"], True),
        ([f"{RAY_PACKAGE}/core/src/ray/raylet/raylet", "--node_ip_address=127.0.0.1"], True),
        ([sys.executable, f"{RAY_PACKAGE}/_private/log_monitor.py", "--session-dir=/tmp/x"], True),
        # an agent still starting, before it renames itself: what a driver SIGKILLed during ray.init leaves
        ([sys.executable, "-u", f"{RAY_PACKAGE}/dashboard/agent.py", "--temp-dir=/tmp/x"], True),
        ([sys.executable, "-W", "ignore", "-X", "dev", f"{RAY_PACKAGE}/dashboard/agent.py"], True),
        ([sys.executable, str(Path(sys.executable).parent / "ray"), "start", "--block"], True),
        (["tail", "-f", f"{RAY_PACKAGE}/dashboard/agent.py"], False),  # names a file of Ray's, but is not one
        ([sys.executable, "-u", "train.py", f"{RAY_PACKAGE}/x.py"], False),
        ([sys.executable, "-c", "import ray"], False),
        ([], False),
    ],
)
def test_what_counts_as_a_ray_process(cmdline, ray):
    class Proc:
        info = {"cmdline": cmdline}

    assert rs.is_ray_process(Proc()) is ray


def test_a_named_dir_of_a_live_owner_is_refused_and_a_dead_ones_is_taken_over():
    suffix = f"test-{os.getpid()}"
    with rs.owned_temp_dir(suffix) as d:
        assert d == Path(rs.TEMP_ROOT, rs.TEMP_PREFIX + suffix) and (d.stat().st_mode & 0o777) == 0o700
        owner = json.loads((d / rs.OWNER_FILE).read_text())
        assert owner["pid"] == os.getpid() and owner["host"] == socket.gethostname()
        with pytest.raises(RuntimeError, match=f"in use by pid {os.getpid()}"):
            with rs.owned_temp_dir(suffix):
                pass
        assert d.is_dir()
        # As if this driver had been killed (a Slurm job requeued onto the same node): the next start takes over.
        (d / rs.OWNER_FILE).write_text(json.dumps({**owner, "started": owner["started"] - 1000}))
        with rs.owned_temp_dir(suffix) as again:
            assert again == d and json.loads((d / rs.OWNER_FILE).read_text()) == owner
    assert not d.exists()


# --- real private sessions -------------------------------------------------------------------------------------


def test_a_private_session_is_loopback_only_with_its_own_token(tmp_path, monkeypatch):
    from ray._private import ray_constants

    monkeypatch.setenv("HOME", str(tmp_path))  # the host-wide token would be created here
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", "/nonexistent/before")  # the caller's value, to be restored
    for key in ("RAY_ADDRESS", rs.PRIVATE_ADDRESS_VAR, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "RAY_GCS_SERVER_PORT"):
        monkeypatch.delenv(key, raising=False)
    import ray

    seen = []
    already = frozenset(
        (os.getpid(), c.laddr.ip, c.laddr.port) for c in psutil.Process().net_connections(kind="inet") if c.laddr
    )
    # a second session in the same process: its own token, not the first one's (cached); ray.num_cpus offered
    for cfg, cpus in ((RayConfig(), os.cpu_count()), (RayConfig(num_cpus=5), 5)):
        with rs.ray_session(cfg):
            assert ray.cluster_resources()["CPU"] == cpus
            address, token = os.environ["RAY_ADDRESS"], Path(os.environ["RAY_AUTH_TOKEN_PATH"])
            assert address.startswith("127.0.0.1:") and ray.get_runtime_context().gcs_address == address
            assert rs.cluster_address(cfg) == ""  # our own export: private, not a cluster to join
            assert token.parent.parent == Path(rs.TEMP_ROOT) and token.parent.name.startswith(rs.TEMP_PREFIX)
            assert (token.stat().st_mode & 0o777) == 0o600 and (token.parent.stat().st_mode & 0o777) == 0o700
            worker_env = ray.get(
                ray.remote(
                    lambda: {
                        k: os.environ.get(k)
                        for k in ("RAY_ADDRESS", "RAY_AUTH_TOKEN_PATH", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER")
                    }
                ).remote()
            )
            assert worker_env == {
                "RAY_ADDRESS": address,
                "RAY_AUTH_TOKEN_PATH": str(token),
                "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
            }
            procs = [psutil.Process()] + rs.processes_using(token.parent)
            names = {p.name() for p in procs}
            assert {"gcs_server", "raylet"} <= names, names
            bound = bound_addresses(procs, skip=already)
            assert any(pid != os.getpid() for pid, _, _ in bound)  # the session's processes were seen listening
            assert [b for b in bound if not is_loopback(b[2])] == []
            assert "ADMITTED" in gcs_probe(address).stdout  # the session's token file is the one in use
            refused = gcs_probe(address, RAY_AUTH_TOKEN="0" * 64)
            assert refused.returncode != 0 and "AuthenticationError" in refused.stderr, refused.stderr[-2000:]
            seen.append(token.parent)
        assert os.environ["RAY_AUTH_TOKEN_PATH"] == "/nonexistent/before"
        for key in ("RAY_ADDRESS", rs.PRIVATE_ADDRESS_VAR, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "RAY_GCS_SERVER_PORT"):
            assert key not in os.environ, key
        assert ray_constants.ENABLE_RAY_CLUSTER is True and not ray.is_initialized()
        assert not token.parent.exists() and rs.processes_using(token.parent) == []
    assert seen[0] != seen[1]
    assert not (tmp_path / ".ray").exists()  # ~/.ray/auth_token neither read nor created


def test_a_killed_sessions_dir_and_orphans_go_at_the_next_start_and_a_live_one_stays(children):
    # (the live one's driver has token auth switched off: its private session asks for its token all the same)
    (killed, k), (live, l_) = children({}, {"RAY_AUTH_MODE": "disabled"})
    for child, info in ((killed, k), (live, l_)):  # two Rays on the host: Ray's lookups still find their own
        assert child.ask("lookup", "LOOKUP")[0] == info["address"], child.text()
    assert k["address"] != l_["address"]
    killed.proc.kill()  # SIGKILL, as an OOM kill would: nothing of it can clean up
    killed.proc.wait()
    leftovers = rs.processes_using(k["root"])
    live_procs = rs.processes_using(l_["root"])
    assert live_procs
    with rs.owned_temp_dir() as fresh:  # what every private session's start does first
        assert fresh.is_dir()
    assert not Path(k["root"]).exists()
    assert rs.processes_using(k["root"]) == []
    assert not [p for p in leftovers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert Path(l_["root"], rs.OWNER_FILE).exists() and all(p.is_running() for p in live_procs)
    assert live.ask("lookup", "LOOKUP")[0] == l_["address"]  # the live session still works
    token = str(Path(l_["root"], "token"))
    assert "ADMITTED" in gcs_probe(l_["address"], RAY_AUTH_TOKEN_PATH=token).stdout
    assert "AuthenticationError" in gcs_probe(l_["address"], RAY_AUTH_MODE="disabled").stderr
    live.end()
    assert not Path(l_["root"]).exists()  # and cleans up after itself


@pytest.mark.slow
def test_two_private_sessions_at_once_each_fit_without_seeing_the_other(children, tmp_path):
    both = children({}, {})
    for i, (child, _) in enumerate(both):  # both sessions are up before either fits
        child.proc.stdin.write(f"fit {tmp_path / f'storage{i}'}\n")
        child.proc.stdin.flush()
    for child, _ in both:
        assert child.expect("FIT") == "3.0\n", child.text()
        out = child.end()
        assert "Found multiple active Ray instances" not in out, out[-4000:]


@pytest.mark.slow
def test_a_port_taken_between_choice_and_bind_is_chosen_again(monkeypatch):
    """The race that choosing the GCS port up front opens (Ray needs about 40 s to give up on it)."""
    import ray

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        first = iter([taken])
        choose = rs.free_port
        monkeypatch.setattr(rs, "free_port", lambda: next(first, None) or choose())
        monkeypatch.delenv("RAY_ADDRESS", raising=False)
        with rs.ray_session(RayConfig()):
            address = os.environ["RAY_ADDRESS"]
            assert address != f"127.0.0.1:{taken}" and ray.get_runtime_context().gcs_address == address
            assert ray.get(ray.remote(lambda: 1).remote()) == 1


@pytest.mark.slow
def test_a_cluster_is_joined_after_a_private_session_in_the_same_process(tmp_path, monkeypatch):
    """Nothing of the private session stays behind to misdirect a later join: not its address, not its
    loopback switch (the cluster's node is on the host's IP), not its cached token."""
    import ray
    from ray._private.services import get_node_ip_address

    from cluster import ray_cluster
    from sweeps import ui

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    with rs.ray_session(RayConfig()):
        private = os.environ["RAY_ADDRESS"]
    token = rs.token_file(tmp_path / "ray_token")
    env = ray_cluster.ray_env(token)
    ports = ray_cluster.Ports(28700)
    address = f"{get_node_ip_address()}:{ports.base}"
    assert not address.startswith("127.")
    with rs.owned_temp_dir(f"j{ports.base}") as root:  # as the Slurm job's head could use it
        head = ray_cluster.start_node(
            head_address=None,
            ports=ports,
            cpus=1,
            gpus=0,
            resources={"trial_slot": 1},
            temp_dir=str(root / "ray"),
            env=env,
            log=tmp_path / "head.log",
        )
        try:
            ray_cluster.wait_for_nodes(address, 1, [head], env)
            monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(token))
            with rs.ray_session(RayConfig(address=address)):
                assert ray.get_runtime_context().gcs_address == address != private
                assert ray.get(ray.remote(lambda: 1).remote()) == 1
        finally:
            ui.stop(head, timeout_s=30.0)
    assert not root.exists() and rs.processes_using(root) == []


def test_a_port_ray_uses_by_default_is_never_chosen(monkeypatch):
    """The kernel once handed the GCS 52365, the dashboard agent's default port, and Ray refused to start (a
    fault no test can cause on demand: the kernel's choice is faked)."""
    from ray._private import ray_constants

    defaults = {
        ray_constants.DEFAULT_PORT,
        ray_constants.DEFAULT_DASHBOARD_PORT,
        ray_constants.DEFAULT_DASHBOARD_AGENT_LISTEN_PORT,
    }
    assert defaults <= rs.RAY_DEFAULT_PORTS
    handed = iter([52365, 8265, 41234])

    class KernelSocket(socket.socket):
        def getsockname(self):
            return ("127.0.0.1", next(handed))

    monkeypatch.setattr(rs.socket, "socket", KernelSocket)
    assert rs.free_port() == 41234


def test_what_the_session_started_ends_with_it():
    """A process a worker of the session started that Ray does not end, as a compiler left by a rank killed mid-way
    through DeepSpeed's op build when the raylet went first (seen in CI): it ends with the session. Here it is
    started by the driver with a worker's environment (the session's address and a raylet's pid); what the
    driver starts with its own environment is not the session's to end."""
    with rs.ray_session(RayConfig(num_workers=1)):
        straggler = subprocess.Popen(["sleep", "300"], env=os.environ | {"RAY_RAYLET_PID": "1"})
        other = subprocess.Popen(["sleep", "300"])
        carrying = [p.pid for p in rs.session_stragglers(os.environ[rs.PRIVATE_ADDRESS_VAR])]  # Ray's own too
        assert straggler.pid in carrying and other.pid not in carrying
    try:
        assert straggler.wait(timeout=10) is not None  # ended (SIGTERM)
        assert other.poll() is None  # not the session's: left alone
    finally:
        for p in (straggler, other):
            p.kill()
