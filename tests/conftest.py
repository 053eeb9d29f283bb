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
