"""The offline bundle for GPU nodes: a wheelhouse of exactly the pinned dependencies a node lacks.

GPU compute nodes are often offline and come with their own PyTorch (and often transformers, numpy,
pandas, ...). biasgen's install there must not replace that torch, and it cannot reach an index, so
``scripts/bundle.sh`` runs this module on a machine with pip access:

1. **Resolve** ``setup.cfg``'s ``install_requires`` against the node's package list (``--have``: a
   ``pip list --format=freeze`` taken on the node). A package the node has is kept, at its version, where
   that version satisfies every requirement on it from the packages being bundled (biasgen's own ``==``
   pins are not enforced on the node's packages, as for torch); a package the node lacks, or has at a
   version a bundled package refuses, is downloaded as a wheel for the node's Python and platform: at
   biasgen's pin where there is one, else the newest allowed. Its own requirements are followed the same
   way. torch (and its CUDA libraries) always stay the node's.
2. **Build** a wheel locally for a requirement published only as source (DeepSpeed), which must come out
   pure Python (``py3-none-any``), so it installs anywhere.
3. **Strip** what Python never loads from the largest wheels (Ray's Java jar; see ``STRIP``), rewriting
   each wheel's RECORD to match, and report the bundle's size beside the project's.

``scripts/setup.sh --offline DIR`` installs the result with ``--no-index`` into a site folder put in
front of the node's own packages, then checks (``verify``) that every bundled package's requirements are
met by what the node and the bundle hold together, with a warning line for each that is not. The resolver
is deliberately small (no backtracking): it re-fetches a package when a later requirement excludes the
version it picked, and fails with one line when none fits; ``bundle.json`` records every choice.
"""

from __future__ import annotations

import argparse
import base64
import email.parser
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from configparser import ConfigParser
from dataclasses import dataclass, field
from pathlib import Path

from trainer.sources import file_sha256

try:
    from packaging.markers import default_environment
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version
except ImportError:  # a bare interpreter: pip carries its own copy
    from pip._vendor.packaging.markers import default_environment
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    from pip._vendor.packaging.specifiers import SpecifierSet
    from pip._vendor.packaging.utils import canonicalize_name
    from pip._vendor.packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
# The node's own: torch and what comes with a CUDA build of it. Never bundled, whatever --have says.
NODE_OWN = re.compile(r"^(torch|triton|nvidia-.*|cuda-.*)$")
# Members Python never loads on a compute node, by distribution (path prefixes in the wheel): Ray's Java
# workers' jar (31 of its 75 MiB compressed); Ray's libraries biasgen never imports (RLlib, Serve, Ray LLM;
# nothing in Ray Core, Train, Tune or Data imports them at module level) and its dashboard's web page (biasgen
# starts Ray without the dashboard); the MLflow UI's web page (7 MiB), which `mlflow ui` serves where the
# store is read, not where trials log to it. tests/test_bundle.py runs a real trial on a bundle so slimmed.
STRIP = {
    "ray": ("ray/jars/", "ray/rllib/", "ray/serve/", "ray/llm/", "ray/dashboard/client/build/"),
    "mlflow": ("mlflow/server/js/build/",),
}
DEFAULT_PLATFORMS = (
    "manylinux_2_28_x86_64",
    "manylinux_2_27_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
    "manylinux1_x86_64",
)
SIZE_TARGET_MIB = 60  # the bundle plus the project: what one transfer to an offline node carries


class BundleError(Exception):
    """One line for the user: what failed and what to change."""


@dataclass(frozen=True)
class Target:
    """The node's interpreter and platform, for wheel tags and requirement markers."""

    python: str  # "3.12"
    platforms: tuple[str, ...] = DEFAULT_PLATFORMS

    def markers(self) -> dict[str, str]:
        machine = "aarch64" if any("aarch64" in p for p in self.platforms) else "x86_64"
        env = default_environment()
        env.update(
            python_version=self.python,
            python_full_version=f"{self.python}.0",
            implementation_name="cpython",
            implementation_version=f"{self.python}.0",
            platform_python_implementation="CPython",
            sys_platform="linux",
            platform_system="Linux",
            os_name="posix",
            platform_machine=machine,
        )
        return env

    def pip_args(self) -> list[str]:
        args = ["--only-binary=:all:", "--python-version", self.python, "--implementation", "cp"]
        for p in self.platforms:
            args += ["--platform", p]
        return args


