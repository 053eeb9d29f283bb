"""Content fingerprints of the data sources a config names (``data.bias_docs``, ``data.generic``,
``finetune.pairs``), for the cache keys (``trainer/keys.py``): the key of a corpus built from a file must change
when the file's bytes do, not only when its path does.

- a local file: sha256 of its bytes;
- a folder (a saved ``datasets`` folder, a folder of parquet/jsonl files): sha256 over its files' relative
  paths and content hashes;
- anything else is a hub dataset name and is keyed by that name (``name@revision`` pins a revision; without
  one, a dataset updated on the hub keeps its key: pin the revision to make a cached corpus follow it).

A file's hash is remembered for the life of the process under its (path, size, mtime_ns, inode), so a big
corpus is read once per process however many keys name it. A file modified in the last two seconds is not
remembered: a filesystem's clock can be coarse enough that a rewrite of the same size keeps its mtime (the
"racy" case of git's index), and a just-written file is cheap to hash again.
"""

from __future__ import annotations

import hashlib
import os
import time

_RACY_NS = 2_000_000_000
_CHUNK = 1 << 20
_hashes: dict[tuple, str] = {}


def file_sha256(path: str) -> str:
    st = os.stat(path)
    memo = (os.path.realpath(path), st.st_size, st.st_mtime_ns, st.st_ino)
    if memo in _hashes:
        return _hashes[memo]
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    digest = h.hexdigest()
    if time.time_ns() - st.st_mtime_ns > _RACY_NS:
        _hashes[memo] = digest
    return digest


def folder_sha256(path: str) -> str:
    h = hashlib.sha256()
    for root, dirs, names in os.walk(path):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(root, name)
            h.update(os.path.relpath(full, path).encode("utf-8", "surrogateescape") + b"\0")
            h.update(file_sha256(full).encode() + b"\n")
    return h.hexdigest()


def fingerprint(source: str) -> str:
    """What a cache key holds for one source: ``sha256:<hex>`` for a local file or folder, ``hub:<name>`` for
    anything that is neither (the readers refuse a missing local path; config loading already has)."""
    path = os.path.expanduser(source)
    if os.path.isfile(path):
        return "sha256:" + file_sha256(path)
    if os.path.isdir(path):
        return "sha256:" + folder_sha256(path)
    return "hub:" + source
