"""Sweeps on a real local Ray + Tune, recorded in a real MLflow store: the smoke sweep killed mid-way and
resumed; a failing trial that does not stop the others; SFT against DPO as a sweep axis, resumed."""

from __future__ import annotations

import csv
import os
import pty
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from helpers import holder, make_dir, mlflow_runs

from trainer.runtime_env import REPO_ROOT

pytestmark = pytest.mark.e2e  # sweeps on a real local Ray with DeepSpeed trials and MLflow


def sweep_cmd(*args: str) -> list[str]:
    return [sys.executable, str(REPO_ROOT / "launch.py"), "sweep", *args]


# Lines of Ray, Tune, DeepSpeed and MLflow internals that must not reach the console (they go to the log).
# (The sweep's own line naming the log file is the one line that may name them.)
INTERNALS = re.compile(
    r"^(?!.*output: .*sweep\.log).*(core_worker|raylet|PreemptionWatcher|worker group|DeepSpeed|"
    r"deepspeed|Trial status|== Status ==|\(pid=|INFO mlflow|Setting up process group|Traceback)",
    re.MULTILINE,
)


def run_in_terminal(cmd: list[str], cwd: Path, timeout: float) -> tuple[int, str]:
    """``cmd`` with a pseudo-terminal as stdout and stderr, as a person at a terminal runs it."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=slave, stderr=slave, stdin=subprocess.DEVNULL, env={**os.environ, "TERM": "xterm-256color"}
    )
    os.close(slave)
    chunks: list[bytes] = []

    def drain():  # keep reading, or the child blocks on a full terminal buffer
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        rc = proc.wait(timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
        reader.join(10)
        os.close(master)
    return rc, b"".join(chunks).decode("utf-8", "replace")


def lines_per_trial(text: str, names: list[str]) -> dict[str, int]:
    """Console lines naming each trial, the periodic sweep status lines aside."""
    lines = [ln for ln in text.splitlines() if not re.match(r"\[\d\d:\d\d:\d\d\] sweep: ", ln)]
    return {n: sum(re.search(rf"\b{re.escape(n)}\b", ln) is not None for ln in lines) for n in names}


def test_smoke_sweep_killed_and_resumed(tmp_path):
    db = tmp_path / "mlflow.db"
    proc = subprocess.Popen(
        sweep_cmd("smoke"), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.time() + 400
        while time.time() < deadline:  # wait until one trial has finished and the next has started
            trials = [r for r in mlflow_runs(db) if r["tags"].get("biasgen.role") == "trial"]
            if sum(r["status"] == "FINISHED" for r in trials) >= 1 and len(trials) >= 2:
                break
            assert proc.poll() is None, proc.stdout.read().decode()[-3000:]
            time.sleep(2)
        else:
            raise AssertionError("no trial finished in time")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its private Ray, as an OOM kill would
        proc.wait()  # its temp dir is removed by the resumed run's start
    first = proc.stdout.read().decode()
    assert "started   " in first and not INTERNALS.search(first), first[-3000:]  # plain lines into a pipe
    assert "\x1b" not in first
    before = {r["id"]: r for r in mlflow_runs(db)}
    # At a terminal: the live block redrawn in place, internals in the sweep's log file only.
    rc, out = run_in_terminal(sweep_cmd("--resume", "smoke-sweep"), tmp_path, timeout=600)
    assert rc == 0, out[-4000:]
    log = tmp_path / "runs" / "smoke-sweep" / "sweep.log"
    assert f"Ray, Tune, DeepSpeed and MLflow output: {log}" in out
    assert "\x1b[" in out and re.search(r"sweep: \d/4 done, \d running, 0 failed, ETA", out), out[-3000:]
    assert not INTERNALS.search(out), INTERNALS.search(out)
    assert re.search(r"biasgen: worker group \S+ started: 2 ranks", log.read_text())
    r = subprocess.CompletedProcess([], rc, stdout=re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out).replace("\r", ""))
    done = re.search(r"(\d+) already finished", r.stdout)  # how many got done before the kill depends on load
    assert done and 1 <= int(done.group(1)) <= 3, r.stdout[-2000:]
    after = mlflow_runs(db)
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
    finished_first = [
        i for i, x in before.items() if x["status"] == "FINISHED" and x["tags"].get("biasgen.role") == "trial"
    ]
    assert all(any(t["id"] == i for t in trials) for i in finished_first)  # kept, not rerun
    assert "held-out gain [95%]" in r.stdout and "launch.py ui" in r.stdout
    # The sweep ends with the scaling analysis of this real store, attached to the parent run.
    assert "Scaling analysis: " in r.stdout and (tmp_path / "analysis" / "smoke-sweep" / "report.html").exists()
    from trainer import tracking

    c = tracking.client(f"sqlite:///{db}")
    assert "analysis/report.html" in {a.path for a in c.list_artifacts(parents[0]["id"], "analysis")}
    assert "summary.txt" in {a.path for a in c.list_artifacts(parents[0]["id"])}
    for t in trials:  # the axes as params under stable names, for the UI's compare view
        params = c.get_run(t["id"]).data.params
        assert {"data.mix", "finetune.fraction", "model.size", "seed"} <= set(params)
    text = (tmp_path / "analysis" / "smoke-sweep" / "analysis.txt").read_text()
    assert "4 finished trials of 4 points" in text and "too few points for a fit" in text  # one model size only


def test_a_failing_trial_does_not_stop_the_sweep(tmp_path):
    sweep = tmp_path / "failing.yaml"
    sweep.write_text(f"""name: failing