def read_node_packages(path: Path) -> dict[str, str | None]:
    """``name==version`` lines (``pip list --format=freeze``; ``pip freeze`` too), or bare names where the
    version is unknown; ``#`` comments. A ``name @ url`` line counts as present, version unknown."""
    have: dict[str, str | None] = {}
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        raise BundleError(f"--have: cannot read {str(path)!r} ({e.strerror or e})") from None
    for no, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):  # blank, comment, or a pip option line (-e, --index-url)
            continue
        name, sep, version = line.partition("==")
        name = name.split(" @ ", 1)[0].strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            raise BundleError(f"--have {path}:{no}: expected 'name==version' or 'name', got {raw.strip()!r}")
        if sep:
            try:
                version = str(Version(version.strip()))
            except InvalidVersion:
                raise BundleError(f"--have {path}:{no}: {version.strip()!r} is not a version") from None
        have[canonicalize_name(name)] = version if sep else None
    return have


def project_requirements(setup_cfg: Path = ROOT / "setup.cfg") -> list[Requirement]:
    cp = ConfigParser()
    cp.read(setup_cfg)
    lines = [ln.strip() for ln in cp.get("options", "install_requires").splitlines() if ln.strip()]
    return [Requirement(ln) for ln in lines]


@dataclass
class Wheel:
    name: str
    version: str
    path: Path
    requires: list[str]
    built_here: bool = False


def _dist_info(z: zipfile.ZipFile, name: str) -> str:
    """The member ``<dist>.dist-info/<name>`` of a wheel (METADATA, RECORD)."""
    return next(n for n in z.namelist() if n.count("/") == 1 and n.endswith(f".dist-info/{name}"))


def read_wheel(path: Path) -> Wheel:
    with zipfile.ZipFile(path) as z:
        msg = email.parser.Parser().parsestr(z.read(_dist_info(z, "METADATA")).decode("utf-8", "replace"))
    return Wheel(canonicalize_name(msg["Name"]), msg["Version"], path, msg.get_all("Requires-Dist") or [])


@dataclass
class Plan:
    """What the bundle holds (``wheels``) and what it leaves to the node (``kept``), with reasons."""

    wheels: dict[str, Wheel] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)  # name -> why the node's copy is used
    replaced: dict[str, str] = field(default_factory=dict)  # name -> why the node's copy is not used
    required_by: dict[str, set[str]] = field(default_factory=dict)


