"""The MLflow UI for the configured store, sized for a laptop: one worker, job execution off, bound to
127.0.0.1. Runs in the foreground; Ctrl-C stops the server and everything it started."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Sequence

from trainer import tracking


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


def start(
    uri: str, host: str, port: int, artifacts: str, extra: list[str] = (), log: Path | None = None
) -> subprocess.Popen:
    """The server in its own session (stopped as a group by :func:`stop`); output to ``log`` or our stderr."""
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    cmd = [
        str(Path(sys.executable).with_name("mlflow")),
        "ui",
        "--backend-store-uri",
        uri,
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        "1",
        "--artifacts-destination",
        artifacts,
        *extra,
    ]
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


HEADLINE_METRICS = ("heldout/gain", "heldout/gain_lo", "heldout/gain_hi", "heldout/rate", "train/rate", "knowledge/acc")
SAVED_VIEW_TAG = "mlflow.sharedViewState."  # the experiment-tag prefix under which the UI keeps saved views


def runs_view(axes: Sequence[str], metrics: Sequence[str] = HEADLINE_METRICS) -> dict:
    """The runs page's state for a sweep: trial runs only, best held-out gain first, every run drawn in the
    charts; as columns the corpus (Dataset), the axes, then the headline metrics, each wide enough for its
    name (the UI's default of 100 px cuts ``heldout/gain_lo`` and ``heldout/gain_hi`` to the same text).
    Keys as the UI's state has them; a column is ``params.`data.mix``` and the like."""
    columns = {
        "attributes.`Dataset`": 200,
        **{f"params.`{a}`": _width(a) for a in axes},
        **{f"metrics.`{m}`": _width(m) for m in metrics},
    }
    return {
        "searchFilter": "tags.`biasgen.role` = 'trial'",
        "orderByKey": "metrics.`heldout/gain`",
        "orderByAsc": False,
        "runsHiddenMode": "SHOW_ALL",
        "selectedColumns": list(columns),
        "columnOrder": list(columns),
        "columnWidths": columns,
    }


def _width(name: str) -> int:
    """Pixels for a column headed ``name``: 7 per character of the UI's header font, plus padding and the
    sort arrow."""
    return max(64, 7 * len(name) + 30)


def save_view(uri: str, experiment_id: str, state: dict, name: str) -> str:
    """Store ``state`` as one of the experiment's saved views and return its key. The UI's URL carries no
    columns; it opens a saved view by key (``?viewStateShareKey=``), reading it from the experiment tag
    ``mlflow.sharedViewState.<key>`` (an envelope: name, createdAt, the state as JSON). The key is a hash of
    the state, so the same view is written once however often a link to it is printed."""
    body = json.dumps(state, sort_keys=True)
    key = hashlib.sha256(body.encode()).hexdigest()[:32]
    c = tracking.client(uri)
    if SAVED_VIEW_TAG + key not in c.get_experiment(experiment_id).tags:
        envelope = {"name": name, "createdAt": int(time.time() * 1000), "state": body}
        c.set_experiment_tag(experiment_id, SAVED_VIEW_TAG + key, json.dumps(envelope))
    return key


def runs_url(
    uri: str,
    base: str,
    experiment_id: str,
    axes: Sequence[str] = (),
    metrics: Sequence[str] = HEADLINE_METRICS,
    charts: bool = False,
) -> str:
    """A link to the experiment's trial runs with ``axes`` (params) and ``metrics`` as visible columns, in the
    model-training view (MLflow 3 opens on GenAI traces otherwise); ``charts``: one chart per metric instead
    of the table. Saves the view on the experiment in the store at ``uri`` (see :func:`save_view`); the
    URL holds only its key, since a search facet in the URL (searchFilter, orderByKey, ...) would make the
    UI ignore the saved view."""
    key = save_view(uri, experiment_id, runs_view(axes, metrics), "biasgen: trials, headline metrics and axes")
    q = {"viewStateShareKey": key, "workflowType": "machine_learning"}
    if charts:
        q["compareRunsMode"] = "CHART"
    return f"{base}/#/experiments/{experiment_id}/runs?{urllib.parse.urlencode(q)}"


def sweep_url(uri: str, base: str, parent_run_id: str) -> str:
    """The runs link of the sweep whose parent run is ``parent_run_id``: its axes (the parent's
    ``sweep.axes`` param) and the headline metrics as columns."""
    parent = tracking.client(uri).get_run(parent_run_id)
    axes = [a for a in parent.data.params.get("sweep.axes", "").split(",") if a]
    return runs_url(uri, base, parent.info.experiment_id, axes)


def sweep_links(uri: str, base: str) -> list[str]:
    """One line per sweep in the store: where its runs are in the UI."""
    c = tracking.client(uri)
    out = []
    for exp in c.search_experiments(max_results=1000):
        parent = tracking.find_run(uri, exp.experiment_id, {"biasgen.role": "sweep"})
        if parent:
            out.append(f"  sweep {exp.name}: {sweep_url(uri, base, parent.info.run_id)}")
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
