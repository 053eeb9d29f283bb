"""Sweeps on a real local Ray + Tune, recorded in a real MLflow store: the smoke sweep killed mid-way and
resumed; a failing trial that does not stop the others."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from trainer.runtime_env import REPO_ROOT


def runs(db: Path) -> list[dict]:
    """The store's visible (active) runs with their tags, params and latest metrics, read straight from sqlite."""
    if not db.exists():
        return []
    with sqlite3.connect(db) as c:
        try:
            rows = c.execute("select run_uuid, status, name from runs where lifecycle_stage = 'active'").fetchall()
        except sqlite3.OperationalError:  # tables not created yet
            return []
        out = []
        for run_id, status, name in rows:
            def table(kind: str) -> dict:
                return dict(c.execute(f"select key, value from {kind} where run_uuid=?", (run_id,)).fetchall())

            out.append({"id": run_id, "status": status, "name": name, "tags": table("tags"), "params": table("params"),
                        "metrics": table("latest_metrics")})
        return out


def sweep_cmd(*args: str) -> list[str]:
    return [sys.executable, str(REPO_ROOT / "launch.py"), "sweep", *args]


def test_smoke_sweep_killed_and_resumed(tmp_path):
    db = tmp_path / "mlflow.db"
    proc = subprocess.Popen(sweep_cmd("smoke"), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.time() + 400
        while time.time() < deadline:  # wait until one trial has finished and the next has started
            trials = [r for r in runs(db) if r["tags"].get("biasgen.role") == "trial"]
            if sum(r["status"] == "FINISHED" for r in trials) >= 1 and len(trials) >= 2:
                break
            assert proc.poll() is None, proc.stdout.read().decode()[-3000:]
            time.sleep(2)
        else:
            raise AssertionError("no trial finished in time")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its private Ray, as an OOM kill would
        proc.wait()  # its temp dir is removed by the resumed run's start
    before = {r["id"]: r for r in runs(db)}
    r = subprocess.run(sweep_cmd("--resume", "smoke-sweep"), cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    import re

    done = re.search(r"(\d+) already finished", r.stdout)  # how many got done before the kill depends on load
    assert done and 1 <= int(done.group(1)) <= 3, r.stdout[-2000:]
    after = runs(db)
    trials = [x for x in after if x["tags"].get("biasgen.role") == "trial"]
    stage1 = [x for x in after if x["tags"].get("biasgen.role") == "stage1"]
    parents = [x for x in after if x["tags"].get("biasgen.role") == "sweep"]
    assert len(parents) == 1 and parents[0]["status"] == "FINISHED"
    assert len(trials) == 4 and all(t["status"] == "FINISHED" for t in trials)  # no duplicates
    assert len({t["tags"]["biasgen.trial_key"] for t in trials}) == 4
    assert all(t["tags"]["mlflow.parentRunId"] == parents[0]["id"] for t in trials + stage1)
    assert len(stage1) == 2 and all(s["status"] == "FINISHED" for s in stage1)  # one per distinct stage 1
    assert sorted(t["tags"]["biasgen.stage1_cache"] for t in trials).count("hit") >= 2
    for t in trials:
        assert t["tags"]["biasgen.stage1_run_id"] in {s["id"] for s in stage1}
        assert "heldout/gain" in t["metrics"] and "heldout/gain_lo" in t["metrics"]
    finished_first = [i for i, x in before.items() if x["status"] == "FINISHED" and x["tags"].get("biasgen.role") == "trial"]
    assert all(any(t["id"] == i for t in trials) for i in finished_first)  # kept, not rerun
    assert "heldout/gain [95%]" in r.stdout and "launch.py ui" in r.stdout
    # The sweep ends with the scaling analysis of this real store, attached to the parent run.
    assert "Scaling analysis: " in r.stdout and (tmp_path / "analysis" / "smoke-sweep" / "report.html").exists()
    from trainer import tracking

    c = tracking.client(f"sqlite:///{db}")
    assert "analysis/report.html" in {a.path for a in c.list_artifacts(parents[0]["id"], "analysis")}
    for t in trials:  # the axes as params under stable names, for the UI's compare view
        params = c.get_run(t["id"]).data.params
        assert {"data.mix", "finetune.fraction", "model.size", "seed"} <= set(params)
    text = (tmp_path / "analysis" / "smoke-sweep" / "analysis.txt").read_text()
    assert "4 finished trials of 4 points" in text and "too few points for a fit" in text  # one model size only


def test_a_failing_trial_does_not_stop_the_sweep(tmp_path):
    sweep = tmp_path / "failing.yaml"
    sweep.write_text(f"""name: failing
base: {REPO_ROOT / 'configs' / 'smoke.yaml'}
set:
  data.tokens: 16000
  eval.prompts_per_bias: 1
  eval.max_new_tokens: 8
  engine.grad_clip: 0.0
  engine.zero_stage: 0
  pretrain.warmup_ratio: 0.0
grid:
  pretrain.lr: [0.003, 1.0e12]
""")
    r = subprocess.run(sweep_cmd(str(sweep)), cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 1, (r.stdout + r.stderr)[-3000:]
    assert "1 failed" in r.stdout and "FAILED" in r.stdout
    all_runs = runs(tmp_path / "mlflow.db")
    trials = {x["name"]: x for x in all_runs if x["tags"].get("biasgen.role") == "trial"}
    assert trials["lr0.003"]["status"] == "FINISHED"
    assert trials["lr1000000000000.0"]["status"] == "FAILED"
    assert "loss is nan at step" in trials["lr1000000000000.0"]["tags"]["error"]
    parent = next(x for x in all_runs if x["tags"].get("biasgen.role") == "sweep")
    assert parent["status"] == "FAILED" and parent["tags"]["biasgen.trials_failed"] == "1"