class Resolver:
    def __init__(self, target: Target, have: dict[str, str | None], wheelhouse: Path, pip_extra=(), log=print):
        self.target, self.have, self.wheelhouse = target, have, wheelhouse
        self.pip = [sys.executable, "-m", "pip"]
        self.pip_extra = list(pip_extra)  # e.g. --no-index --find-links DIR (tests)
        self.log = log
        self.env = target.markers()
        self.specs: dict[str, SpecifierSet] = {}
        self.extras: dict[str, set[str]] = {}
        self.plan = Plan()

    def _applies(self, req: Requirement, extras: set[str]) -> bool:
        if req.marker is None:
            return True
        return any(req.marker.evaluate({**self.env, "extra": e}) for e in sorted(extras | {""}))

    def resolve(self, top: list[Requirement]) -> Plan:
        queue: list[tuple[Requirement, str]] = [(r, "biasgen") for r in top]
        while queue:
            req, parent = queue.pop(0)
            name = canonicalize_name(req.name)
            self.plan.required_by.setdefault(name, set()).add(parent)
            if NODE_OWN.match(name):
                self.plan.kept[name] = "the node's own PyTorch stack"
                continue
            spec = self.specs.get(name, SpecifierSet()) & req.specifier
            self.specs[name] = spec
            new_extras = set(req.extras) - self.extras.get(name, set())
            self.extras.setdefault(name, set()).update(req.extras)
            if name in self.have and name not in self.plan.replaced:
                node_version = self.have[name]
                if parent == "biasgen" or node_version is None or spec.contains(node_version, prereleases=True):
                    self.plan.kept[name] = (
                        f"node has {node_version}" if node_version else "node has it (version not listed)"
                    )
                    if parent == "biasgen" and req.specifier and node_version:
                        self.plan.kept[name] += f"; biasgen pins {req.specifier}"
                    continue
                self.plan.replaced[name] = f"node has {node_version}; {parent} needs {spec}"
                self.plan.kept.pop(name, None)
            chosen = self.plan.wheels.get(name)
            fits = chosen is not None and spec.contains(chosen.version, prereleases=True)
            if fits and not new_extras:
                continue
            if not fits:
                chosen = self.plan.wheels[name] = self._fetch(name, spec)
            for dep in chosen.requires:
                d = Requirement(dep)
                if self._applies(d, self.extras[name]):
                    d.marker = None  # evaluated: the extras it named are the parent's, not the dependency's
                    queue.append((d, name))
        return self.plan

    def _fetch(self, name: str, spec: SpecifierSet) -> Wheel:
        want = f"{name}{spec}"
        cmd = [*self.pip, "download", "--no-deps", "-d", str(self.wheelhouse), *self.target.pip_args()]
        run = subprocess.run([*cmd, *self.pip_extra, want], capture_output=True, text=True)
        saved = re.findall(r"(?:Saved|File was already downloaded) (\S+\.whl)", run.stdout)
        if run.returncode == 0 and saved:
            return read_wheel(Path(saved[-1]))
        if "No matching distribution" not in run.stderr and "from versions: none" not in run.stderr:
            raise BundleError(f"pip download {want!r} failed: {_last_line(run.stderr)}")
        return self._build(name, want)

    def _build(self, name: str, want: str) -> Wheel:
        """A requirement with no wheel for the target: build one here, acceptable only if pure Python."""
        self.log(f"bundle: no wheel of {want} for Python {self.target.python}; building one here")
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "DS_BUILD_OPS": "0"}  # DeepSpeed: JIT-build ops on the node, none here
            cmd = [*self.pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp, *self.pip_extra, want]
            run = subprocess.run(cmd, capture_output=True, text=True, env=env)
            built = sorted(Path(tmp).glob("*.whl"))
            if run.returncode != 0 and "No matching distribution" in run.stderr:
                needers = ", ".join(sorted(self.plan.required_by.get(name, ())))
                raise BundleError(f"no release of {name} fits {want[len(name) :]} (required by {needers})")
            if run.returncode != 0 or not built:
                raise BundleError(f"no wheel of {want} for the node, and building one failed: {_last_line(run.stderr)}")
            if not built[0].name.endswith("-py3-none-any.whl"):
                raise BundleError(
                    f"{want} has no wheel for Python {self.target.python} on {self.target.platforms[0]}, and "
                    f"the one built here is platform-specific ({built[0].name})"
                )
            dest = self.wheelhouse / built[0].name
            shutil.move(str(built[0]), dest)
        wheel = read_wheel(dest)
        wheel.built_here = True
        return wheel


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("WARNING")]
    return lines[-1] if lines else "no output"


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _strip_symbols(data: bytes) -> bytes:
    """An ELF binary without its symbol tables (``strip --strip-unneeded``): the loader never maps them;
    only a crash's backtrace would name fewer functions. Unchanged where binutils' strip is missing or fails."""
    strip = shutil.which("strip")
    if strip is None:
        return data
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in", Path(tmp) / "out"
        src.write_bytes(data)
        run = subprocess.run([strip, "--strip-unneeded", "-o", str(dst), str(src)], capture_output=True)
        return dst.read_bytes() if run.returncode == 0 and dst.exists() else data


