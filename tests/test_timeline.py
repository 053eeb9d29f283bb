"""bench/sweep_overhead.py's breakdown (trainer/timeline.py): marks written by a driver and its ranks, charged
to phases along each trial's path, and the time outside the trials to the sweep's own phases."""

from __future__ import annotations

import pytest

from trainer import timeline


def mark(t, event, pid, rank=None, **extra):
    return {"t": t, "pid": pid, "rank": rank, "event": event, **extra}


def test_a_sweep_slot_with_two_trials(tmp_path, monkeypatch):
    """Written through mark() from two processes' points of view; the slot's second trial reuses its ranks."""
    path = tmp_path / "marks.jsonl"
    monkeypatch.setenv(timeline.VAR, str(path))
    monkeypatch.setenv("RANK", "3")  # a driver's environment says nothing about the marks it writes
    timeline.mark("sweep_start")
    timeline.mark("worker_enter", rank="0", trial="a")
    written = timeline.read(str(path))
    assert [(r["event"], r["rank"]) for r in written] == [("sweep_start", None), ("worker_enter", "0")]
    assert written[1]["trial"] == "a" and written[0]["t"] <= written[1]["t"]
    rows = [
        mark(100.0, "sweep_start", 1),
        mark(103.0, "ray_ready", 1),
        mark(110.0, "trial_start", 2, trial="a"),
        mark(111.0, "data_ready", 2),
        mark(112.0, "group_ready", 2),
        mark(115.0, "worker_enter", 3, "0", trial="a"),
        mark(115.5, "worker_enter", 4, "1", trial="a"),  # rank 1: not on the path
        mark(117.0, "engine_ready", 3, "0", trial="a"),
        mark(127.0, "train_end", 3, "0", trial="a"),
        mark(128.0, "trial_end", 2),
        mark(128.5, "trial_start", 2, trial="b"),
        mark(129.0, "engine_ready", 3, "0", trial="b"),
        mark(133.0, "train_end", 3, "0", trial="b"),
        mark(133.5, "trial_end", 2),
        mark(134.0, "tune_end", 1),
    ]
    got = timeline.breakdown(rows, start=99.0, end=137.0)
    assert got[timeline.PHASES["train_end"]] == pytest.approx(14.0)
    assert got[timeline.PHASES["worker_enter"]] == pytest.approx(3.0)
    assert got[timeline.PHASES["engine_ready"]] == pytest.approx(2.5)  # 115 -> 117, and 128.5 -> 129
    assert got[timeline.PHASES["trial_end"]] == pytest.approx(1.5)
    assert got[timeline.BETWEEN] == pytest.approx(0.5)
    assert got[f"{timeline.BEFORE}: {timeline.SWEEP_PHASES['sweep_start']}"] == pytest.approx(1.0)
    assert got[f"{timeline.BEFORE}: {timeline.SWEEP_PHASES['trial_start']}"] == pytest.approx(7.0)
    assert got[f"{timeline.AFTER}: {timeline.SWEEP_PHASES['end']}"] == pytest.approx(3.0)
    assert sum(got.values()) == pytest.approx(137.0 - 99.0)  # every second charged once
    assert timeline.slots(rows) == 1


def test_trials_at_once_are_slots():
    rows = [
        mark(0.0, "trial_start", 1, trial="a"),
        mark(1.0, "trial_start", 2, trial="b"),
        mark(5.0, "trial_end", 1),
        mark(6.0, "trial_start", 1, trial="c"),
        mark(9.0, "trial_end", 2),
        mark(9.5, "trial_end", 1),
    ]
    assert timeline.slots(rows) == 2


def test_nothing_is_written_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(timeline.VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    timeline.mark("sweep_start")
    assert list(tmp_path.iterdir()) == []
