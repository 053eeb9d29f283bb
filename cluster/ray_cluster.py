"""A Ray cluster made of ``ray start --block`` processes we own: explicit ports (so jobs sharing a node do
not collide), token authentication from a per-job token file, a private temp dir per node, and a custom
``trial_slot`` resource per node for the sweep's concurrency. Stopped by PID with :func:`sweeps.ui.stop`
(SIGTERM to each process group, which ends the Ray processes that ``ray start`` began), never by ``ray stop``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from trainer.runtime_env import apply_defaults


@dataclass(frozen=True)
class Ports:
    """Every port a Ray node opens, from one base: base .. base+49 (base+3 unused)."""

    base: int

    def args(self, head: bool) -> list[str]:
        b = self.base
        out = [
            f"--node-manager-port={b + 1}",
            f"--object-manager-port={b + 2}",
            f"--dashboard-agent-grpc-port={b + 4}",
            f"--dashboard-agent-listen-port={b + 5}",
            f"--metrics-export-port={b + 6}",
            f"--runtime-env-agent-port={b + 7}",
            f"--min-worker-port={b + 10}",
            f"--max-worker-port={b + 49}",
        ]
        return ([f"--port={b}"] if head else []) + out  # (no Ray Client server: it needs ray[client])


def ray_env(token: Path) -> dict[str, str]:
    """Environment of every Ray process of the cluster (and of the driver)."""
    env = {**os.environ, **apply_defaults()}
    env |= {
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN_PATH": str(token),
        "RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S": "0",  # a stopped node exits now, not after 30 s
        "RAY_USAGE_STATS_ENABLED": "0",
    }
    env.pop("RAY_AUTH_TOKEN", None)
    return env


def ray_bin() -> str:
    return str(Path(sys.executable).with_name("ray"))


def start_node(
    *,
    head_address: str | None,
    ports: Ports,
    cpus: int,
    gpus: int,
    resources: dict[str, float],
    temp_dir: str,
    env: dict[str, str],
    node_ip: str | None = None,
    launcher: list[str] = (),
    log: Path | None = None,
) -> subprocess.Popen:
    """``ray start --block`` for the head (``head_address`` None) or a worker joining it; ``launcher`` prefixes
    the command (``srun …`` for the other nodes of a Slurm job)."""

    cmd = [
        *launcher,
        ray_bin(),
        "start",
        "--block",
        "--head" if head_address is None else f"--address={head_address}",
        *ports.args(head_address is None),
        f"--num-cpus={cpus}",
        f"--num-gpus={gpus}",
        f"--resources={json.dumps(resources)}",
        f"--temp-dir={temp_dir}",
        "--disable-usage-stats",
    ]
    if head_address is None:
        cmd.append("--include-dashboard=false")
    if node_ip:
        cmd.append(f"--node-ip-address={node_ip}")
    out = open(log, "ab") if log else subprocess.DEVNULL
    return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for_nodes(
    address: str, n: int, procs: list[subprocess.Popen], env: dict[str, str], timeout_s: float = 180.0
) -> None:
    """Until ``n`` nodes are alive (asked in a subprocess, so this driver's own ray.init comes later, clean)."""
    probe = (
        "import ray, sys; ray.init(address=sys.argv[1], logging_level='error', log_to_driver=False); "
        "print(sum(1 for x in ray.nodes() if x['Alive']))"
    )
    deadline, alive = time.time() + timeout_s, 0
    while time.time() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(
                    f"a Ray node exited with status {p.returncode} while the cluster started "
                    f"(command: {' '.join(map(str, p.args))[:300]})"
                )
        try:
            r = subprocess.run(
                [sys.executable, "-c", probe, address], env=env, capture_output=True, text=True, timeout=30
            )
            lines = r.stdout.strip().splitlines()
            alive = int(lines[-1]) if r.returncode == 0 and lines and lines[-1].isdigit() else 0
        except subprocess.TimeoutExpired:  # the head is not listening yet
            alive = 0
        if alive >= n:
            return
        time.sleep(2)
    raise RuntimeError(f"the Ray cluster at {address} has {alive} of {n} nodes after {timeout_s:.0f} s")
