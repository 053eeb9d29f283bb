"""Preflight: a store that does not answer or cannot be written, and folders that cannot be written, are one
line each before Ray starts; a new sqlite store opened by several processes at once is created once."""

from __future__ import annotations

import multiprocessing as mp
import socket
import threading
import time

import pytest
from helpers import free_port

from trainer import tracking
from trainer.config import ConfigError
from trainer.preflight import check_store, writable_dir
from trainer.runtime_env import REPO_ROOT


@pytest.mark.e2e
def test_a_new_sqlite_store_is_created_with_its_folders(tmp_path):
    uri = f"sqlite:///{tmp_path / 'a' / 'b' / 'mlflow.db'}"
    check_store(uri)
    assert tracking.client(uri).search_experiments(max_results=5)  # tables exist (the Default experiment)


@pytest.mark.parametrize(
    "kind, message",
    [
        ("under_a_file", r": '.*/plain' is a file, expected a folder"),
        ("not_sqlite", r": not an SQLite database"),
        ("a_folder", r" is a folder, expected a database file"),
    ],
)
def test_bad_sqlite_stores(tmp_path, kind, message):
    (tmp_path / "plain").write_text("not a folder")
    (tmp_path / "notes.db").write_text("this is text, not a database")
    (tmp_path / "dir.db").mkdir()
    db = {
        "under_a_file": tmp_path / "plain" / "mlflow.db",
        "not_sqlite": tmp_path / "notes.db",
        "a_folder": tmp_path / "dir.db",
    }[kind]
    with pytest.raises(ConfigError, match=f"^tracking.uri: sqlite:///{db}{message}"):
        check_store(f"sqlite:///{db}")


def test_a_read_only_store(readonly_fs):
    with pytest.raises(
        ConfigError, match=r"^tracking.uri: sqlite:///.*: cannot write \((Read-only file system|Permission denied)\)"
    ):
        check_store(f"sqlite:///{readonly_fs / 'mlflow.db'}")


def _open_store(uri: str) -> None:
    check_store(uri)


@pytest.mark.e2e
def test_concurrent_first_opens_of_a_new_store(tmp_path):
    """Four processes open one new store at once (two sweeps started together): every one succeeds."""
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    procs = [mp.get_context("spawn").Process(target=_open_store, args=(uri,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]


def test_nothing_listening():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ConfigError, match=rf"^tracking.uri: no MLflow server answers at {url} \(.*refused"):
        check_store(url)


def test_a_server_that_never_answers():
    """Accepts connections and says nothing (a hung server): given up after the timeout, not MLflow's 250 s."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    url = f"http://127.0.0.1:{srv.getsockname()[1]}"
    try:
        with pytest.raises(
            ConfigError,
            match=rf"^tracking.uri: (no MLflow server answers at {url} \(.*timed out|"
            rf"the MLflow server at {url} did not answer within 2 s)",
        ):
            check_store(url, timeout_s=2.0)
    finally:
        stop.set()
        t.join()
        for s in held:
            s.close()
        srv.close()


def test_a_web_server_that_is_not_mlflow(tmp_path):
    from http.server import HTTPServer, SimpleHTTPRequestHandler

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), lambda *a: Quiet(*a, directory=str(tmp_path)))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        with pytest.raises(
            ConfigError, match=rf"^tracking.uri: the MLflow server at {url} answered 404 .* to /health$"
        ):
            check_store(url)
    finally:
        httpd.shutdown()


def test_folders(tmp_path, readonly_fs):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ConfigError, match=r"^data.cache_dir: '.*/f' is a file, expected a folder$"):
        writable_dir("data.cache_dir", tmp_path / "f")
    with pytest.raises(
        ConfigError, match=r"^output_dir: cannot write to '.*' \((Read-only file system|Permission denied)\)$"
    ):
        writable_dir("output_dir", readonly_fs / "runs")
    writable_dir("ray.storage", tmp_path / "new" / "ray")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f", "readonly_fs"]  # nothing created, no probe left


@pytest.mark.e2e
def test_the_cli_fails_fast_before_ray(tmp_path, cli):
    t0 = time.monotonic()
    r = cli(
        "run",
        "--config",
        str(REPO_ROOT / "configs" / "smoke.yaml"),
        f"tracking.uri=http://127.0.0.1:{free_port()}",
        cwd=tmp_path,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and r.stderr.startswith(
        "error: tracking.uri: no MLflow server"
    )
    assert not (tmp_path / ".cache").exists()  # nothing built: the data comes after the check
    assert time.monotonic() - t0 < 60  # a bound on a hang (MLflow's own retries take ~250 s), not a speed claim
