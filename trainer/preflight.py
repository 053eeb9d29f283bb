"""Checks run before Ray starts: the tracking store answers and takes writes, and every folder a trial writes to
is a writable folder. Each failure is one line naming the config key (a ``ConfigError``, exit status 2), found
in seconds instead of after Ray has started and MLflow has retried for minutes (an MLflow client retries an
unreachable server for about 250 s before it gives up)."""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterable

from .atomic import probe_writable
from .config import ConfigError, TrialConfig
from .manifest import locked
from .tracking import client, is_uri

STORE_TIMEOUT_S = 10.0
SQLITE_MAGIC = b"SQLite format 3\x00"


def preflight(cfgs: Iterable[TrialConfig]) -> None:
    """Every distinct store and folder of ``cfgs`` (the trials of a sweep, or one trial), each checked once."""
    seen: set[tuple[str, str]] = set()
    for cfg in cfgs:
        for key, path in (
            ("data.cache_dir", cfg.data.cache_dir),
            ("output_dir", cfg.output_dir),
            ("ray.storage", cfg.ray.storage),
            ("tracking.artifact_location", cfg.tracking.artifact_location),
        ):
            if (key, path) not in seen and not is_uri(path):
                seen.add((key, path))
                writable_dir(key, path)
        if ("tracking.uri", cfg.tracking.uri) not in seen:
            seen.add(("tracking.uri", cfg.tracking.uri))
            check_store(cfg.tracking.uri)


def writable_dir(key: str, path: str | Path) -> None:
    """``path`` is a folder we can write into, or can be created as one; one line saying why not. Nothing is
    created: a write probe goes into the nearest folder that exists (permission bits say nothing as root)."""
    p = Path(path).expanduser().absolute()
    try:
        probe_writable(p)
    except NotADirectoryError as e:
        raise ConfigError(f"{key}: {e.filename!r} is a file, expected a folder") from None
    except OSError as e:
        raise ConfigError(f"{key}: cannot write to {str(p)!r} ({e.strerror or e})") from None


def check_store(uri: str, timeout_s: float = STORE_TIMEOUT_S, must_exist: bool = False) -> None:
    """The MLflow store at ``uri`` answers and takes writes (a local store) within ``timeout_s``; with
    ``must_exist`` (reading results), a local store that is not there is an error, not a new empty store."""
    if uri.startswith("sqlite:///"):
        db = Path(uri[len("sqlite:///") :])
        if must_exist and not db.exists():
            raise ConfigError(
                f"tracking.uri: no MLflow store at {uri} (the file does not exist; give the store "
                "with --tracking-uri or $MLFLOW_TRACKING_URI)"
            )
        _check_sqlite(db)
    elif uri.startswith(("http://", "https://")):
        _check_server(uri.rstrip("/"), timeout_s)
    elif "://" not in uri:  # a file store (MLflow 3 needs MLFLOW_ALLOW_FILE_STORE=true)
        writable_dir("tracking.uri", uri)


def _check_sqlite(db: Path) -> None:
    where = f"tracking.uri: sqlite:///{db}"
    if db.is_dir():
        raise ConfigError(f"{where} is a folder, expected a database file")
    blocked = next((p for p in db.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise ConfigError(f"{where}: {str(blocked)!r} is a file, expected a folder")
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        with open(db, "ab"):
            pass
    except OSError as e:
        raise ConfigError(f"{where}: cannot write ({e.strerror or e})") from None
    with open(db, "rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head and head != SQLITE_MAGIC:
        raise ConfigError(f"{where}: not an SQLite database")
    with locked(
        db.with_name(db.name + ".init")
    ):  # two processes creating a new store's tables at once: one would crash
        try:
            client(f"sqlite:///{db}").search_experiments(max_results=1)
        except Exception as e:  # a store MLflow cannot open (corrupt, newer schema): one line, not 50
            first = next((line for line in str(e).splitlines() if line.strip()), type(e).__name__)
            raise ConfigError(f"{where}: MLflow cannot open it ({first[:300]})") from None


def _check_server(base: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    for path, body in (("/health", None), ("/api/2.0/mlflow/experiments/search", {"max_results": 1})):
        left = deadline - time.monotonic()
        if left <= 0:
            raise ConfigError(f"tracking.uri: the MLflow server at {base} did not answer within {timeout_s:.0f} s")
        try:
            _request(base + path, body, left)
        except urllib.error.HTTPError as e:
            hint = " (set MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD)" if e.code in (401, 403) else ""
            raise ConfigError(
                f"tracking.uri: the MLflow server at {base} answered {e.code} {e.reason} to {path}{hint}"
            ) from None
        except (OSError, ValueError) as e:  # URLError, timeouts, refused connections, malformed URLs
            reason = getattr(e, "reason", None) or e
            raise ConfigError(f"tracking.uri: no MLflow server answers at {base} ({reason})") from None


def _request(url: str, body: dict[str, Any] | None, timeout_s: float) -> None:
    headers = {"Content-Type": "application/json"}
    token = os.environ.get("MLFLOW_TRACKING_TOKEN")
    user, password = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    elif user and password:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    with urllib.request.urlopen(req, timeout=max(0.5, timeout_s)) as r:
        r.read()
