"""`launch.py ui`: a real MLflow UI on 127.0.0.1 for the configured store, stopped cleanly by Ctrl-C."""

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from helpers import ctrl_c_reaches_it, free_port

from trainer.runtime_env import REPO_ROOT


@pytest.mark.e2e
def test_ui_serves_the_store_and_stops_on_ctrl_c(tmp_path):
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    c = MlflowClient(tracking_uri=uri)
    exp = c.create_experiment("ui-check", artifact_location=(tmp_path / "mlartifacts").as_uri())
    run = c.create_run(exp, run_name="a-trial")
    c.log_metric(run.info.run_id, "heldout/gain", 0.25)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "launch.py"), "ui", "--tracking-uri", uri, "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_reaches_it,  # stopped by SIGINT, as Ctrl-C would
    )
    try:
        line = proc.stdout.readline()  # printed once the server answers /health
        assert f"http://127.0.0.1:{port}" in line, line + proc.stderr.read() if proc.poll() is not None else line
        body = json.dumps({"max_results": 10, "experiment_ids": [exp]}).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/ajax-api/2.0/mlflow/runs/search",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            runs = json.loads(r.read())["runs"]
        assert [x["info"]["run_name"] for x in runs] == ["a-trial"]
        assert runs[0]["data"]["metrics"][0] == {**runs[0]["data"]["metrics"][0], "key": "heldout/gain", "value": 0.25}
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    time.sleep(0.5)
    with socket.socket() as s:  # nothing listens any more: the server and its worker are gone
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_the_runs_link_opens_a_saved_view_with_the_axes_and_headline_metrics(tmp_path):
    """The UI takes no columns from the URL: the link names a saved view (an experiment tag in the format the
    UI's bundle parses) that holds the filter, the order and the columns."""
    from urllib.parse import parse_qs, urlsplit

    from sweeps import ui
    from trainer import tracking

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    exp = tracking.experiment_id(uri, "s", str(tmp_path / "mlartifacts"))
    tracking.create_run(uri, exp, "sweep-s", {"sweep.axes": "data.mix,model.size"}, {"biasgen.role": "sweep"})
    base = "http://127.0.0.1:5000"
    [line] = ui.sweep_links(uri, base)
    url = line.split(": ", 1)[1]
    assert line.startswith("  sweep s: ") and url.startswith(f"{base}/#/experiments/{exp}/runs?")
    q = parse_qs(urlsplit(url).fragment.split("?", 1)[1])
    # A search facet in the URL would make the UI ignore the saved view.
    assert set(q) == {"viewStateShareKey", "workflowType"} and q["workflowType"] == ["machine_learning"]
    tags = tracking.client(uri).get_experiment(exp).tags
    envelope = json.loads(tags["mlflow.sharedViewState." + q["viewStateShareKey"][0]])
    assert isinstance(envelope["name"], str) and isinstance(envelope["createdAt"], int)
    state = json.loads(envelope["state"])
    assert state["selectedColumns"] == [
        "attributes.`Dataset`",
        "params.`data.mix`",
        "params.`model.size`",
        "metrics.`heldout/gain`",
        "metrics.`heldout/gain_lo`",
        "metrics.`heldout/gain_hi`",
        "metrics.`heldout/rate`",
        "metrics.`train/rate`",
        "metrics.`knowledge/acc`",
    ]
    assert state["columnOrder"] == state["selectedColumns"] and set(state["columnWidths"]) == set(
        state["selectedColumns"]
    )
    assert state["searchFilter"] == "tags.`biasgen.role` = 'trial'" and state["orderByKey"] == "metrics.`heldout/gain`"
    assert state["orderByAsc"] is False
    # Printing the link again writes nothing new; other columns are another view; charts are the same view.
    assert ui.sweep_links(uri, base) == [line]
    other = ui.runs_url(uri, base, exp, ["seed"], ["heldout/gain"])
    charts = ui.runs_url(uri, base, exp, ["data.mix", "model.size"], charts=True)
    assert charts == url + "&compareRunsMode=CHART" and other != url
    views = [k for k in tracking.client(uri).get_experiment(exp).tags if k.startswith("mlflow.sharedViewState.")]
    assert len(views) == 2
