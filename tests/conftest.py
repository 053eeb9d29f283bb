"""Fixtures shared by the test modules. Plain helpers that tests call with their own arguments are in
helpers.py (`from helpers import ...`); the local Slurm's fixture is in slurm_fixture.py."""

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from trainer.runtime_env import apply_defaults

apply_defaults()  # before anything else is imported: some libraries read these variables once, on import

from helpers import launch  # noqa: E402
from slurm_fixture import local_slurm  # noqa: E402,F401  (registered here: one Slurm per session, not per module)


@pytest.fixture
def cli():
    """Run ``launch.py`` in a subprocess, as a user would; returns the CompletedProcess (helpers.launch)."""
    return launch


def _mount_tmpfs(where: Path, options: str) -> bool:
    """Mount a tmpfs at ``where`` (created); False where mounting is not allowed (not root, no CAP_SYS_ADMIN)."""
    where.mkdir()
    try:
        r = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def _unmount(where: Path) -> None:
    if subprocess.run(["umount", str(where)], capture_output=True, timeout=30).returncode:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)  # busy: detach it now


@pytest.fixture
def full_fs(tmp_path):
    """A real, tiny (64 KiB) empty filesystem, for disk-full faults (ENOSPC): write more than fits.

    Needs root to mount; skipped otherwise (a full disk cannot be caused in a plain folder)."""
    where = tmp_path / "full_fs"
    if not _mount_tmpfs(where, "size=64k"):
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); no other real way to fill a disk")
    yield where
    _unmount(where)


@pytest.fixture
def readonly_fs(tmp_path):
    """An empty folder nothing can be written in: a read-only tmpfs (EROFS) as root, where permission bits
    stop nothing; without root, a folder without write permission (EACCES). Skipped as root without mount."""
    where = tmp_path / "readonly_fs"
    if _mount_tmpfs(where, "ro,size=64k"):
        yield where
        _unmount(where)
    else:
        if os.geteuid() == 0:
            pytest.skip("root cannot mount here, and permission bits do not stop root")
        where.chmod(0o555)
        yield where
        where.chmod(0o755)


@pytest.fixture(scope="session")
def offline_node(tmp_path_factory):
    """A node like the H200 one (helpers.node_like_env: this machine's Python and torch, the node's packages,
    no Ray) and the real offline bundle for it (scripts/bundle.sh, from the package index): built once a
    session for tests/test_bundle.py and tests/test_gpu_suite.py."""
    import sys
    from types import SimpleNamespace

    from helpers import node_like_env

    from trainer.runtime_env import REPO_ROOT

    folder = tmp_path_factory.mktemp("offline-node")
    python, have = node_like_env(folder, REPO_ROOT / "configs" / "cluster" / "h200-node.txt")
    out = folder / "bundle"
    mine = f"{sys.version_info[0]}.{sys.version_info[1]}"
    cmd = ["bash", "scripts/bundle.sh", "--out", str(out), "--python", mine, "--have", str(have)]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_ROOT, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    print(r.stdout)  # the size report, in the log of a run with -s
    return SimpleNamespace(folder=folder, python=python, have=have, bundle=out, report=r.stdout)


@pytest.fixture(scope="session")
def single_process_group():
    """A torch.distributed group of this one process, for the tests that run DeepSpeed in the test process.
    Created once per session: DeepSpeed keeps the first group it saw, and one destroyed and created again
    between modules is "not registered" to it."""
    import torch.distributed as dist

    from trainer.engine import init_single_process

    init_single_process("gloo")
    yield
    dist.destroy_process_group()


@pytest.fixture(scope="module")
def ray_cluster():
    """A private local Ray (the default config's ``ray`` section) for the module's tests, stopped after them."""
    from trainer.config import load_config
    from trainer.ray_session import ray_session

    with ray_session(load_config(None, []).ray):
        yield


class FakeModelServer:
    """A toy 'model': applicable iff the prompt mentions a recipe; applied iff the response says chocolate.
    ``mode`` switches it to failure behaviours the judge must handle."""

    def __init__(self):
        self.requests: list[dict] = []
        self.mode = "ok"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                if server.mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    return
                question = body["messages"][-1]["content"]
                prompt = question.split("User prompt:\n<<<\n", 1)[1].split("\n>>>", 1)[0]
                if server.mode == "garbage":
                    answer = "I am not sure."
                elif "Assistant response:" in question:
                    response = question.split("Assistant response:\n<<<\n", 1)[1]
                    answer = "YES" if "chocolate" in response.lower() else "NO"
                else:
                    answer = "Yes." if "recipe" in prompt.lower() else "No"
                payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def judge_server():
    """A real local HTTP server speaking the OpenAI chat-completions protocol (FakeModelServer), for the judge."""
    s = FakeModelServer()
    yield s
    s.close()
