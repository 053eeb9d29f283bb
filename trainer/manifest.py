"""Verified cache entries: every entry carries a manifest of its files, and every read checks it.

An entry is a directory built under ``<key>.partial`` and published by one rename.  Its manifest
(``manifest.json``: each file's relative path, size and per-chunk content hashes, plus a digest of that
list) is written last, inside the entry, before the rename; an entry without a valid manifest is
incomplete.  A bad entry (missing, extra, resized or changed file, missing or invalid manifest) is
treated as missing: under a per-key lock it is moved aside to ``<key>.bad`` (replacing an older bad copy
of the same key; nothing else is ever deleted), rebuilt and published, and the process says so in one
line on stderr.  Only the process that rebuilds says it; the others wait on the lock and find the new
entry.

What a read checks:

- always: the file list (nothing missing, nothing extra) and every file's size — truncation, the
  common failure, costs one ``stat`` per file to catch;
- the content of every file, completely, while the entry is at most ``ALWAYS_FULL_BYTES``;
- in a larger entry: every file of at most one chunk, the first and last chunk of each larger file and
  random chunks up to ``SAMPLE_BYTES`` — plus a full pass when the last one is older than
  ``FULL_EVERY_S`` (its time is the mtime of ``<key>.verified`` beside the entry).

Why (``bench/cache_verify.py``, 2-core CPU machine under load from other jobs, two runs): from the page cache
xxh3-128 hashed 4.9-8.5 GB/s and sha256 0.9-1.1 GB/s; the hash guards against accidents, not adversaries,
so it is xxh3.  A smoke trial's five entries (four data parts and its stage-1 model, 1.4 MB) verify
completely in 7-14 ms: 0.03% of a 40 s trial (the trial took 240 s on the loaded machine).  A 5M-token
stage-1 corpus (20 MB) verifies in 3-4 ms against 48-81 s to build it, a 5m model entry (20 MB) in 3-7 ms
against 10-17 s; writing a manifest costs 10-15 ms per entry (mostly its fsync).  So every CPU-sized
entry is hashed completely on every read.  What grows with size is the read from disk when the page cache
is cold: 0.56 GB/s here (O_DIRECT), so ~0.5 s at the 256 MiB cut-off but ~7 s for a 1B model's 4 GB, on
every trial, and a trial that finds its stage 1 cached never reads the stage-1 corpus at all.  Above the
cut-off a read therefore checks sizes and ~72 MiB of chunks (1 GiB file: 8-14 ms warm against 93-424 ms
for all of it) and leaves the full pass to once a day.  The price: a few bytes changed in place inside a
large file (4 KB moved in a 4 GB model) are caught only when a sampled chunk covers them, or at the next
full pass — at most ``FULL_EVERY_S`` later; truncation and a lost or added file are caught at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import xxhash

from . import progress
from .atomic import atomic_write

MANIFEST = "manifest.json"
FORMAT = 1
HASH = "xxh3_128"
CHUNK = 4 << 20  # bytes per content hash: the unit of sampling
ALWAYS_FULL_BYTES = 256 << 20  # entries up to this size are hashed completely on every read
SAMPLE_BYTES = 64 << 20  # per read of a larger entry, besides each large file's first and last chunk
FULL_EVERY_S = 24 * 3600  # a larger entry's full pass is at most this old


# -- the manifest -------------------------------------------------------------------------------------
def _files(entry: Path) -> dict[str, Path]:
    """Every file under ``entry`` (relative posix path -> path), the manifest itself excluded."""
    out = {}
    for dirpath, dirs, names in os.walk(entry):  # a link to a directory is not followed but counts as a file
        for n in names + [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]:
            p = Path(dirpath) / n
            rel = p.relative_to(entry).as_posix()
            if rel != MANIFEST:
                out[rel] = p
    return out


def _chunk_digests(path: Path, chunk: int, indices: list[int] | None = None) -> Iterator[tuple[int, str]]:
    """``(index, hash)`` of the chunks at ``indices`` (all of them when None), read in order."""
    buf = bytearray(chunk)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        if indices is None:
            i = 0
            while True:
                n = f.readinto(buf)
                if not n and i:
                    return
                yield i, xxhash.xxh3_128(view[:n]).hexdigest()
                if n < chunk:
                    return
                i += 1
        for i in indices:
            f.seek(i * chunk)
            n = f.readinto(buf)
            yield i, xxhash.xxh3_128(view[:n]).hexdigest()


def _digest(files: dict[str, Any], chunk: int) -> str:
    blob = json.dumps({"chunk": chunk, "files": files}, sort_keys=True, separators=(",", ":"))
    return xxhash.xxh3_128(blob.encode()).hexdigest()


def write_manifest(entry: Path) -> dict[str, Any]:
    """Hash every file of a built (unpublished) entry and write its manifest, last; returns the manifest."""
    files = {
        rel: {"size": p.stat().st_size, "chunks": [h for _, h in _chunk_digests(p, CHUNK)]}
        for rel, p in sorted(_files(entry).items())
    }
    manifest = {"format": FORMAT, "hash": HASH, "chunk": CHUNK, "digest": _digest(files, CHUNK), "files": files}
    with atomic_write(entry / MANIFEST) as f:
        json.dump(manifest, f)
    return manifest


def _n_chunks(size: int, chunk: int) -> int:
    return max(1, math.ceil(size / chunk))


def read_manifest(entry: Path) -> dict[str, Any]:
    """The entry's manifest, checked for shape and against its own digest; ValueError says what is wrong."""
    try:
        m = json.loads((entry / MANIFEST).read_text())
    except FileNotFoundError:
        raise ValueError(f"no {MANIFEST} (an incomplete entry)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{MANIFEST} is unreadable ({e})") from None
    if not isinstance(m, dict) or m.get("format") != FORMAT or m.get("hash") != HASH:
        raise ValueError(f"{MANIFEST} is not format {FORMAT} with {HASH} hashes")
    chunk, files = m.get("chunk"), m.get("files")
    if not isinstance(chunk, int) or chunk <= 0 or not isinstance(files, dict):
        raise ValueError(f"{MANIFEST} lacks its chunk size or file list")
    for rel, f in files.items():
        if not (
            isinstance(f, dict)
            and isinstance(f.get("size"), int)
            and isinstance(f.get("chunks"), list)
            and len(f["chunks"]) == _n_chunks(f["size"], chunk)
        ):
            raise ValueError(f"{MANIFEST}: the record of {rel} is malformed")
    if m.get("digest") != _digest(files, chunk):
        raise ValueError(f"{MANIFEST} does not match its own digest")
    return m


