"""The stage-1 cache protocol: concurrent builders of one key build it exactly once; failures leave nothing;
a published entry carries a manifest of its files (damage: tests/test_cache_verify.py)."""

import json
import multiprocessing as mp
import time
from pathlib import Path

import pytest

from trainer.manifest import MANIFEST, check
from trainer.stage1_cache import build_once, finished


def _trial(path: str, log: str) -> None:
    def train(tmp: Path) -> dict:
        with open(log, "a") as f:
            f.write("trained\n")
        (tmp / "model").write_text("weights")
        time.sleep(0.5)  # long enough for the others to queue on the lock
        return {"key": Path(path).name, "run_id": "r1"}

    build_once(Path(path), train)


def test_concurrent_trials_train_one_stage1_once(tmp_path):
    path, log = tmp_path / "stage1_model" / "abc", tmp_path / "log"
    procs = [mp.get_context("spawn").Process(target=_trial, args=(str(path), str(log))) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    assert log.read_text() == "trained\n"
    assert finished(path) == {"key": "abc", "run_id": "r1"} and (path / "model").read_text() == "weights"
    assert set(json.loads((path / MANIFEST).read_text())["files"]) == {"model", "stage1.json"} and check(path) is None
    record, hit = build_once(path, lambda tmp: pytest.fail("must not rebuild"))
    assert hit and record["run_id"] == "r1"


def _meet(path: str, here: str, other: str) -> None:
    """Build ``path`` only once the builder of another key is inside its build too (or fail after 20 s)."""

    def train(tmp: Path) -> dict:
        Path(here).touch()
        deadline = time.monotonic() + 20
        while not Path(other).exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the other key's build never started: the builds were serialised")
            time.sleep(0.05)
        return {"key": Path(path).name, "run_id": Path(path).name}

    build_once(Path(path), train)


def test_stage1s_of_different_keys_build_at_once(tmp_path):
    """Each key has its own lock: a sweep's distinct stage 1s train side by side, never one behind another."""
    a, b = tmp_path / "stage1_model" / "a", tmp_path / "stage1_model" / "b"
    flags = [str(tmp_path / "in-a"), str(tmp_path / "in-b")]
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_meet, args=(str(a), *flags)), ctx.Process(target=_meet, args=(str(b), *flags[::-1]))]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert finished(a)["run_id"] == "a" and finished(b)["run_id"] == "b"


def test_failed_build_leaves_nothing(tmp_path):
    path = tmp_path / "stage1_model" / "k"

    def boom(tmp: Path) -> dict:
        (tmp / "half").write_text("x")
        raise RuntimeError("NaN")

    with pytest.raises(RuntimeError):
        build_once(path, boom)
    assert not path.exists() and not path.with_name("k.partial").exists()
    record, hit = build_once(path, lambda tmp: {"run_id": "r2"})
    assert not hit and record == {"run_id": "r2"}