def rewrite_wheel(path: Path, drop: set[str], strip_symbols: bool) -> int:
    """Rewrite ``path`` without the members in ``drop``, ELF members stripped of symbols when asked, and a
    RECORD recomputed to match (pip reads it to uninstall). Returns the bytes saved."""
    before = path.stat().st_size
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        record_name = _dist_info(src, "RECORD")
        record = []
        for info in src.infolist():
            if info.filename in drop or info.filename == record_name:
                continue
            data = src.read(info)
            if strip_symbols and data[:4] == b"\x7fELF":
                data = _strip_symbols(data)
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
            record.append(f"{info.filename},{_record_hash(data)},{len(data)}" if not info.is_dir() else "")
        record.append(f"{record_name},,")
        dst.writestr(record_name, "\n".join(r for r in record if r) + "\n")
    os.replace(tmp, path)
    return before - path.stat().st_size


def duplicates(paths: list[Path]) -> dict[Path, set[str]]:
    """Members that several wheels install at the same path with the same content (mlflow, mlflow-skinny and
    mlflow-tracing each carry the same modules): each is kept once, in the wheel with the fewest members,
    and dropped from the others. Returns the members to drop, per wheel."""
    owners: dict[tuple[str, str], list[tuple[int, Path]]] = {}
    for p in paths:
        with zipfile.ZipFile(p) as z:
            rows = [ln.split(",") for ln in z.read(_dist_info(z, "RECORD")).decode().splitlines() if ln.count(",") >= 2]
            size = len(z.namelist())
        for name, digest, *_ in rows:
            if digest and not name.split("/", 1)[0].endswith(".dist-info"):
                owners.setdefault((name, digest), []).append((size, p))
    drop: dict[Path, set[str]] = {}
    for (name, _), holders in owners.items():
        for _, p in sorted(holders, key=lambda h: (h[0], h[1].name))[1:]:
            drop.setdefault(p, set()).add(name)
    return drop


def slim(wheels: list[Wheel], strip_symbols: bool = True) -> dict[str, int]:
    """Drop what Python never loads (``STRIP``), duplicate members and ELF symbol tables, recompressing each
    wheel once; compressed bytes saved per reason ("symbols" includes the gain of recompressing at level 9)."""
    dupes = duplicates([w.path for w in wheels])
    saved = {"unused files": 0, "duplicates": 0, "symbols": 0}
    for w in wheels:
        prefixes = STRIP.get(w.name, ())
        with zipfile.ZipFile(w.path) as z:
            infos = z.infolist()
            unused = {i.filename for i in infos if prefixes and i.filename.startswith(prefixes)}
            dup = dupes.get(w.path, set()) - unused
            elf = strip_symbols and any(z.open(i).read(4) == b"\x7fELF" for i in infos if i.file_size > 4)
        if not (unused or dup or elf):
            continue
        total = rewrite_wheel(w.path, unused | dup, elf)
        saved["unused files"] += sum(i.compress_size for i in infos if i.filename in unused)
        saved["duplicates"] += sum(i.compress_size for i in infos if i.filename in dup)
        saved["symbols"] += total - sum(i.compress_size for i in infos if i.filename in unused | dup)
    return saved


