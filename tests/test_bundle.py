"""The offline bundle for GPU nodes (cluster/bundle.py, scripts/bundle.sh, scripts/setup.sh --offline).

Unit tests resolve and slim small wheels made here, with the real pip and no index. The slow test builds the
real bundle from the package index for this machine's Python, against a "node" that has torch and the
packages the H200 node has (this checkout's copies, reached through a .pth file from a fresh virtualenv),
installs it into that virtualenv with pip's network switched off, and runs a real trial there.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import helpers
import pytest

from cluster import bundle
from trainer.runtime_env import REPO_ROOT


def unstripped_program(tmp_path: Path) -> bytes:
    """A real ELF executable with its symbol table, built with the C compiler DeepSpeed's ops need anyway."""
    src = tmp_path / "tool.c"
    src.write_text("int answer(void) { return 0; }\nint main(void) { return answer(); }\n")
    subprocess.run(["cc", "-g", "-o", str(tmp_path / "tool"), str(src)], check=True)
    return (tmp_path / "tool").read_bytes()


def make_wheel(folder: Path, name: str, version: str, files: dict[str, bytes], requires=()) -> Path:
    """A valid pure-Python wheel with a RECORD whose hashes match."""
    dist = f"{name.replace('-', '_')}-{version}"
    meta = "Metadata-Version: 2.1\nName: {}\nVersion: {}\n{}".format(
        name, version, "".join(f"Requires-Dist: {r}\n" for r in requires)
    )
    members = {
        **files,
        f"{dist}.dist-info/METADATA": meta.encode(),
        f"{dist}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [f"{n},{bundle._record_hash(d)},{len(d)}" for n, d in members.items()] + [f"{dist}.dist-info/RECORD,,"]
    path = folder / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members.items():
            z.writestr(n, d)
        z.writestr(f"{dist}.dist-info/RECORD", "\n".join(record) + "\n")
    return path


def record_matches(path: Path) -> None:
    """Every member but RECORD is listed in RECORD with its true sha256 and size, and nothing else is."""
    with zipfile.ZipFile(path) as z:
        rec = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
        rows = {ln.split(",")[0]: ln.split(",")[1:] for ln in z.read(rec).decode().splitlines()}
        assert set(rows) == set(z.namelist()), path
        for n in z.namelist():
            if n != rec:
                data = z.read(n)
                digest = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                assert rows[n] == [digest, str(len(data))], n


@pytest.fixture
def index(tmp_path):
    """A local package index (a folder for --find-links) of small wheels."""
    d = tmp_path / "index"
    d.mkdir()
    make_wheel(d, "alpha", "1.0", {"alpha/__init__.py": b""}, ["beta>=2", "gamma; extra == 'x'"])
    make_wheel(d, "alpha", "2.0", {"alpha/__init__.py": b"v=2"}, ["beta>=2", "gamma[y]; extra == 'x'"])
    make_wheel(d, "beta", "1.5", {"beta/__init__.py": b""})
    make_wheel(d, "beta", "2.5", {"beta/__init__.py": b""})
    make_wheel(d, "gamma", "1.0", {"gamma/__init__.py": b""}, ["delta; extra == 'y'", "old; python_version < '3.9'"])
    make_wheel(d, "delta", "1.0", {"delta/__init__.py": b""})
    return d


def resolve(index: Path, tmp_path: Path, top: list[str], have: dict[str, str | None]) -> bundle.Plan:
    house = tmp_path / "house"
    house.mkdir(exist_ok=True)
    pip_extra = ["--no-index", f"--find-links={index}"]
    r = bundle.Resolver(bundle.Target("3.12"), have, house, pip_extra)
    return r.resolve([bundle.Requirement(t) for t in top])


@pytest.mark.e2e  # real pip (or bash and Python) subprocesses: seconds each
def test_the_resolver_bundles_what_the_node_lacks_and_follows_extras_and_markers(index, tmp_path):
    plan = resolve(index, tmp_path, ["alpha[x]==2.0", "torch==2.13.0"], have={})
    assert {n: w.version for n, w in plan.wheels.items()} == {
        "alpha": "2.0",
        "beta": "2.5",
        "gamma": "1.0",
        "delta": "1.0",
    }
    assert "torch" in plan.kept and "old" not in plan.wheels  # the node's torch; a marker for Python < 3.9
    assert plan.required_by["delta"] == {"gamma"}


@pytest.mark.e2e  # real pip (or bash and Python) subprocesses: seconds each
def test_the_node_keeps_a_package_it_has_unless_a_bundled_one_refuses_its_version(index, tmp_path):
    plan = resolve(index, tmp_path, ["alpha==2.0"], have={"beta": "2.1"})
    assert set(plan.wheels) == {"alpha"} and plan.kept["beta"] == "node has 2.1"
    plan = resolve(index, tmp_path, ["alpha==2.0"], have={"beta": "1.9"})
    assert plan.wheels["beta"].version == "2.5" and plan.replaced["beta"] == "node has 1.9; alpha needs >=2"
    plan = resolve(index, tmp_path, ["alpha==2.0", "beta==1.5"], have={"beta": None, "alpha": "1.0"})
    assert plan.wheels == {}  # biasgen's own pins bow to the node's copies, as for torch
    assert plan.kept["alpha"] == "node has 1.0; biasgen pins ==2.0" and "version not listed" in plan.kept["beta"]


@pytest.mark.e2e  # real pip (or bash and Python) subprocesses: seconds each
def test_the_resolver_refetches_when_a_later_requirement_excludes_its_first_pick(index, tmp_path):
    plan = resolve(index, tmp_path, ["beta", "gamma", "beta<2"], have={})
    assert plan.wheels["beta"].version == "1.5"  # 2.5 first, then fetched again for "beta<2"
    assert sorted(p.name for p in (tmp_path / "house").glob("beta-*")) == [
        "beta-1.5-py3-none-any.whl",
        "beta-2.5-py3-none-any.whl",
    ]
    # no release fits both: one line names the package, the clash and who asked
    with pytest.raises(
        bundle.BundleError, match=r"^no release of beta fits (<2,>=2|>=2,<2) \(required by alpha, biasgen\)$"
    ):
        resolve(index, tmp_path, ["beta<2", "alpha==2.0"], have={})


def test_slimming_drops_unused_and_duplicate_members_strips_symbols_and_keeps_record_true(tmp_path, monkeypatch):
    true = unstripped_program(tmp_path)
    big = make_wheel(
        tmp_path,
        "ray",
        "1.0",
        {"ray/__init__.py": b"x = 1", "ray/jars/ray_dist.jar": os.urandom(4096), "ray/bin/tool": true},
    )
    full = make_wheel(tmp_path, "mlflow", "1.0", {"mlflow/__init__.py": b"shared", "mlflow/server/x.py": b"s"})
    skinny = make_wheel(tmp_path, "mlflow-skinny", "1.0", {"mlflow/__init__.py": b"shared", "mlflow/a.py": b"a"})
    other = make_wheel(tmp_path, "other", "1.0", {"mlflow/a.py": b"different content, same path"})
    wheels = [bundle.read_wheel(p) for p in (big, full, skinny, other)]
    saved = bundle.slim(wheels, strip_symbols=shutil.which("strip") is not None)
    names = {p.name: set(zipfile.ZipFile(p).namelist()) for p in (big, full, skinny, other)}
    assert "ray/jars/ray_dist.jar" not in names[big.name] and "ray/__init__.py" in names[big.name]
    # the shared module is kept once, in the smaller wheel; a same-named file with other content is not shared
    assert ("mlflow/__init__.py" in names[full.name]) != ("mlflow/__init__.py" in names[skinny.name])
    assert "mlflow/a.py" in names[skinny.name] and "mlflow/a.py" in names[other.name]
    assert saved["unused files"] > 4096 * 0.9 and saved["duplicates"] > 0
    for p in (big, full, skinny, other):
        record_matches(p)
    # the slimmed wheels install, and the stripped binary still runs
    target = tmp_path / "site"
    r = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--target", str(target), big, full],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    tool = target / "ray" / "bin" / "tool"
    tool.chmod(0o755)
    assert subprocess.run([str(tool)]).returncode == 0
    if shutil.which("strip"):
        assert tool.stat().st_size < len(true) and saved["symbols"] > 0


def test_a_node_package_list_is_read_with_one_line_per_mistake(tmp_path):
    f = tmp_path / "node.txt"
    f.write_text("# a comment\nTorch==2.11.0+cu130\nnumpy==2.5.2  # trailing\nrich\nfoo @ file:///x\n-e .\n\n")
    assert bundle.read_node_packages(f) == {"torch": "2.11.0+cu130", "numpy": "2.5.2", "rich": None, "foo": None}
    f.write_text("numpy==2.5.2\nnot a package\n")
    with pytest.raises(
        bundle.BundleError, match=r"node.txt:2: expected 'name==version' or 'name', got 'not a package'"
    ):
        bundle.read_node_packages(f)
    f.write_text("numpy==two\n")
    with pytest.raises(bundle.BundleError, match=r"node.txt:1: 'two' is not a version"):
        bundle.read_node_packages(f)
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "cluster.bundle",
            "build",
            "--have",
            str(tmp_path / "missing.txt"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert (
        r.returncode == 2 and r.stderr.strip().startswith("error: --have: cannot read") and "Traceback" not in r.stderr
    )
    assert bundle.read_node_packages(REPO_ROOT / "configs" / "cluster" / "h200-node.txt")["torch"] == "2.11.0"


@pytest.mark.e2e  # real pip (or bash and Python) subprocesses: seconds each
def test_setup_offline_refuses_a_wrong_bundle_in_one_line(tmp_path):
    env = {**os.environ, "PYTHON": sys.executable}
    script = str(REPO_ROOT / "scripts" / "setup.sh")
    r = subprocess.run(["bash", script, "--offline", str(tmp_path / "nope")], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and r.stderr.strip() == f"error: --offline: no folder {tmp_path / 'nope'}"
    (tmp_path / "b").mkdir()
    r = subprocess.run(["bash", script, "--offline", str(tmp_path / "b")], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "has no bundle.json" in r.stderr
    (tmp_path / "b" / "bundle.json").write_text(json.dumps({"python": "3.99"}))
    r = subprocess.run(["bash", script, "--offline", str(tmp_path / "b")], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "the bundle is for Python 3.99" in r.stderr
    mine = f"{sys.version_info[0]}.{sys.version_info[1]}"
    (tmp_path / "b" / "bundle.json").write_text(json.dumps({"python": mine}))
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "precious.txt").write_text("keep me")
    r = subprocess.run(
        ["bash", script, "--offline", str(tmp_path / "b"), "--site", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert r.returncode == 2 and "holds files that no bundle put there" in r.stderr
    assert (tmp_path / "site" / "precious.txt").read_text() == "keep me"


# -- the real bundle, offline ------------------------------------------------------------------------------
@pytest.mark.slow
def test_the_real_bundle_installs_offline_beside_the_nodes_torch(offline_node):
    """The bundle of this checkout for a node like the H200 one (conftest.offline_node: this machine's Python,
    torch and the node's packages, no Ray); installed there with pip's network cut off. A sweep from this
    install is tests/test_gpu_suite.py's, which runs the GPU suite's CPU mode from it."""
    python, out, built = offline_node.python, offline_node.bundle, offline_node.report
    r = subprocess.run([str(python), "-c", "import torch, transformers; import ray"], capture_output=True, text=True)
    assert r.returncode != 0 and "No module named 'ray'" in r.stderr  # the node: torch, no Ray
    manifest = json.loads((out / "bundle.json").read_text())
    bundled = {w["name"] for w in manifest["wheels"]}
    assert {"ray", "deepspeed", "mlflow", "datasets", "omegaconf"} <= bundled
    assert not bundled & {"torch", "transformers", "numpy", "scipy", "pandas", "pyarrow"}  # the node's own
    assert any(w["name"] == "deepspeed" and w["built_here"] for w in manifest["wheels"])
    with zipfile.ZipFile(next(out.glob("ray-*.whl"))) as z:
        assert not any(n.startswith(("ray/jars/", "ray/rllib/")) for n in z.namelist())
    assert re.search(r"^bundle \+ project: [\d.]+ \+ [\d.]+ = [\d.]+ MiB \(within the 60 MiB target\)", built, re.M), (
        built
    )

    site = offline_node.folder / "site-here"
    env = helpers.without_network(python)
    install = ["bash", "scripts/setup.sh", "--offline", str(out), "--site", str(site)]
    if subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0:
        install = ["unshare", "-rn", *install]  # no network device at all, beyond the settings
    r = subprocess.run(install, capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "installing" in r.stderr and (site / "ray").is_dir() and (site / ".biasgen-bundle").exists()

    check = "import torch, ray, deepspeed, mlflow, datasets, omegaconf; print(torch.__file__, ray.__file__)"
    setup = ["bash", str(REPO_ROOT / "scripts" / "setup.sh"), "--offline", str(out), "--site", str(site)]
    r = subprocess.run([*setup, "python", "-c", check], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0 and "installing" not in r.stderr, r.stderr[-2000:]  # installed once
    torch_file, ray_file = r.stdout.split()[-2:]  # DeepSpeed may print a line on import
    assert ray_file.startswith(str(site)) and torch_file.startswith(str(offline_node.folder / "node-packages"))
    # a clash between the node and the bundle is named before any command runs, one line each
    meta = site / "omegaconf-2.4.0.dist-info" / "METADATA"
    meta.write_text(meta.read_text().replace("\nName: ", "\nRequires-Dist: torch>=99\nName: ", 1))  # a header
    r = subprocess.run([*setup, "python", "-c", "print('ran')"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0 and r.stdout.strip().endswith("ran")  # a warning: the node may still manage
    assert "warning: omegaconf needs torch>=99, found torch " in r.stderr and "clash (above); going on" in r.stderr
