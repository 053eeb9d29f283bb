"""The package as a user installs it (#17): a wheel built from this checkout, installed non-editable into a fresh
venv outside it, whose ``biasgen`` command runs from another directory and finds the shipped configs (the model
ladder, the sweep files and the trial configs they name, the Slurm defaults) in the install, not the checkout.

The fresh venv has no site-packages of its own but the wheel's; the dependencies come from the interpreter
running the tests through a ``.pth`` path line, which follows the venv's own site-packages on ``sys.path`` (and
runs none of the ``.pth`` files there, so an editable biasgen in that environment cannot shadow the wheel;
the test checks where ``trainer`` is imported from)."""

from __future__ import annotations

import fnmatch
import os
import shlex
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from trainer.runtime_env import CONFIGS_DIR, REPO_ROOT

PACKAGES = ("biasgen", "trainer", "sweeps", "cluster")


def _ignored(root: Path):
    """A ``shutil.copytree`` filter that leaves out what ``.gitignore`` names (``.venv``, caches, runs, a
    stale ``build/`` that setuptools would copy into the wheel), and ``.git``."""
    patterns = [
        line.strip()
        for line in (root / ".gitignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignore(folder: str, names: list[str]) -> set[str]:
        top = Path(folder) == root
        out = {".git"} if top else set()
        for pat in patterns:
            anchored, pat = pat.startswith("/"), pat.strip("/")
            if top or not anchored:
                out |= set(fnmatch.filter(names, pat))
        return out

    return ignore


def _run(argv: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def install(tmp_path_factory):
    """(the wheel, the venv's python, its bin/, a working directory outside the checkout)."""
    tmp = tmp_path_factory.mktemp("packaging")
    src = tmp / "src"  # built from a copy: a build in the checkout would leave build/ and *.egg-info there
    shutil.copytree(REPO_ROOT, src, ignore=_ignored(REPO_ROOT), symlinks=True)
    r = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(tmp / "dist"),
            str(src),
        ],
        cwd=tmp,
    )
    assert r.returncode == 0, f"pip wheel failed:\n{r.stdout}\n{r.stderr}"
    (wheel,) = (tmp / "dist").glob("biasgen-*.whl")
    venv = tmp / "venv"
    r = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    assert r.returncode == 0, r.stderr
    python = venv / "bin" / "python"
    # pip runs as the venv's interpreter, which does not see this environment yet: a plain install, no uninstalls
    r = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        cwd=tmp,
    )
    assert r.returncode == 0, f"pip install failed:\n{r.stdout}\n{r.stderr}"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp)
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (Path(purelib.stdout.strip()) / "_biasgen_test_deps.pth").write_text("".join(f"{p}\n" for p in deps))
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return wheel, python, venv / "bin", elsewhere


