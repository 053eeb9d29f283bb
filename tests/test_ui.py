"""`launch.py ui`: a real MLflow UI on 127.0.0.1 for the configured store, stopped cleanly by Ctrl-C."""
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from trainer.runtime_env import REPO_ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ui_serves_the_store_and_stops_on_ctrl_c(tmp_path):
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    c = MlflowClient(tracking_uri=uri)
    exp = c.create_experiment("ui-check", artifact_location=(tmp_path / "mlartifacts").as_uri())
    run = c.create_run(exp, run_name="a-trial")
    c.log_metric(run.info.run_id, "heldout/gain", 0.25)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(REPO_ROOT / "launch.py"), "ui", "--tracking-uri", uri, "--port", str(port)],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # printed once the server answers /health
        assert f"http://127.0.0.1:{port}" in line, line + proc.stderr.read() if proc.poll() is not None else line
        body = json.dumps({"max_results": 10, "experiment_ids": [exp]}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/ajax-api/2.0/mlflow/runs/search", data=body,
                                     headers={"Content-Type": "application/json"})
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