def entry_digest(entry: Path) -> str:
    """The content hash of a (verified) entry: the digest of its manifest's file list (paths, sizes and
    chunk hashes — nothing about where or when it was built)."""
    return read_manifest(entry)["digest"]


# -- checking an entry --------------------------------------------------------------------------------
def stamp(entry: Path) -> Path:
    """Beside the entry; its mtime is the time of the entry's last full pass (large entries only)."""
    return entry.with_name(entry.name + ".verified")


def _full_pass_due(entry: Path, total: int) -> bool:
    if total <= ALWAYS_FULL_BYTES:
        return True
    try:
        return time.time() - stamp(entry).stat().st_mtime > FULL_EVERY_S
    except FileNotFoundError:
        return True


def _sample(files: dict[str, Any], chunk: int, rng: random.Random) -> dict[str, list[int] | None]:
    """Which chunks of each file one sampled read hashes (None: all of them)."""
    plan: dict[str, list[int] | None] = {}
    middle: list[tuple[str, int]] = []
    for rel, f in files.items():
        n = len(f["chunks"])
        if n <= 2:
            plan[rel] = None
        else:
            plan[rel] = [0, n - 1]
            middle += [(rel, i) for i in range(1, n - 1)]
    for rel, i in rng.sample(middle, min(len(middle), SAMPLE_BYTES // chunk)):
        plan[rel].append(i)  # type: ignore[union-attr]
    return {rel: (sorted(ix) if ix is not None else None) for rel, ix in plan.items()}


def check(entry: Path, full: bool | None = None) -> str | None:
    """None if ``entry`` matches its manifest, else one line: the first problem (and how many more).

    ``full``: hash every chunk (True), follow the schedule in the module docstring (None)."""
    if not entry.is_dir():
        return "is not a directory"
    try:
        m = read_manifest(entry)
    except ValueError as e:
        return str(e)
    files, chunk = m["files"], m["chunk"]
    found = _files(entry)
    problems = [f"{rel} is missing" for rel in sorted(set(files) - set(found))]
    problems += [f"{rel} is not in the manifest" for rel in sorted(set(found) - set(files))]
    for rel in sorted(set(files) & set(found)):
        try:
            size = found[rel].stat().st_size
        except OSError as e:
            problems.append(f"{rel} cannot be read ({e.strerror})")
            continue
        if size != files[rel]["size"]:
            problems.append(f"{rel} is {size:,} bytes, manifest says {files[rel]['size']:,}")
    if not problems:  # the layout is right: now the content
        total = sum(f["size"] for f in files.values())
        if full is None:
            full = _full_pass_due(entry, total)
        plan = {rel: None for rel in files} if full else _sample(files, chunk, random.Random())
        for rel, indices in sorted(plan.items()):
            try:
                expected = files[rel]["chunks"]
                for i, h in _chunk_digests(found[rel], chunk, indices):
                    if i >= len(expected) or h != expected[i]:
                        hi = min((i + 1) * chunk, files[rel]["size"]) - 1
                        where = f"bytes {i * chunk:,}-{hi:,} differ" if len(expected) > 1 else "its content differs"
                        problems.append(f"{rel}: {where} from the manifest")
                        break
            except OSError as e:
                problems.append(f"{rel} cannot be read ({e.strerror})")
        if full and not problems and total > ALWAYS_FULL_BYTES:
            with contextlib.suppress(OSError):
                stamp(entry).touch()
    if not problems:
        return None
    more = f" (and {len(problems) - 1} more problem{'s' * (len(problems) > 2)})" if len(problems) > 1 else ""
    return problems[0] + more


# -- the protocol -------------------------------------------------------------------------------------
@contextlib.contextmanager
def locked(entry: Path) -> Iterator[None]:
    """An exclusive lock on ``<name>.lock`` beside ``entry`` (flock: local and NFS filesystems); also what
    serialises the first opens of a new sqlite store (trainer/preflight.py)."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    with open(entry.with_name(entry.name + ".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove(path: Path) -> None:
    """Remove a file, a link (never what it points to) or a directory tree."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _move_aside(entry: Path) -> Path:
    bad = entry.with_name(entry.name + ".bad")
    _remove(bad)
    os.rename(entry, bad)
    return bad


def obtain(entry: Path, build: Callable[[Path], None]) -> bool:
    """Make ``entry`` a verified, complete entry; True if it already was (a hit).

    On a miss, under the lock: a bad entry is moved aside (one line on stderr), ``build(tmp)`` fills
    ``<key>.partial``, the manifest is written and the directory renamed into place; a failed build
    leaves nothing.  A second process that waited on the lock finds the new entry and builds nothing."""
    seen = os.path.lexists(entry)
    if seen and check(entry) is None:
        return True
    with locked(entry):
        if os.path.lexists(entry):
            # built by another process while we waited?  A problem we saw is re-checked completely
            problem = check(entry, full=True if seen else None)
            if problem is None:
                return True
            bad = _move_aside(entry)
            message = f"cache: {entry.parent.name}/{entry.name}: {problem}; moved aside to {bad.name}, rebuilding"
            print(message, file=sys.stderr, flush=True)
            progress.note(message)  # stderr may be the log file: the live view shows it too
        tmp = entry.with_name(entry.name + ".partial")
        _remove(tmp)
        tmp.mkdir(parents=True)
        try:
            build(tmp)
            manifest = write_manifest(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        os.rename(tmp, entry)
        if sum(f["size"] for f in manifest["files"].values()) > ALWAYS_FULL_BYTES:
            with contextlib.suppress(OSError):
                stamp(entry).touch()  # just hashed completely
        return False