@pytest.mark.e2e
def test_the_wheel_holds_every_package_and_shipped_config(install):
    wheel = install[0]
    names = set(zipfile.ZipFile(wheel).namelist())
    for pkg in PACKAGES:  # a subpackage missing from setup.cfg's list would be missing from the install
        for init in sorted((REPO_ROOT / pkg).rglob("__init__.py")):
            rel = init.relative_to(REPO_ROOT).as_posix()
            assert rel in names, f"{rel} is not in the wheel: add its package to setup.cfg [options] packages"
    configs = sorted(p.relative_to(CONFIGS_DIR).as_posix() for p in CONFIGS_DIR.rglob("*.yaml"))
    missing = [c for c in configs if f"trainer/configs/{c}" not in names]
    assert configs and not missing, f"configs/ files not in the wheel (setup.cfg package_data): {missing}"
    assert not any(n.startswith(("configs/", "tests/", "launch.py")) for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "biasgen = biasgen.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.e2e
def test_the_installed_command_runs_from_another_directory(install):
    _, python, bin_dir, elsewhere = install
    biasgen = str(bin_dir / "biasgen")

    r = _run(
        [
            str(python),
            "-c",
            "import biasgen, cluster, sweeps, trainer; from trainer.runtime_env import INSTALLED; "
            "print(INSTALLED); print(*(m.__file__ for m in (biasgen, cluster, sweeps, trainer)), sep='\\n')",
        ],
        cwd=elsewhere,
    )
    assert r.returncode == 0, r.stderr
    installed, *files = r.stdout.split()
    assert installed == "True"
    for f in files:  # the wheel's copy, not this checkout (nor an editable install of it)
        assert Path(f).is_relative_to(python.parent.parent) and not Path(f).is_relative_to(REPO_ROOT), f

    r = _run([biasgen, "run", "--print-config", "model.size=5m"], cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    assert yaml.safe_load(r.stdout)["model"]["size"] == "5m"
    r = _run([biasgen, "run", "--print-config", "model.size=6m"], cwd=elsewhere)  # the whole ladder, installed
    ladder = ", ".join(sorted(p.stem for p in (CONFIGS_DIR / "model").glob("*.yaml")))
    assert r.returncode == 2 and f"model.size: expected one of {ladder}, got '6m'" in r.stderr, r.stderr

    r = _run([biasgen, "sweep", "--help"], cwd=elsewhere)
    assert r.returncode == 0 and r.stdout.startswith("usage: biasgen sweep"), r.stdout + r.stderr

    # a trial config named as in the docs, from a directory that has no configs/: the shipped one
    r = _run([biasgen, "run", "--print-config", "--config", "configs/smoke.yaml"], cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    assert yaml.safe_load(r.stdout)["model"]["size"] == "tiny"

    # the default cluster config, a sweep by name and the trial config its `base:` names, all from the install
    jobs = elsewhere / "jobs"
    r = _run([biasgen, "submit", "slurm", "--dry-run", "partition=gpu", "sweep=demo", f"job_dir={jobs}"], cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert f"cd {shlex.quote(str(elsewhere))}" in lines, r.stdout  # no checkout to run in: where submit ran
    assert shlex.split(lines[-1]) == ["exec", str(python), "-P", "-m", "biasgen", "slurm-job", str(jobs / "demo")]
    assert not jobs.exists()

    r = _run([str(python), "-P", "-m", "biasgen", "data", "list", "--json"], cwd=elsewhere)  # what that job runs
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 52, r.stderr


@pytest.mark.e2e
def test_the_data_cache_key_is_the_checkouts(install):
    """Installed and checked-out code hash the same files under the same names, so they share cached data."""
    from trainer.corpus.cache import code_version

    _, python, _, elsewhere = install
    r = _run([str(python), "-c", "from trainer.corpus.cache import code_version; print(code_version())"], cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == code_version()


def test_a_config_named_as_in_the_repository_is_found_from_any_directory(tmp_path, monkeypatch):
    """`--config configs/...`, a sweep file by path and a sweep's `base: configs/...` read the repository's file
    (an install's shipped copy) when the working directory has none; a file that is there wins, and a missing
    one is reported under the name given."""
    from sweeps.config import load_sweep
    from trainer.config import ConfigError, load_config

    monkeypatch.chdir(tmp_path)
    assert load_config("configs/smoke.yaml").model.size == "tiny"
    assert load_sweep("configs/sweeps/smoke.yaml").base == str(CONFIGS_DIR / "smoke.yaml")
    (tmp_path / "s.yaml").write_text("name: s\nbase: configs/science-cpu.yaml\n")
    assert load_sweep("s.yaml").base == str(CONFIGS_DIR / "science-cpu.yaml")
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "smoke.yaml").write_text("model: {size: 2m}\n")
    assert load_config("configs/smoke.yaml").model.size == "2m"
    with pytest.raises(ConfigError, match=r"^config file 'configs/nope.yaml': not found$"):
        load_config("configs/nope.yaml")