def project_size(root: Path = ROOT) -> int:
    """Bytes of the files git tracks: what travels with the bundle to the node."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=True).stdout
        files = [root / f for f in out.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]
    return sum(f.stat().st_size for f in files if f.is_file())


def build(
    out: Path, target: Target, have_path: Path | None, pip_extra=(), strip_symbols: bool = True, log=print
) -> dict:
    """Resolve, download, strip; write ``out`` (wheels + ``bundle.json``) through a temp folder and a rename."""
    have = read_node_packages(have_path) if have_path else {}
    out = out.resolve()
    work = Path(tempfile.mkdtemp(prefix=f"{out.name}.partial-", dir=out.parent))  # ignored beside .bundle/
    try:
        plan = Resolver(target, have, work, pip_extra, log).resolve(project_requirements())
        stripped = slim(list(plan.wheels.values()), strip_symbols)
        keep = {w.path.name for w in plan.wheels.values()}
        for f in work.glob("*.whl"):  # versions fetched and later replaced by a stricter requirement
            if f.name not in keep:
                f.unlink()
        wheels = sorted(plan.wheels.values(), key=lambda w: w.name)
        manifest = {
            "python": target.python,
            "platforms": list(target.platforms),
            "have": str(have_path) if have_path else None,
            "wheels": [
                {
                    "name": w.name,
                    "version": w.version,
                    "file": w.path.name,
                    "bytes": w.path.stat().st_size,
                    "sha256": file_sha256(str(w.path)),
                    "required_by": sorted(plan.required_by.get(w.name, ())),
                    "built_here": w.built_here,
                }
                for w in wheels
            ],
            "kept_on_node": dict(sorted(plan.kept.items())),
            "replaces_node": dict(sorted(plan.replaced.items())),
            "stripped_bytes": stripped,
        }
        (work / "bundle.json").write_text(json.dumps(manifest, indent=1) + "\n")
        if out.exists():
            shutil.rmtree(out)
        os.replace(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def report(manifest: dict, out: Path) -> list[str]:
    mib = 2**20
    wheels = sum(w["bytes"] for w in manifest["wheels"])
    project = project_size()
    lines = [
        f"bundle: {len(manifest['wheels'])} wheels for Python {manifest['python']} in {out}: {wheels / mib:.1f} MiB",
    ]
    for w in sorted(manifest["wheels"], key=lambda w: -w["bytes"])[:5]:
        lines.append(f"  {w['name']} {w['version']}: {w['bytes'] / mib:.1f} MiB")
    slimmed = ", ".join(f"{why} {saved / mib:.1f} MiB" for why, saved in manifest["stripped_bytes"].items())
    lines.append(f"  dropped: {slimmed}")
    for name, why in manifest["replaces_node"].items():
        lines.append(f"  replaces the node's {name}: {why}")
    total = (wheels + project) / mib
    verdict = "within" if total <= SIZE_TARGET_MIB else "OVER"
    lines.append(
        f"bundle + project: {wheels / mib:.1f} + {project / mib:.1f} = {total:.1f} MiB "
        f"({verdict} the {SIZE_TARGET_MIB} MiB target); {len(manifest['kept_on_node'])} packages left to the node"
    )
    return lines


def verify(site: Path) -> list[str]:
    """Unmet requirements of the packages installed in ``site``, given everything importable (the node's
    packages and the site); one line each. Run by the interpreter the bundle serves."""
    from importlib import metadata

    env = default_environment()
    problems = []
    for dist in metadata.distributions(path=[str(site)]):
        name = dist.metadata["Name"]
        for raw in dist.requires or []:
            req = Requirement(raw)
            if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
                continue
            try:
                version = metadata.version(req.name)
            except metadata.PackageNotFoundError:
                problems.append(f"{name} needs {req}, which neither the node nor the bundle has")
                continue
            if not req.specifier.contains(version, prereleases=True):
                problems.append(f"{name} needs {req}, found {req.name} {version}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bundle", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="resolve and download the wheelhouse")
    b.add_argument("--out", type=Path, default=ROOT / ".bundle")
    b.add_argument("--python", default="3.12", help="the node's Python, major.minor")
    b.add_argument("--platform", action="append", help="a wheel platform tag (repeat); default manylinux x86_64")
    b.add_argument(
        "--have",
        type=Path,
        default=ROOT / "configs" / "cluster" / "h200-node.txt",
        help="the node's `python3 -m pip list --format=freeze` (default: the H200 node's list)",
    )
    b.add_argument("--pip-arg", action="append", default=[], help="extra pip option, e.g. --find-links=DIR")
    b.add_argument("--keep-symbols", action="store_true", help="leave ELF symbol tables in (crash backtraces)")
    v = sub.add_parser("verify", help="check the installed site against what is importable")
    v.add_argument("site", type=Path)
    a = ap.parse_args(argv)
    try:
        if a.cmd == "verify":
            problems = verify(a.site)
            for p in problems:
                print(f"warning: {p}", file=sys.stderr)
            return 1 if problems else 0
        if not re.fullmatch(r"3\.\d+", a.python):
            raise BundleError(f"--python: expected major.minor such as 3.12, got {a.python!r}")
        target = Target(a.python, tuple(a.platform) if a.platform else DEFAULT_PLATFORMS)
        manifest = build(a.out, target, a.have, a.pip_arg, not a.keep_symbols, log=lambda s: print(s, file=sys.stderr))
        for line in report(manifest, a.out):
            print(line)
        return 0
    except (BundleError, InvalidRequirement) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