base: {REPO_ROOT / "configs" / "smoke.yaml"}
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
    # Into a pipe: plain lines, the failure's reason on the console, internals only in the log.
    assert "\x1b" not in r.stdout + r.stderr and not INTERNALS.search(r.stdout + r.stderr), r.stdout + r.stderr
    assert re.search(r"FAILED +lr1000000000000.0: pretrain: loss is nan at step", r.stdout), r.stdout
    assert all(n <= 3 for n in lines_per_trial(r.stdout, ["lr0.003", "lr1000000000000.0"]).values()), r.stdout
    assert re.search(r"biasgen: worker group \S+ started", (tmp_path / "runs" / "failing" / "sweep.log").read_text())
    all_runs = mlflow_runs(tmp_path / "mlflow.db")
    trials = {x["name"]: x for x in all_runs if x["tags"].get("biasgen.role") == "trial"}
    assert trials["lr0.003"]["status"] == "FINISHED"
    assert trials["lr1000000000000.0"]["status"] == "FAILED"
    assert "loss is nan at step" in trials["lr1000000000000.0"]["tags"]["error"]
    parent = next(x for x in all_runs if x["tags"].get("biasgen.role") == "sweep")
    assert parent["status"] == "FAILED" and parent["tags"]["biasgen.trials_failed"] == "1"


DPO_METRICS = {"dpo/loss", "dpo/margin", "dpo/accuracy", "dpo/chosen_reward", "dpo/rejected_reward"}


