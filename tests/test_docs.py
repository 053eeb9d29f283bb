"""The documentation stays true to the code: README.md and docs/*.md are read as a newcomer would use them.

- every ```yaml block parses; one that names a file on its first line (``# configs/sweeps/x.yaml``) equals that
  file; a trial config loads through ``trainer.config.load_config`` and a sweep through ``sweeps.config.load_sweep``
  with every point validated (``trial_configs``);
- every ``python launch.py ...`` (or ``biasgen ...``, the installed command) command shown (a line of a
  bash/text/console block, or inline code) that is cheap (``--help``, ``--print-config``, ``--dry-run``,
  ``data list``, ``data show``) runs from the repository root (as ``python launch.py``) and exits 0, writing
  nothing; every other one parses against the real command line (and its ``key=value`` overrides load as
  config, where the command takes a trial, sweep or Slurm config);
- every relative link and image resolves (and an ``#anchor`` into a page names one of its headings).

Failures name the page, the line and the block or command.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from trainer.runtime_env import REPO_ROOT

PAGES = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
COMMAND_LANGS = {"bash", "sh", "shell", "console", "text"}
CHEAP_FLAGS = {"--help", "-h", "--print-config", "--dry-run"}
SWEEP_ONLY_KEYS = {
    "name",
    "base",
    "set",
    "grid",
    "variants",
    "search",
    "num_samples",
    "sample_seed",
    "max_concurrent",
    "retries",
}


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    lang: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO_ROOT)}:{self.line}"


def _fenced(page: Path) -> tuple[list[Block], list[str]]:
    """The page's fenced code blocks, and its lines with every fenced line blanked (prose, for links and
    inline code; line numbers kept)."""
    blocks, prose = [], []
    fence = lang = None
    start, body = 0, []
    for n, line in enumerate(page.read_text().splitlines(), 1):
        m = re.match(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)", line)
        if fence is None and m:
            fence, lang, start, body = m.group(1), m.group(2).lower(), n, []
            prose.append("")
        elif fence is not None and line.strip().startswith(fence) and not line.strip()[len(fence) :].strip():
            blocks.append(Block(page, start, lang, "\n".join(body) + "\n"))
            fence = None
            prose.append("")
        elif fence is not None:
            body.append(line)
            prose.append("")
        else:
            prose.append(line)
    assert fence is None, f"{page.relative_to(REPO_ROOT)}:{start}: a code fence that is never closed"
    return blocks, prose


BLOCKS = {page: _fenced(page) for page in PAGES}


# ---------------------------------------------------------------------------------------------- yaml blocks

YAML_BLOCKS = [b for page in PAGES for b in BLOCKS[page][0] if b.lang in ("yaml", "yml")]


def _names_file(block: Block) -> Path | None:
    first = block.text.splitlines()[0] if block.text.strip() else ""
    m = re.match(r"^#\s*(\S+\.ya?ml)\s*$", first)
    return REPO_ROOT / m.group(1) if m else None


@pytest.mark.parametrize("block", YAML_BLOCKS, ids=lambda b: b.where)
def test_yaml_block_loads(block: Block, tmp_path, monkeypatch):
    from sweeps.config import load_sweep, trial_configs
    from trainer.config import ConfigError, TrialConfig, load_config

    try:
        data = yaml.safe_load(block.text)
    except yaml.YAMLError as e:
        pytest.fail(f"{block.where}: yaml block does not parse: {str(e).splitlines()[0]}\n{block.text}")
    named = _names_file(block)
    if named is not None:
        assert named.is_file(), f"{block.where}: the block names {named.relative_to(REPO_ROOT)}, which does not exist"
        assert data == yaml.safe_load(named.read_text()), (
            f"{block.where}: the block differs from {named.relative_to(REPO_ROOT)}, which it names; copy the file"
        )
    if not isinstance(data, dict):
        return
    keys = set(data)
    trial_keys = {f.name for f in dataclasses.fields(TrialConfig)}
    monkeypatch.chdir(REPO_ROOT)  # `base:` and paths read as from the repository root, as the CLI's users run it
    path = tmp_path / "block.yaml"
    path.write_text(block.text)
    try:
        if keys & SWEEP_ONLY_KEYS:
            trial_configs(load_sweep(path))  # every point of the sweep validated
        elif keys & trial_keys:
            load_config(path)
    except ConfigError as e:
        pytest.fail(f"{block.where}: the config does not load: {e}\n{block.text}")


# ------------------------------------------------------------------------------------------------ commands


@dataclass
class Command:
    argv: tuple[str, ...]  # after `python launch.py`
    where: list[str]

    @property
    def cheap(self) -> bool:
        return bool(CHEAP_FLAGS & set(self.argv)) or self.argv[:2] in (("data", "list"), ("data", "show"))

    def __str__(self) -> str:
        return "python launch.py " + shlex.join(self.argv)


def _split(text: str, where: str) -> tuple[str, ...] | None:
    """``python launch.py ARGS # comment`` or ``biasgen ARGS`` (the same CLI, installed) -> ARGS; None for
    anything else."""
    text = text.strip().removeprefix("$ ").strip()
    cli = re.match(r"^(python launch\.py|biasgen)(\s|$)", text)
    if not cli:
        return None
    try:
        words = shlex.split(text, comments=True)
    except ValueError as e:
        pytest.fail(f"{where}: cannot split {text!r} into words: {e}")
    return tuple(words[len(cli.group(1).split()) :]) or None  # the CLI's name alone is no command


def _commands() -> list[Command]:
    found: dict[tuple[str, ...], Command] = {}

    def add(argv, where):
        if argv is not None:
            found.setdefault(argv, Command(argv, [])).where.append(where)

    for page in PAGES:
        blocks, prose = BLOCKS[page]
        rel = page.relative_to(REPO_ROOT)
        for b in blocks:
            if b.lang not in COMMAND_LANGS:
                continue
            lines, n0 = b.text.splitlines(), b.line + 1
            i = 0
            while i < len(lines):
                start, joined = i, lines[i]
                while joined.rstrip().endswith("\\") and i + 1 < len(lines):  # continuation lines
                    i += 1
                    joined = joined.rstrip()[:-1] + " " + lines[i].strip()
                add(_split(joined, f"{rel}:{n0 + start}"), f"{rel}:{n0 + start}")
                i += 1
        for n, line in enumerate(prose, 1):
            for span in re.findall(r"(?<!`)`([^`]+)`(?!`)", line):
                add(_split(span, f"{rel}:{n}"), f"{rel}:{n}")
    return list(found.values())


COMMANDS = _commands()
CHEAP = [c for c in COMMANDS if c.cheap]
OTHERS = [c for c in COMMANDS if not c.cheap]


def _submit_job_dir(cmd: Command) -> Path | None:
    """Where `submit slurm` would write its job folder (a --dry-run must not create it)."""
    if cmd.argv[:1] != ("submit",) or "--help" in cmd.argv or "-h" in cmd.argv:
        return None
    from cluster.config import load_slurm

    try:
        args = _parse(cmd)
        return load_slurm(args.config, [*args.overrides, "dry_run=true"]).job_dir
    except (Exception, pytest.fail.Exception):
        return None  # the command itself fails, and its test says why


@pytest.fixture(scope="module")
def cheap_runs():
    """Every cheap documented command, started together (they are independent; on 2 cores this halves the
    wait), each with an empty HOME of its own; {argv: (returncode, output, HOME left empty, job dir created)}."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    procs = {}
    with tempfile.TemporaryDirectory(prefix="docs-cmds-") as tmp:
        for i, cmd in enumerate(CHEAP):
            home = Path(tmp) / f"home{i}"
            home.mkdir()
            job_dir = _submit_job_dir(cmd)
            existed = job_dir.exists() if job_dir else None
            p = subprocess.Popen(
                [sys.executable, str(REPO_ROOT / "launch.py"), *cmd.argv],
                cwd=REPO_ROOT,
                env={**env, "HOME": str(home)},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            procs[cmd.argv] = (p, home, job_dir, existed)
        results = {}
        for argv, (p, home, job_dir, existed) in procs.items():
            try:
                out, _ = p.communicate(timeout=300)
            except subprocess.TimeoutExpired:
                p.kill()
                out, _ = p.communicate()
                out += "\n(killed after 300 s)"
            created = job_dir is not None and not existed and job_dir.exists()
            results[argv] = (p.returncode, out, not any(home.iterdir()), created)
        yield results


@pytest.mark.parametrize("cmd", CHEAP, ids=str)
def test_cheap_command_runs(cmd: Command, cheap_runs):
    rc, out, home_clean, job_dir_created = cheap_runs[cmd.argv]
    where = ", ".join(cmd.where)
    tail = "\n".join(out.splitlines()[-15:])
    assert rc == 0, f"{where}: `{cmd}` exited {rc}:\n{tail}"
    assert "Traceback" not in out, f"{where}: `{cmd}` printed a traceback:\n{tail}"
    assert home_clean, f"{where}: `{cmd}` wrote into HOME"
    assert not job_dir_created, f"{where}: `{cmd}` created the job folder; a dry run must write nothing"


def _unbracket(argv: tuple[str, ...]) -> list[str]:
    """Optional parts written as ``[--json]`` / ``[--port 5000]`` are parsed as given."""
    out, inside = [], False
    for word in argv:
        if word.startswith("[-"):
            word, inside = word[1:], True
        if inside and word.endswith("]"):
            word, inside = word[:-1], False
        out.append(word)
    return out


def _parse(cmd: Command):
    """The command's arguments as launch.py's own parser reads them (overrides after options included)."""
    from biasgen.cli import build_parser

    parser = build_parser()
    argv = _unbracket(cmd.argv)
    try:
        args, extra = parser.parse_known_args(argv)
    except SystemExit:
        pytest.fail(f"{', '.join(cmd.where)}: `{cmd}` is not valid for launch.py's parser (see the usage above)")
    stray = [e for e in extra if e.startswith("-") or "=" not in e or not hasattr(args, "overrides")]
    assert not stray, f"{', '.join(cmd.where)}: `{cmd}`: launch.py does not accept {' '.join(stray)}"
    if extra:
        args.overrides = [*args.overrides, *extra]
    return args


@pytest.mark.parametrize("cmd", OTHERS, ids=str)
def test_documented_command_parses(cmd: Command, monkeypatch):
    from sweeps.config import SWEEPS_DIR, load_sweep, trial_configs
    from trainer.config import ConfigError, load_config

    monkeypatch.chdir(REPO_ROOT)
    args = _parse(cmd)
    where = ", ".join(cmd.where)
    try:
        if args.cmd == "run" or (args.cmd == "data" and args.data_cmd == "build"):
            load_config(args.config, args.overrides)
        elif args.cmd == "score" and (args.config or args.overrides):
            load_config(args.config, args.overrides, trial=False)
        elif args.cmd == "sweep" and not args.resume:
            name = args.config
            if name and "=" in name:  # `sweep key=value`: the default sweep with overrides
                args.overrides, name = [name, *args.overrides], None
            if name is None or Path(name).is_file() or (SWEEPS_DIR / f"{name}.yaml").is_file():
                trial_configs(load_sweep(name, args.overrides))
        elif args.cmd == "submit":
            from cluster.config import load_slurm

            load_slurm(args.config, [*args.overrides, "dry_run=true"])
    except ConfigError as e:
        pytest.fail(f"{where}: `{cmd}`: its config does not load: {e}")


# --------------------------------------------------------------------------------------------------- links


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    for line in (BLOCKS[page] if page in BLOCKS else _fenced(page))[1]:
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            s = _slug(m.group(1))
            seen[s] = seen.get(s, -1) + 1
            if seen[s]:
                seen[f"{s}-{seen[s]}"] = 0
    return set(seen)


def _links() -> list[tuple[str, Path, str]]:
    found = []
    for page in PAGES:
        for n, line in enumerate(BLOCKS[page][1], 1):
            line = re.sub(r"`[^`]*`", "", line)  # inline code is not a link
            for target in re.findall(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", line):
                if not re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: are not checked here
                    found.append((f"{page.relative_to(REPO_ROOT)}:{n}", page, target))
    return found


LINKS = _links()


@pytest.mark.parametrize("where,page,target", LINKS, ids=[f"{w} {t}" for w, _, t in LINKS])
def test_relative_link_resolves(where: str, page: Path, target: str):
    path, _, anchor = target.partition("#")
    dest = (page.parent / path).resolve() if path else page
    assert dest.exists(), f"{where}: link to {target!r}: {dest} does not exist"
    if anchor and dest.suffix == ".md":
        assert anchor in _anchors(dest), (
            f"{where}: link to {target!r}: {dest.relative_to(REPO_ROOT)} has no heading with anchor #{anchor}"
        )


def test_the_pages_hold_what_this_test_reads():
    """A reader that found nothing would pass everything: the pages hold yaml blocks, commands of both kinds
    and links."""
    assert len(YAML_BLOCKS) >= 3 and len(CHEAP) >= 3 and len(OTHERS) >= 10 and len(LINKS) >= 20
