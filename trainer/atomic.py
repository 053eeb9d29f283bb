"""Write-then-rename, so a crash, a full disk or an error never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path
from typing import IO, Iterator


def _new_temp(target: Path) -> tuple[int, str]:
    """A fresh file beside ``target``, created with the mode a plain ``open()`` gives (mkstemp's is 0600)."""
    while True:
        tmp = str(target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666), tmp
        except FileExistsError:
            continue


def probe_writable(path: str | Path) -> Path:
    """The nearest folder that exists at or above ``path`` (where writing ``path`` would create what is
    missing), after a file was created and removed in it: a real probe, since permission bits say nothing of a
    read-only mount, or of anything to root. Raises NotADirectoryError naming a file found in that place, and
    OSError naming the folder when the probe cannot be written."""
    p = Path(path)
    existing = next(q for q in (p, *p.parents) if q.exists())
    if not existing.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(existing))
    try:
        fd, probe = _new_temp(existing / "biasgen-write-probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise OSError(e.errno, e.strerror, str(existing)) from None
    return existing


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Yield a temp file beside ``path``; on success fsync it and rename it over ``path``.

    On any failure (at write, flush, fsync, close or rename) the temp file is removed and an existing
    ``path`` is untouched. An OSError that names no file or only the temp file (ENOSPC at write, EIO at
    fsync) is re-raised naming ``path``, so the one-line message tells the user which output failed.
    A symlink is written through (the link stays), and an existing file keeps its permission bits.
    """
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a component of the folder is a file: "File exists" would mislead
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target.parent)) from None
    fd, tmp = _new_temp(target)
    f = None
    try:
        with contextlib.suppress(FileNotFoundError):
            os.fchmod(fd, stat.S_IMODE(os.stat(target).st_mode))
        f = os.fdopen(fd, mode, encoding=None if "b" in mode else encoding)
        with f:  # closing flushes: a full disk may surface here too, and the fd is closed regardless
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            if f is None:
                os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.errno is not None and e.filename in (None, tmp):
            raise OSError(e.errno, e.strerror, str(path)) from e
        raise
