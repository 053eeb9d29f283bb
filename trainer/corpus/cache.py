"""Content-addressed cache of built artifacts: ``<root>/<kind>/<key>/``.

The key hashes exactly the config values an artifact depends on plus the source of the code that
builds it, so a code change never serves stale data.  An artifact is built in a temp directory, its
manifest written last, and renamed into place; every read verifies the manifest, and a bad entry is
rebuilt (see ``trainer/manifest.py``).  A per-key lock makes concurrent builders of one key build it
once: the others wait and find it.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from ..manifest import obtain
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
    """Return ``(path, hit)``: a verified entry, or one that ``build(tmp_dir)`` has just filled (on a
    miss or a bad entry, under the key's lock; the temp dir is then renamed into place)."""
    final = Path(root).resolve() / kind / key
    return final, obtain(final, build)
