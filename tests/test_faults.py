"""Fault injection, end to end (slow tier): the faults a user or an operator meets, each asserting what must
hold afterwards — resumed, no duplicate runs, a clear one-line reason, nothing lost.

Every sweep here is a real `launch.py sweep` process: a private local Ray, Ray Tune + Ray Train with DeepSpeed
workers, a real MLflow store. The trials are tiny (two share one stage 1), so a fault costs seconds."""

from __future__ import annotations

import glob
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import free_port, mlflow_runs, start_mlflow_server

from trainer.runtime_env import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

TINY = f"""name: faults
base: {REPO_ROOT / "configs" / "smoke.yaml"}
set:
  data.tokens: 16000
  data.vocab_size: 600
  data.tokenizer_chars: 150000
  finetune.examples_per_bias: 2
  finetune.max_len: 128
  eval.prompts_per_bias: 1
  eval.probe_per_bias: 1
  eval.max_new_tokens: 8
  pretrain.micro_batch: 4
  pretrain.log_every: 2
  sft.micro_batch: 4
  sft.log_every: 2
grid:
  finetune.fraction: [0.5, 0.9]
"""


def sweep_file(tmp_path: Path, name: str = "faults", grid: str | None = None, extra_set: str = "") -> Path:
    text = TINY.replace("name: faults", f"name: {name}")
    if extra_set:
        text = text.replace("grid:", extra_set.rstrip() + "\ngrid:")
    if grid:
        text = text[: text.index("grid:")] + grid
    p = tmp_path / f"{name}.yaml"
    p.write_text(text)
    return p


def start(cwd: Path, *args: str, env: dict | None = None, log: str = "driver") -> subprocess.Popen:
    """A driver (`launch.py sweep ...`) in its own process group, output to cwd/<log>.out."""
    out = open(cwd / f"{log}.out", "wb")
    return subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "launch.py"), "sweep", *args],
        cwd=cwd,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )


def finish(proc: subprocess.Popen, cwd: Path, log: str = "driver", timeout: float = 600) -> tuple[int, str]:
    rc = proc.wait(timeout)
    return rc, (cwd / f"{log}.out").read_text(errors="replace")


def wait_for(cond, proc: subprocess.Popen, timeout: float = 400, what: str = "") -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        assert proc.poll() is None, f"the driver exited ({proc.returncode}) before {what}"
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def by_role(db: Path, role: str) -> list[dict]:
    return [r for r in mlflow_runs(db) if r["tags"].get("biasgen.role") == role]


def descendants(pid: int) -> list:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def alive(procs: list) -> list:
    return [p for p in procs if p.is_running() and p.status() != "zombie"]


def session_dirs_of(pid: int) -> list[str]:
    """The private Ray temp dirs whose recorded owner is ``pid``."""
    out = []
    for d in glob.glob("/tmp/bgray-*"):
        try:
            if json.loads(Path(d, "owner.json").read_text()).get("pid") == pid:
                out.append(d)
        except (OSError, ValueError):
            pass
    return out


def duplicate_metric_points(db: Path) -> list[tuple]:
    """(run, key, step) logged more than once, over active runs: what a reattached run used to collect."""
    with sqlite3.connect(db) as c:
        return c.execute(
            "select m.run_uuid, m.key, m.step, count(*) from metrics m join runs r on r.run_uuid = m.run_uuid "
            "where r.lifecycle_stage = 'active' group by m.run_uuid, m.key, m.step having count(*) > 1"
        ).fetchall()


def assert_complete(db: Path, n_trials: int, n_stage1: int) -> None:
    """One visible run per trial and stage 1, all FINISHED, no stale error tag, no duplicated metric point."""
    trials, stage1, parents = by_role(db, "trial"), by_role(db, "stage1"), by_role(db, "sweep")
    assert len(parents) == 1 and parents[0]["status"] == "FINISHED", parents
    assert len(trials) == n_trials and len({t["tags"]["biasgen.trial_key"] for t in trials}) == n_trials
    assert len(stage1) == n_stage1
    for r in trials + stage1 + parents:
        assert r["status"] == "FINISHED" and "error" not in r["tags"], (r["name"], r["status"], r["tags"].get("error"))
    assert all("heldout/gain" in t["metrics"] for t in trials)
    assert duplicate_metric_points(db) == []


