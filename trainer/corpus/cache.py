"""Content-addressed cache of built artifacts: ``<root>/<kind>/<key>/``.

The key hashes exactly the config values an artifact depends on plus the source of the code that
builds it, so a code change never serves stale data.  An artifact is built in a temp directory and
renamed into place; a directory that exists is complete.  Two concurrent builders of one key both
finish and the loser's copy is discarded.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from ..runtime_env import REPO_ROOT

_CODE_DIRS = ("trainer/biases", "trainer/corpus", "trainer/chat.py")


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the sources that generate data (catalogue, corpus builder, chat format)."""
    h = hashlib.sha256()
    for rel in _CODE_DIRS:
        p = REPO_ROOT / rel
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in files:
            if f.is_file() and f.suffix in (".py", ".yaml"):
                h.update(str(f.relative_to(REPO_ROOT)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


def cache_key(parts: dict[str, Any]) -> str:
    blob = json.dumps({"parts": parts, "code": code_version()}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def cached(root: str | Path, kind: str, key: str, build: Callable[[Path], None]) -> tuple[Path, bool]:
    """Return ``(path, hit)``; on a miss ``build(tmp_dir)`` fills a temp dir that is then renamed."""
    final = Path(root).resolve() / kind / key
    if final.is_dir():
        return final, True
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=final.parent))
    try:
        build(tmp)
        try:
            os.rename(tmp, final)
        except OSError:
            if not final.is_dir():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # a concurrent builder won; same content
            return final, True
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final, False
