"""Verified caches: a damaged entry (truncated, changed, missing or stray file, no manifest) is detected on
the next read, reported in one line, moved aside and rebuilt once — also with several processes — and the
data hash comes out as before the damage; a healthy entry is a hit that rebuilds nothing."""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import random
import shutil
import time
from pathlib import Path

import pytest

from trainer import manifest
from trainer.corpus.cache import cached
from trainer.manifest import MANIFEST, check, entry_digest
from trainer.stage1_cache import build_once, finished

pytestmark = pytest.mark.e2e  # real data builds and stage-1 cache entries, damaged and rebuilt across processes

SMALL = [
    "data.tokens=8000",
    "data.seq_len=64",
    "data.vocab_size=600",
    "data.tokenizer_chars=100000",
    "finetune.examples_per_bias=3",
    "eval.prompts_per_bias=4",
    "eval.probe_per_bias=2",
]
PARTS = {"tokenizer": "tokenizer", "stage1": "stage1", "finetune": "finetune", "eval": "evalset"}  # dir -> attribute


# -- damage ---------------------------------------------------------------------------------------------
def truncate(p: Path) -> None:
    os.truncate(p, p.stat().st_size // 2)


def move_4k(p: Path) -> None:
    """4 KB moved inside the file: same size, the bytes of one region copied over another."""
    b = bytearray(p.read_bytes())
    assert len(b) >= 3 * 4096
    src, dst = len(b) - 4096 - 1000, 1000
    b[dst : dst + 4096] = b[src : src + 4096]
    p.write_bytes(bytes(b))


def flip_4k(p: Path) -> None:
    b = bytearray(p.read_bytes())
    start = len(b) // 2 - 2048
    b[start : start + 4096] = bytes(x ^ 0xFF for x in b[start : start + 4096])
    p.write_bytes(bytes(b))


def edit_manifest(entry: Path) -> None:
    """A size in the manifest changed, its digest not: the manifest itself is damaged."""
    m = json.loads((entry / MANIFEST).read_text())
    m["files"]["stats.json"]["size"] += 1
    (entry / MANIFEST).write_text(json.dumps(m))


def arrow(entry: Path) -> Path:
    return next(entry.rglob("*.arrow"))


def stderr_lines(capfd) -> list[str]:
    return [line for line in capfd.readouterr().err.splitlines() if line.startswith("cache: ")]


# -- the four data parts (build_all) ----------------------------------------------------------------------
def cfg_for(cache: Path):
    from trainer.config import load_config

    return load_config(None, [*SMALL, f"data.cache_dir={cache}", "data.mix=0.5"])


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A built cache and its summary; tests damage copies of it."""
    from trainer.corpus.build import build_all

    cache = tmp_path_factory.mktemp("pristine")
    return cache, build_all(cfg_for(cache)).summary


@pytest.fixture
def copy(pristine, tmp_path):
    cache, summary = pristine
    shutil.copytree(cache, tmp_path / "cache")
    return tmp_path / "cache", summary


DAMAGE = [
    (
        "tokenizer",
        "truncate tokenizer.json",
        lambda e: truncate(e / "tokenizer.json"),
        "tokenizer.json is {size} bytes, manifest says",
    ),
    ("stage1", "move 4 KB inside the .arrow", lambda e: move_4k(arrow(e)), "differs from the manifest"),
    ("finetune", "flip 4 KB inside the .arrow", lambda e: flip_4k(arrow(e)), "differs from the manifest"),
    ("eval", "delete a file", lambda e: (e / "probe" / "state.json").unlink(), "probe/state.json is missing"),
    (
        "stage1",
        "add a stray file",
        lambda e: (e / "dataset" / "stray.arrow").write_bytes(b"x"),
        "dataset/stray.arrow is not in the manifest",
    ),
    ("finetune", "remove the manifest", lambda e: (e / MANIFEST).unlink(), "no manifest.json"),
    ("eval", "edit the manifest", edit_manifest, "manifest.json does not match its own digest"),
]


@pytest.mark.parametrize("part, what, damage, says", DAMAGE, ids=[d[1] for d in DAMAGE])
def test_damaged_data_part_is_rebuilt_once_with_the_same_hash(copy, capfd, part, what, damage, says):
    from trainer.corpus.build import build_all

    cache, before = copy
    capfd.readouterr()
    healthy = build_all(cfg_for(cache))
    assert all(healthy.summary["cache"].values()) and healthy.summary["hash"] == before["hash"]
    assert not stderr_lines(capfd)
    entry = cache / part / before["keys"][part]
    size = (entry / "tokenizer.json").stat().st_size // 2 if part == "tokenizer" else 0
    damage(entry)
    assert check(entry) is not None

    art = build_all(cfg_for(cache))
    lines = stderr_lines(capfd)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"cache: {part}/{entry.name}: ") and lines[0].endswith("rebuilding")
    assert says.format(size=f"{size:,}") in lines[0]
    assert art.summary["cache"] == {p: p != part for p in PARTS}
    assert art.summary["hash"] == before["hash"] and art.summary["keys"] == before["keys"]
    assert getattr(art, PARTS[part]) == entry and check(entry, full=True) is None
    assert (entry.parent / f"{entry.name}.bad").is_dir()  # the damaged copy, kept aside

    again = build_all(cfg_for(cache))
    assert all(again.summary["cache"].values()) and again.summary["hash"] == before["hash"]
    assert not stderr_lines(capfd)


def test_data_hash_is_the_hash_of_the_verified_content(pristine, tmp_path):
    """Content, not names: the same bytes elsewhere under another key give the same hash; other bytes another."""
    from trainer.corpus.build import data_hash

    cache, summary = pristine
    parts = {p: cache / p / summary["keys"][p] for p in PARTS}
    assert data_hash(parts) == summary["hash"]
    elsewhere = tmp_path / "eval" / "another-key"
    shutil.copytree(parts["eval"], elsewhere)
    assert data_hash({**parts, "eval": elsewhere}) == summary["hash"]
    assert data_hash({**parts, "eval": parts["finetune"]}) != summary["hash"]


# -- the data cache's protocol (cached) --------------------------------------------------------------------
def _data_builder(root: str, log: str, err: str) -> None:
    def build(tmp: Path) -> None:
        with open(log, "a") as f:
            f.write("built\n")
        (tmp / "data.bin").write_bytes(bytes(range(256)) * 64)
        time.sleep(0.5)  # long enough for the others to queue on the lock

    with open(err, "a") as f, contextlib.redirect_stderr(f):
        cached(root, "finetune", "k1", build)


def _stage1_builder(path: str, log: str, err: str) -> None:
    with open(err, "a") as f, contextlib.redirect_stderr(f):
        build_once(Path(path), lambda tmp: fake_stage1(tmp, log, sleep=0.5))


@pytest.mark.parametrize("cache, state", [("data", "absent"), ("data", "damaged"), ("stage1", "damaged")])
def test_concurrent_readers_of_a_bad_entry_rebuild_it_once(tmp_path, cache, state):
    """(An absent stage-1 entry: tests/test_stage1_cache.py.)"""
    if cache == "data":
        entry, target, args = tmp_path / "c" / "finetune" / "k1", _data_builder, (str(tmp_path / "c"),)
        cached(tmp_path / "c", "finetune", "k1", lambda tmp: (tmp / "data.bin").write_bytes(b"old" * 9000))
    else:
        entry, target, args = (
            tmp_path / "stage1_model" / "k1",
            _stage1_builder,
            (str(tmp_path / "stage1_model" / "k1"),),
        )
        build_once(entry, lambda tmp: fake_stage1(tmp, os.devnull))
    if state == "absent":
        shutil.rmtree(entry)
    else:
        truncate(next(p for p in entry.rglob("*.bin")))
    log = tmp_path / "log"
    errs = [tmp_path / f"err{i}" for i in range(3)]
    procs = [mp.get_context("spawn").Process(target=target, args=(*args, str(log), str(e))) for e in errs]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert log.read_text().splitlines() == ["built"]
    said = [line for e in errs for line in e.read_text().splitlines()]
    assert len(said) == (0 if state == "absent" else 1), said
    assert all(s.startswith(f"cache: {entry.parent.name}/k1: ") and s.endswith("rebuilding") for s in said)
    assert check(entry, full=True) is None


def test_healthy_hit_builds_nothing_and_says_nothing(tmp_path, capfd):
    path, hit = cached(tmp_path, "eval", "k", lambda tmp: (tmp / "a.json").write_text("{}"))
    assert not hit and json.loads((path / MANIFEST).read_text())["files"]["a.json"]["size"] == 2
    for _ in range(3):
        assert cached(tmp_path, "eval", "k", lambda tmp: pytest.fail("must not rebuild")) == (path, True)
    assert not stderr_lines(capfd)
    assert sorted(p.name for p in (tmp_path / "eval").iterdir()) == ["k", "k.lock"]


def test_failed_rebuild_leaves_the_damaged_copy_aside_and_nothing_published(tmp_path, capfd):
    path, _ = cached(tmp_path, "stage1", "k", lambda tmp: (tmp / "x").write_text("abc"))
    (path / "x").write_text("abd")

    def boom(tmp: Path) -> None:
        (tmp / "half").write_text("x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        cached(tmp_path, "stage1", "k", boom)
    assert len(stderr_lines(capfd)) == 1
    assert not path.exists() and not (tmp_path / "stage1" / "k.partial").exists()
    assert (tmp_path / "stage1" / "k.bad" / "x").read_text() == "abd"
    assert cached(tmp_path, "stage1", "k", lambda tmp: (tmp / "x").write_text("abc")) == (path, False)
    assert not stderr_lines(capfd)  # an absent entry is a plain miss


def test_moving_aside_never_follows_a_link_out_of_the_cache(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("mine")
    path, _ = cached(tmp_path / "c", "eval", "k", lambda tmp: (tmp / "a").write_text("1"))
    (path / "link").symlink_to(outside, target_is_directory=True)  # a stray entry: a link to a folder
    os.symlink(outside, path.with_name("k.bad"))  # and an older bad copy that is a link
    assert cached(tmp_path / "c", "eval", "k", lambda tmp: (tmp / "a").write_text("1"))[1] is False
    assert (path.with_name("k.bad") / "link").is_symlink()
    (path / "a").write_text("2")  # damaged again: the bad copy holding the link is replaced
    assert cached(tmp_path / "c", "eval", "k", lambda tmp: (tmp / "a").write_text("1"))[1] is False
    assert (outside / "keep").read_text() == "mine" and not (path.with_name("k.bad") / "link").exists()


# -- stage-1 model entries (build_once) ----------------------------------------------------------------------
def fake_stage1(tmp: Path, log: str, size: int = 5 * 4096 + 123, sleep: float = 0.0) -> dict:
    """A deterministic stand-in for a trained stage 1: a multi-chunk model file and the evaluation."""
    with open(log, "a") as f:
        f.write("built\n")
    (tmp / "model").mkdir()
    (tmp / "model" / "model.bin").write_bytes(random.Random(0).randbytes(size))
    (tmp / "before_ft.json").write_text(json.dumps({"responses": ["a", "b"], "probe": [1, 2]}))
    time.sleep(sleep)  # long enough for concurrent readers to queue on the lock
    return {"key": tmp.name.split(".")[0], "run_id": "r1"}


STAGE1_DAMAGE = [
    (
        "truncate the model",
        lambda e: truncate(e / "model" / "model.bin"),
        "model/model.bin is 10,301 bytes, manifest says 20,603",
    ),
    (
        "flip 4 KB in the model",
        lambda e: flip_4k(e / "model" / "model.bin"),
        "model/model.bin: bytes 8,192-12,287 differ",
    ),
    ("delete the record", lambda e: (e / "stage1.json").unlink(), "stage1.json is missing"),
    (
        "add a stray file",
        lambda e: (e / "model" / "extra.bin").write_bytes(b""),
        "model/extra.bin is not in the manifest",
    ),
    ("remove the manifest", lambda e: (e / MANIFEST).unlink(), "no manifest.json"),
]


@pytest.mark.parametrize("what, damage, says", STAGE1_DAMAGE, ids=[d[0] for d in STAGE1_DAMAGE])
def test_damaged_stage1_entry_is_rebuilt(tmp_path, monkeypatch, capfd, what, damage, says):
    monkeypatch.setattr(manifest, "CHUNK", 4096)  # several chunks without a large file
    path, log = tmp_path / "stage1_model" / "abc", tmp_path / "log"
    record, hit = build_once(path, lambda tmp: fake_stage1(tmp, str(log)))
    digest = entry_digest(path)
    assert not hit and finished(path) == record == {"key": "abc", "run_id": "r1"}
    assert build_once(path, lambda tmp: pytest.fail("must not rebuild")) == (record, True)
    capfd.readouterr()
    damage(path)
    assert finished(path) is None
    again, hit = build_once(path, lambda tmp: fake_stage1(tmp, str(log)))
    lines = stderr_lines(capfd)
    assert len(lines) == 1 and says in lines[0] and lines[0].startswith("cache: stage1_model/abc: "), lines
    assert not hit and again == record and entry_digest(path) == digest and log.read_text() == "built\n" * 2
    assert build_once(path, lambda tmp: pytest.fail("must not rebuild")) == (record, True)
    assert not stderr_lines(capfd)


# -- the schedule for large entries -------------------------------------------------------------------------
@pytest.fixture
def large(tmp_path, monkeypatch):
    """An entry 'larger than ALWAYS_FULL_BYTES' (thresholds scaled down): 40 chunks, 2 sampled per read."""
    monkeypatch.setattr(manifest, "CHUNK", 4096)
    monkeypatch.setattr(manifest, "ALWAYS_FULL_BYTES", 8 * 4096)
    monkeypatch.setattr(manifest, "SAMPLE_BYTES", 2 * 4096)
    path = tmp_path / "stage1_model" / "big"
    build_once(path, lambda tmp: fake_stage1(tmp, os.devnull, size=40 * 4096))
    return path


def test_large_entry_reads_sample_and_a_stale_full_pass_is_repeated(large):
    stamp = manifest.stamp(large)
    assert stamp.is_file() and time.time() - stamp.stat().st_mtime < 60  # the build was a full pass
    model = large / "model" / "model.bin"
    with open(model, "r+b") as f:  # one changed byte in chunk 20 of 40: sampled reads may miss it
        f.seek(20 * 4096 + 7)
        f.write(b"\x00" if model.read_bytes()[20 * 4096 + 7] else b"\x01")
    old = time.time() - manifest.FULL_EVERY_S - 60
    os.utime(stamp, (old, old))
    assert check(large) == "model/model.bin: bytes 81,920-86,015 differ from the manifest"
    assert stamp.stat().st_mtime == pytest.approx(old)  # a failed pass is no pass


def test_large_entry_sampled_read_checks_sizes_ends_and_sample(large):
    model = large / "model" / "model.bin"
    assert check(large) is None
    with open(model, "r+b") as f:  # the last chunk is part of every sample
        f.seek(40 * 4096 - 1)
        f.write(b"\x00" if model.read_bytes()[-1] else b"\x01")
    assert check(large) == "model/model.bin: bytes 159,744-163,839 differ from the manifest"
    files = json.loads((large / MANIFEST).read_text())["files"]
    plan = manifest._sample(files, 4096, random.Random(0))
    assert plan["stage1.json"] is None and plan["before_ft.json"] is None
    assert (
        plan["model/model.bin"][:1] == [0] and plan["model/model.bin"][-1] == 39 and len(plan["model/model.bin"]) == 4
    )