def test_driver_sigkill_at_three_points_then_resume(tmp_path):
    """SIGKILL the driver (as the OOM killer would: the driver alone, its Ray left behind) while stage 1 trains,
    after the first trial finished, and at a random moment; the next run resumes with nothing duplicated or
    rerun, and removes what the killed drivers left behind (temp dirs, orphaned Ray processes)."""
    # two stage 1s: the second trial trains its own, so the kill after the first trial finds it still running
    db, f = tmp_path / "mlflow.db", sweep_file(tmp_path, grid="grid:\n  pretrain.lr: [3.0e-3, 2.0e-3]\n")
    killed: list[tuple[int, list, list[str]]] = []

    def kill(proc: subprocess.Popen) -> None:
        leftovers = descendants(proc.pid)
        dirs = session_dirs_of(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed.append((proc.pid, leftovers, dirs))

    p = start(tmp_path, str(f), log="run1")  # 1: while stage 1 trains
    wait_for(
        lambda: any(r["status"] == "RUNNING" and r["metrics"] for r in by_role(db, "stage1")),
        p,
        what="stage 1 logging its loss",
    )
    kill(p)
    p = start(tmp_path, str(f), log="run2")  # 2: right after the first trial finished
    wait_for(lambda: any(r["status"] == "FINISHED" for r in by_role(db, "trial")), p, what="a finished trial")
    first_done = {r["id"] for r in by_role(db, "trial") if r["status"] == "FINISHED"}
    kill(p)
    p = start(tmp_path, str(f), log="run3")  # 3: at a random moment of the next run
    time.sleep(random.Random(14).uniform(3, 25))
    if p.poll() is None:
        kill(p)
    p = start(tmp_path, str(f), log="run4")
    rc, out = finish(p, tmp_path, log="run4")
    assert rc == 0, out[-3000:]
    assert re.search(r"\b1 already finished, 1 to run\b", out), out[:500]  # the killed runs left it work
    assert_complete(db, n_trials=2, n_stage1=2)
    assert first_done <= {r["id"] for r in by_role(db, "trial")}  # kept, not rerun
    with sqlite3.connect(db) as c:  # every replaced run is kept (deleted, restorable) and linked from its successor
        deleted = {r[0] for r in c.execute("select run_uuid from runs where lifecycle_stage = 'deleted'")}
        replaced = {v for (v,) in c.execute("select value from tags where key = 'biasgen.replaces'")}
    assert deleted and deleted == replaced
    for pid, leftovers, dirs in killed:
        assert alive(leftovers) == [], f"processes of the driver killed as {pid} still run: {alive(leftovers)}"
        assert [d for d in dirs if os.path.exists(d)] == [], dirs
    assert "Traceback" not in out


def training_ranks(driver: int) -> list:
    """The driver's training processes: the Ray actors of its worker group (trainer/worker_group.py)."""
    return [p for p in descendants(driver) if "TrainingRank" in " ".join(_cmdline(p))]


def _cmdline(p) -> list[str]:
    try:
        return p.cmdline()
    except Exception:
        return []


def test_a_killed_worker_fails_its_trial_with_the_reason_and_a_rerun_recovers(tmp_path):
    db, f = tmp_path / "mlflow.db", sweep_file(tmp_path)
    p = start(tmp_path, str(f))
    wait_for(
        lambda: any(r["status"] == "RUNNING" and r["metrics"] for r in by_role(db, "stage1")),
        p,
        what="stage 1 training",
    )
    workers = training_ranks(p.pid)
    assert workers, "no training rank found under the driver"
    victim = workers[-1]
    victim.send_signal(signal.SIGKILL)
    rc, out = finish(p, tmp_path)
    assert rc == 1, out[-3000:]
    reason = rf"training worker rank \d \(pid {victim.pid}\) died: its process ended unexpectedly"
    trials = by_role(db, "trial")
    failed = [r for r in trials if r["status"] == "FAILED"]
    assert len(failed) == 1 and re.match(reason, failed[0]["tags"]["error"]), [r["tags"].get("error") for r in trials]
    # the other trial needed the same stage 1: it trained it again and finished
    assert sorted(r["status"] for r in trials) == ["FAILED", "FINISHED"]
    assert re.search(rf"\] FAILED +{failed[0]['name']}: {reason}", out), out[-3000:]  # the progress line
    last = out.strip().splitlines()[-1]  # the CLI's last line says why
    assert re.fullmatch(
        rf"error: trial {failed[0]['name']} failed: {reason}.*; rerun to retry: python launch.py "
        r"sweep --resume faults",
        last,
    ), last
    rc, out = finish(start(tmp_path, "--resume", "faults", log="resume"), tmp_path, log="resume")
    assert rc == 0, out[-3000:]
    assert_complete(db, n_trials=2, n_stage1=1)


def test_corrupted_stage1_and_data_entries_are_rebuilt(tmp_path):
    """A truncated stage-1 model and 4 KB moved inside a fine-tuning .arrow: the next sweep of another name on the
    same cache says so once per entry, rebuilds them, and gets the same data hash and results."""
    db, f = tmp_path / "mlflow.db", sweep_file(tmp_path, grid="grid:\n  finetune.fraction: [0.5]\n")
    rc, out = finish(start(tmp_path, str(f)), tmp_path)
    assert rc == 0, out[-3000:]
    first = by_role(db, "trial")[0]
    cache = tmp_path / ".cache" / "biasgen"
    model = next(cache.glob("stage1_model/*/model/model.safetensors"))
    model.write_bytes(model.read_bytes()[:1024])
    arrow = next(cache.glob("finetune/*/dataset/*.arrow"))
    blob = bytearray(arrow.read_bytes())
    middle = len(blob) // 2
    blob[middle : middle + 4096] = (
        blob[middle + 4096 : middle + 8192] + blob[middle : middle + 4096]
    )  # moved, same size
    arrow.write_bytes(bytes(blob[: len(arrow.read_bytes())]))
    g = sweep_file(tmp_path, name="again", grid="grid:\n  finetune.fraction: [0.5]\n")
    rc, out = finish(start(tmp_path, str(g), log="again"), tmp_path, log="again")
    assert rc == 0, out[-3000:]
    notes = [line for line in out.splitlines() if re.search(r"\bcache: \S+: .*rebuilding", line)]
    assert (
        len(notes) == 2 and any("model/model.safetensors" in n for n in notes) and any(".arrow" in n for n in notes)
    ), notes
    again = next(r for r in by_role(db, "trial") if r["tags"].get("biasgen.sweep") == "again")
    assert again["params"]["data.hash"] == first["params"]["data.hash"]
    assert again["tags"]["biasgen.stage1_cache"] == "miss"  # retrained, not served damaged
    for key in ("heldout/rate", "train/rate", "knowledge/acc"):
        assert again["metrics"][key] == pytest.approx(first["metrics"][key]), key


def test_two_sweeps_of_one_name_on_a_new_store(tmp_path):
    """Started together on a store that does not exist yet: one runs, the other is refused in one line naming
    the first (no second parent run, no sqlite schema crash)."""
    f = sweep_file(tmp_path, grid="grid:\n  finetune.fraction: [0.5]\n")
    a, b = start(tmp_path, str(f), log="a"), start(tmp_path, str(f), log="b")
    deadline = time.time() + 120
    while a.poll() is None and b.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    loser, winner = (a, b) if a.poll() is not None else (b, a)
    rc, out = finish(loser, tmp_path, log="a" if loser is a else "b", timeout=10)
    assert rc == 2, out
    assert out.strip().splitlines() == [out.strip()] and "Traceback" not in out
    assert re.fullmatch(
        rf"error: sweep 'faults' is already running on sqlite:///{tmp_path / 'mlflow.db'}: driver PID "
        rf"{winner.pid} on {re.escape(socket.gethostname())}, since [\d :-]+; stop it or wait for it "
        r"to end",
        out.strip(),
    ), out
    rc, out = finish(winner, tmp_path, log="a" if winner is a else "b")
    assert rc == 0, out[-3000:]
    assert_complete(tmp_path / "mlflow.db", n_trials=1, n_stage1=1)


def test_a_diverging_trial_fails_under_zero2(tmp_path):
    """pretrain.lr=1e5 under the default ZeRO-2: DeepSpeed skips every step and the loss stays put; the trial
    FAILS with the health check's reason (not a FINISHED run with healthy-looking rates), the other finishes."""
    db = tmp_path / "mlflow.db"
    f = sweep_file(
        tmp_path,
        name="diverge",
        grid="grid:\n  pretrain.lr: [0.003, 100000.0]\n",
        extra_set="  finetune.fraction: 0.5\n  engine.zero_stage: 2\n  pretrain.warmup_ratio: 0.1",
    )
    rc, out = finish(start(tmp_path, str(f)), tmp_path)
    assert rc == 1, out[-3000:]
    trials = {r["name"]: r for r in by_role(db, "trial")}
    assert trials["lr0.003"]["status"] == "FINISHED"
    bad = trials["lr100000.0"]
    # the case that used to finish: a finite loss frozen at ln(vocab) while DeepSpeed skips every step
    assert bad["status"] == "FAILED" and re.match(
        r"pretrain: \d+ of \d+ optimizer steps skipped for non-finite "
        r"gradients by step \d+ of \d+ \(",
        bad["tags"]["error"],
    ), bad["tags"]
    s1 = [r for r in by_role(db, "stage1") if r["status"] == "FAILED"]  # its stage 1's curves show how it got there
    assert (
        len(s1) == 1
        and s1[0]["tags"]["error"] == bad["tags"]["error"]
        and s1[0]["metrics"]["pretrain/skipped_steps"] > 0
    )
    assert "heldout/rate" not in bad["metrics"]
    assert out.strip().splitlines()[-1] == (
        f"error: trial lr100000.0 failed: {bad['tags']['error']}; rerun to retry: "
        "python launch.py sweep --resume diverge"
    )  # the CLI's last line
    assert re.search(rf"\] FAILED +lr100000.0: {re.escape(bad['tags']['error'])}", out)  # the progress line


def test_an_mlflow_server_restarted_mid_sweep_loses_nothing(tmp_path):
    from sweeps import ui

    db, port = tmp_path / "server.db", free_port()
    server, url = start_mlflow_server(db, port)
    f = sweep_file(tmp_path, extra_set=f"  tracking.uri: {url}")
    p = start(tmp_path, str(f))
    try:
        wait_for(
            lambda: any(r["status"] == "RUNNING" and r["metrics"] for r in by_role(db, "stage1")),
            p,
            what="stage 1 logging through the server",
        )
        ui.stop(server)
        time.sleep(20)  # an outage: the trial keeps training and its logging retries
        server, _ = start_mlflow_server(db, port)  # the same store on the same port
        rc, out = finish(p, tmp_path)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        ui.stop(server)
    assert rc == 0, out[-3000:]
    assert_complete(db, n_trials=2, n_stage1=1)
    stage1 = by_role(db, "stage1")[0]
    steps = int(stage1["metrics"]["pretrain/steps"])
    with sqlite3.connect(db) as c:
        logged = [
            s
            for (s,) in c.execute(
                "select step from metrics where run_uuid = ? and key = 'pretrain/loss' order by step", (stage1["id"],)
            )
        ]
    assert logged == sorted(set(range(2, steps + 1, 2)) | {steps})  # every log interval, once
