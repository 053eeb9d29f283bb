import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.runtime_env import REPO_ROOT, apply_defaults

apply_defaults()


@pytest.fixture
def cli():
    """Run ``launch.py`` in a subprocess, as a user would; returns the CompletedProcess."""

    def run(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120):
        return subprocess.run([sys.executable, str(REPO_ROOT / "launch.py"), *args], cwd=cwd or REPO_ROOT,
                              capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})

    return run


def _mount_tmpfs(where: Path, options: str) -> bool:
    """Mount a tmpfs at ``where`` (created); False where mounting is not allowed (not root, no CAP_SYS_ADMIN)."""
    where.mkdir()
    try:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def _unmount(where: Path) -> None:
    if subprocess.run(["umount", str(where)], capture_output=True, timeout=30).returncode:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)  # busy: detach it now


@pytest.fixture
def full_fs(tmp_path):
    """A real, tiny (64 KiB) empty filesystem, for disk-full faults (ENOSPC): write more than fits.

    Needs root to mount; skipped otherwise (a full disk cannot be caused in a plain folder)."""
    where = tmp_path / "full_fs"
    if not _mount_tmpfs(where, "size=64k"):
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); no other real way to fill a disk")
    yield where
    _unmount(where)


@pytest.fixture
def readonly_fs(tmp_path):
    """An empty folder nothing can be written in: a read-only tmpfs (EROFS) as root, where permission bits
    stop nothing; without root, a folder without write permission (EACCES). Skipped as root without mount."""
    where = tmp_path / "readonly_fs"
    if _mount_tmpfs(where, "ro,size=64k"):
        yield where
        _unmount(where)
    else:
        if os.geteuid() == 0:
            pytest.skip("root cannot mount here, and permission bits do not stop root")
        where.chmod(0o555)
        yield where
        where.chmod(0o755)
