"""bench/gpu_suite.sh, the one-command GPU suite, run where there is no GPU: its CPU mode runs the same plumbing
(parts under their own timeouts, the measurement lines, the real sweep of configs/sweeps/science-gpu.yaml on a
private Ray with an MLflow sqlite store, analyze, the summary, the packed output folder) with tiny sizes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile

import psutil
import pytest
from helpers import mlflow_runs, without_network

from trainer.runtime_env import REPO_ROOT

SUITE = REPO_ROOT / "bench" / "gpu_suite.sh"
FILES = {
    "gpu_suite.log",
    "sweep_table.txt",
    "report.html",
    "gain_vs_params.png",
    "gain_vs_mix.png",
    "science-gpu.tar.gz",
}


def suite(*args: str, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    """The suite, by default in this test's Python environment (``--no-bundle``)."""
    env = dict(env or os.environ | {"PYTHON": sys.executable})
    env.pop("OUT", None)
    return subprocess.run(["bash", str(SUITE), *args], capture_output=True, text=True, timeout=timeout, env=env)


def summary_block(log: str) -> str:
    m = re.search(r"^=+ gpu suite summary =+$(.*?)^=+$", log, re.M | re.S)
    assert m, f"no summary block in the log:\n{log[-3000:]}"
    return m.group(1)


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--only", "mfu,bogus"],
            "gpu_suite: error: --only: unknown part 'bogus' (expected mfu, engine, generation, sweep)",
        ),
        (["--budget", "soon"], "gpu_suite: error: --budget: expected a number of seconds, got 'soon'"),
        (["--frobnicate"], "gpu_suite: error: unknown option '--frobnicate' (see --help)"),
        (["--bundle", "/nonexistent/bundle"], "gpu_suite: error: no bundle folder at /nonexistent/bundle: build one"),
    ],
)
def test_a_bad_option_is_one_line_and_exit_2_before_anything_runs(tmp_path, args, message):
    r = suite(*args, "--out", str(tmp_path / "out"))
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.startswith(message) and len(r.stderr.splitlines()) == 1, r.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.slow
def test_cpu_mode_from_the_offline_bundle_runs_every_part_and_leaves_the_promised_files(tmp_path, offline_node):
    """As on an offline GPU node: the node's Python with torch and no Ray (conftest.offline_node), the suite
    installing the real bundle itself with pip's network cut off, then every part from that install."""
    out, work = tmp_path / "out", tmp_path / "work"
    env = without_network(offline_node.python)
    r = suite(
        "--cpu", "--bundle", str(offline_node.bundle), "--out", str(out), "--work", str(work), timeout=900, env=env
    )
    log = (out / "gpu_suite.log").read_text()
    assert r.returncode == 0, log[-4000:] + r.stderr[-2000:]
    assert r.stdout == log  # the log is everything the suite printed
    assert {p.name for p in out.iterdir()} == FILES  # and nothing else: a device machine brings back eight at most

    summary = summary_block(log)
    for part in ("install", "engine_tiny", "generation", "sweep", "analyze", "timings"):
        assert re.search(rf"^  {part} +\d+ s  ok$", summary, re.M), f"{part} not ok in:\n{summary}"
    assert re.search(r"^  mfu +0 s  skipped: --cpu", summary, re.M)
    assert re.search(r"^  \[engine_tiny\] .*tokens/s", summary, re.M)  # the benches' result lines, tagged
    assert re.search(r"^  \[generation\] .*identical", summary, re.M)
    trials = re.findall(
        r"^  trial (sizetiny-mix0\.5|sizetiny-mix0\.0): FINISHED in \d+ s; 0\.20M params", summary, re.M
    )
    assert sorted(trials) == ["sizetiny-mix0.0", "sizetiny-mix0.5"], summary

    table = (out / "sweep_table.txt").read_text()
    assert "sweep 'science-gpu': 2 finished trials of 2 points" in table
    rows = re.findall(r"^tiny +(0|0\.5) +0\.75 +1 +[+-]\d\.\d{3} \[", table, re.M)
    assert sorted(rows) == ["0", "0.5"], table  # each condition, the control (mix 0) among them
    assert "fits (OLS" in table
    assert table.split("fits (OLS")[0].strip().splitlines()[-1] in summary  # the table's last row, in the summary

    assert (out / "report.html").read_text().count("data:image/png;base64,") >= 2  # the figures are inside it
    for png in ("gain_vs_params.png", "gain_vs_mix.png"):
        assert (out / png).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    unpacked = tmp_path / "unpacked"
    with tarfile.open(out / "science-gpu.tar.gz") as tar:
        tar.extractall(unpacked, filter="data")
    for f in ("mlflow.db", "runs/science-gpu/sweep.log", "analysis/science-gpu/report.html", "logs/sweep.out"):
        assert (unpacked / f).is_file(), f"{f} not in the archive"
    runs = mlflow_runs(unpacked / "mlflow.db")  # the store stands on its own, away from the work folder
    by_role = {}
    for run in runs:
        by_role.setdefault(run["tags"].get("biasgen.role"), []).append(run)
    assert sorted(t["name"] for t in by_role["trial"]) == ["sizetiny-mix0.0", "sizetiny-mix0.5"]
    assert all(t["status"] == "FINISHED" and "heldout/gain" in t["metrics"] for t in by_role["trial"])
    assert [p["status"] for p in by_role["sweep"]] == ["FINISHED"] and len(by_role["stage1"]) == 2
    assert {t["params"]["ray.use_gpu"] for t in by_role["trial"]} == {"False"}  # the CPU overrides reached the trials
    assert {t["params"]["engine.precision"] for t in by_role["trial"]} == {"fp32"}


def _processes_with(path: str) -> list[str]:
    """Processes whose environment names ``path`` (the suite's Ray and its workers inherit its MLflow URI)."""
    found = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        try:
            if any(path in v for v in p.environ().values()):
                found.append(f"{p.info['pid']}: {' '.join(p.info['cmdline'] or [])[:120]}")
        except psutil.Error:
            continue
    return found


@pytest.mark.slow
def test_a_sweep_past_its_time_limit_is_stopped_and_the_rest_still_runs(tmp_path):
    """The sweep's timeout comes from the budget (90 s less a minute for what follows it); fine-tuning that
    cannot end in time makes it hit. It stops through the CLI's Ctrl-C path, leaves no process behind, and
    analyze, the summary and the archive still come; the exit status says a part failed."""
    out, work = tmp_path / "out", tmp_path / "work"
    r = suite(
        *("--cpu", "--no-bundle", "--only", "sweep", "--budget", "90", "--out", str(out), "--work", str(work)),
        *("--", "set.sft.max_steps=100000"),
        timeout=600,
    )
    log = (out / "gpu_suite.log").read_text()
    assert r.returncode == 1, log[-4000:]
    summary = summary_block(log)
    assert re.search(r"^  sweep +\d+ s  TIMED OUT at \d+ s$", summary, re.M), summary
    assert re.search(r"^  analyze +\d+ s  ok$", summary, re.M), summary  # analyze reads an unfinished sweep
    assert "engine" not in summary and "generation" not in summary  # --only sweep
    assert "0 finished trials of 2 points" in (out / "sweep_table.txt").read_text()
    assert "interrupted; finished trials are kept" in (work / "logs" / "sweep.err").read_text()
    assert not _processes_with(str(work)), "left running after the suite"
    with tarfile.open(out / "science-gpu.tar.gz") as tar:
        assert {"mlflow.db", "logs/sweep.err", "runs/science-gpu/sweep.log"} <= set(tar.getnames())
