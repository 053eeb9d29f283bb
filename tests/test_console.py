"""The console: internals redirected to a log file at the descriptor level, the project's lines on the
terminal, the live view's lines (plain and redrawn) and the trials' progress files it polls."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from trainer import progress
from trainer.console import Console, LiveView
from trainer.runtime_env import REPO_ROOT


def test_progress_file_round_trip(tmp_path):
    r = progress.Reporter(tmp_path, "size1m-mix0.5", every_s=0.0)
    r.stage("stage1", 312)
    r.step(40, 312)
    assert progress.describe(progress.read(tmp_path, "size1m-mix0.5")) == "stage 1 step 40 of 312"
    r.stage("eval")
    assert progress.describe(progress.read(tmp_path, "size1m-mix0.5")) == "evaluating"
    assert progress.describe(progress.read(tmp_path, "other")) == "starting"
    r.note("cache: a: rebuilt\nsecond   line")
    r.note("two")
    lines, off = progress.read_notes(tmp_path, "size1m-mix0.5", 0)
    assert lines == ["cache: a: rebuilt second line", "two"]
    assert progress.read_notes(tmp_path, "size1m-mix0.5", off) == ([], off)


def test_progress_throttles_steps_but_not_the_last(tmp_path):
    r = progress.Reporter(tmp_path, "t", every_s=3600)
    r.stage("sft", 10)
    r.step(1, 10)  # within the interval of the stage's write: not written
    assert progress.read(tmp_path, "t")["step"] == 0
    r.step(10, 10)
    assert progress.read(tmp_path, "t")["step"] == 10


def test_progress_never_fails_the_trial(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = progress.Reporter(blocker / "progress", "t")
    r.stage("data")
    r.step(1, 2)
    r.note("x")  # nothing raised, nothing written
    assert progress.read(blocker / "progress", "t") is None


def test_fraction_moves_forward_through_the_stages():
    states = [
        {"stage": "data"},
        {"stage": "stage1", "step": 1, "total": 10},
        {"stage": "stage1", "step": 10, "total": 10},
        {"stage": "eval_before"},
        {"stage": "sft", "step": 5, "total": 10},
        {"stage": "eval"},
        {"stage": "done"},
    ]
    shares = [progress.fraction(s) for s in states]
    assert shares == sorted(shares) and shares[0] == 0.0 and shares[-1] == 1.0


def test_plain_view_lines_notes_and_status(tmp_path):
    out = io.StringIO()
    view = LiveView(Console(out, tty=False), tmp_path, total=3, slots=2, done=1, plain_every_s=0.0, poll_s=0.05)
    with view:
        view.started("a")
        progress.Reporter(tmp_path, "a", every_s=0).stage("stage1", 100)
        progress.Reporter(tmp_path, "a").note("cache: stage1_model/k: moved aside, rebuilding")
        time.sleep(0.4)
        view.finished("a", "heldout/gain +0.500")
    text = out.getvalue()
    lines = text.splitlines()
    assert "\x1b" not in text  # no control characters for a log
    assert any(line.endswith("started   a  (1 running, 1/3 done)") for line in lines)
    assert any("a: cache: stage1_model/k: moved aside, rebuilding" in line for line in lines)
    assert any("sweep: 1/3 done, 1 running, 0 failed" in line and "a: stage 1 step 0 of 100" in line for line in lines)
    assert "finished  a  heldout/gain +0.500; 0:00  (2/3 done)" in lines[-1]
    assert view.durations and view.failed == 0


def test_eta_from_finished_trials():
    view = LiveView(Console(io.StringIO(), tty=False), Path("/nonexistent"), total=5, slots=2)
    assert view.eta_s() is None  # nothing finished, nothing running
    view.durations = [100.0, 100.0]
    view.done = 2
    view.started("c")
    view.running["c"].t0 = time.time() - 40
    # c: 60 s left; two queued at 100 s each; two slots: one queued now (100), the other after c (160)
    assert abs(view.eta_s() - 160) < 1.0


def test_eta_from_the_running_trials_progress(tmp_path):
    view = LiveView(Console(io.StringIO(), tty=False), tmp_path, total=3, slots=2)
    view.started("a")
    assert view.eta_s() is None and "ETA (estimating)" in view.status_line()
    progress.Reporter(tmp_path, "a", every_s=0).stage("eval")  # 96% of a trial done after 96 s: 4 s left
    view.running["a"].t0 = time.time() - 96
    # the two queued trials (100 s each, a's projected length): one in the free slot now, one after a
    assert abs(view.eta_s() - 104) < 1.0
    view.started("b")  # just started, nothing to go on: no estimate
    assert view.eta_s() is None


def test_live_view_on_a_terminal_redraws(tmp_path):
    out = io.StringIO()
    view = LiveView(Console(out, tty=True), tmp_path, total=2, poll_s=0.05)
    with view:
        view.started("size2m-mix0.5")
        progress.Reporter(tmp_path, "size2m-mix0.5", every_s=0).stage("sft", 160)
        time.sleep(0.6)
        view.finished("size2m-mix0.5", "ok", ok=False)
    text = out.getvalue()
    assert "\x1b[" in text  # cursor movement: the block is redrawn in place
    assert "size2m-mix0.5: fine-tuning step 0 of 160" in text and "sweep: 0/2 done, 1 running" in text
    assert "FAILED    size2m-mix0.5: ok" in text and view.failed == 1


QUIET_CHILD = """
import os, subprocess, sys
from pathlib import Path
from trainer.console import quiet
with quiet(Path(sys.argv[1])) as console:
    print("before the redirect")
    assert not Path(sys.argv[1]).exists() and console.log_path is None  # nothing written until redirect()
    console.redirect()
    print("internal print")
    os.write(2, b"internal fd2 line\\n")
    subprocess.run(["echo", "internal subprocess"])
    console.line("ours")
    assert console.log_path == Path(sys.argv[1])
print("after")
with quiet(Path(sys.argv[1])) as console:
    console.redirect()
    raise SystemExit("error: reaches the terminal")
"""


def test_quiet_sends_internals_to_the_log_and_ours_to_the_terminal(tmp_path):
    log = tmp_path / "sweep" / "sweep.log"
    r = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(QUIET_CHILD), str(log)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert r.returncode == 1
    assert r.stdout.splitlines() == ["before the redirect", "ours", "after"]
    assert r.stderr.strip() == "error: reaches the terminal"
    text = log.read_text()
    assert "internal print" in text and "internal fd2 line" in text and "internal subprocess" in text
    assert "ours" not in text and "after" not in text