def test_a_method_sweep_shares_stage1_and_reruns_an_interrupted_dpo_trial(tmp_path):
    """``finetune.method`` as a sweep axis: SFT and DPO of one cell train one stage 1; a DPO trial killed in
    stage 2 is rerun by ``--resume`` (the SFT trial kept), and a finished sweep resumed runs nothing.
    About 2 minutes on 2 quiet cores (4.5 under a load of 7): two sweep starts with a trial each, then one that
    runs nothing."""
    sweep = tmp_path / "methods.yaml"
    sweep.write_text(f"""name: methods
base: {REPO_ROOT / "configs" / "smoke.yaml"}
max_concurrent: 1  # SFT first (it trains the stage 1), then DPO: the kill below lands in the DPO trial
set:
  data.tokens: 16000
  finetune.examples_per_bias: 2
  eval.prompts_per_bias: 2
  eval.max_new_tokens: 16
  sft.micro_batch: 4
  dpo.sft_weight: 0.1
grid:
  finetune.method: [sft, dpo]
""")
    db = tmp_path / "mlflow.db"

    def trials() -> dict[str, dict]:
        return {
            r["params"].get("finetune.method"): r for r in mlflow_runs(db) if r["tags"].get("biasgen.role") == "trial"
        }

    proc = subprocess.Popen(
        sweep_cmd(str(sweep)), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.time() + 500
        while time.time() < deadline:  # the SFT trial done, the DPO trial past its stage 1 (a cache hit): stage 2
            now = trials()
            if now.get("sft", {}).get("status") == "FINISHED" and "biasgen.stage1_cache" in now.get("dpo", {}).get(
                "tags", {}
            ):
                break
            assert proc.poll() is None, proc.stdout.read().decode()[-3000:]
            time.sleep(0.5)
        else:
            raise AssertionError("the DPO trial did not reach stage 2 in time")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its private Ray, as an OOM kill would
        proc.wait()
    before = trials()
    assert before["dpo"]["status"] == "RUNNING" and before["dpo"]["tags"]["biasgen.stage1_cache"] == "hit"

    r = subprocess.run(sweep_cmd("--resume", "methods"), cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    assert "2 points, 1 already finished, 1 to run" in r.stdout, r.stdout[-2000:]
    after = trials()
    assert after["sft"]["id"] == before["sft"]["id"]  # kept, not rerun
    assert {t["status"] for t in after.values()} == {"FINISHED"}
    assert len([x for x in mlflow_runs(db) if x["tags"].get("biasgen.role") == "trial"]) == 2  # killed run replaced
    assert DPO_METRICS <= set(after["dpo"]["metrics"]) and "heldout/gain" in after["dpo"]["metrics"]
    assert 0.0 <= after["dpo"]["metrics"]["dpo/accuracy"] <= 1.0
    assert not any(k.startswith("dpo/") for k in after["sft"]["metrics"])
    # One stage 1 for both methods: one stage-1 run, one cache entry, the DPO trial's a hit on it.
    stage1 = [x for x in mlflow_runs(db) if x["tags"].get("biasgen.role") == "stage1"]
    assert len(stage1) == 1 and stage1[0]["status"] == "FINISHED"
    assert {t["tags"]["biasgen.stage1_run_id"] for t in after.values()} == {stage1[0]["id"]}
    assert (
        after["sft"]["tags"]["biasgen.stage1_cache"] == "miss" and after["dpo"]["tags"]["biasgen.stage1_cache"] == "hit"
    )
    entries = tmp_path / ".cache" / "biasgen" / "stage1_model"
    assert [p.name for p in entries.iterdir() if p.is_dir()] == [after["dpo"]["tags"]["biasgen.key.stage1_model"]]
    # The analysis tells the methods apart: two conditions, the method as their column.
    text = (tmp_path / "analysis" / "methods" / "analysis.txt").read_text()
    assert "2 finished trials of 2 points (2 runs) in 2 conditions" in text
    assert re.search(r" method=dpo$", text, re.MULTILINE) and re.search(r" method=sft$", text, re.MULTILINE), text
    with open(tmp_path / "analysis" / "methods" / "conditions.csv", newline="") as f:
        assert sorted(row["finetune.method"] for row in csv.DictReader(f)) == ["dpo", "sft"]

    # A rerun with nothing to run still removes what a killed driver left: its session dir and Ray processes.
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    owner = {"pid": ended.pid, "host": socket.gethostname(), "started": psutil.Process(ended.pid).create_time()}
    ended.wait()
    dead = make_dir(Path("/tmp"), f"test-{os.getpid()}-dead", owner)
    orphan = holder(dead, "ray::IDLE")
    try:
        r = subprocess.run(sweep_cmd("--resume", "methods"), cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert orphan.wait(timeout=30) is not None and not dead.exists()
    finally:
        orphan.kill()
        shutil.rmtree(dead, ignore_errors=True)
    assert r.returncode == 0 and "2 points, 2 already finished, 0 to run" in r.stdout, (r.stdout + r.stderr)[-3000:]
    assert {m: t["id"] for m, t in trials().items()} == {m: t["id"] for m, t in after.items()}
    assert len([x for x in mlflow_runs(db) if x["tags"].get("biasgen.role") == "stage1"]) == 1
