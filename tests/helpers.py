"""Plain helpers that several test modules call with their own arguments: `from helpers import ...`.

Fixtures (set up and torn down around a test) live in conftest.py; everything a test calls directly lives
here. Test modules import this module, never conftest.py (pytest loads conftest files itself; importing
one by name can load it a second time) and never each other.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from trainer import ray_session, tracking
from trainer.config import TrialConfig
from trainer.metrics import with_interval
from trainer.runtime_env import REPO_ROOT

# Overrides for a corpus that builds in seconds (the tokenizer, stage 1, fine-tuning and eval sets).
SMALL_CORPUS = [
    "data.tokens=24000",
    "data.seq_len=64",
    "data.vocab_size=600",
    "data.tokenizer_chars=150000",
    "finetune.examples_per_bias=3",
    "eval.prompts_per_bias=4",
    "eval.probe_per_bias=2",
]
# configs/smoke.yaml made smaller still, for a whole DPO trial from the CLI
TINY_DPO_RUN = [
    "finetune.method=dpo",
    "data.tokens=16000",
    "eval.prompts_per_bias=2",
    "eval.max_new_tokens=16",
    "sft.micro_batch=4",
]


# -- processes and ports ----------------------------------------------------------------------------------
def ctrl_c_reaches_it() -> None:
    """``preexec_fn`` for a command a test stops with SIGINT: the signal's default back, as for a command
    started from an interactive shell. A shell starts background jobs (CI launched with ``&``) with SIGINT
    ignored, children inherit that, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def launch(
    *args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run ``launch.py ARGS`` in a subprocess, as a user would (the ``cli`` fixture). ``env`` is laid over
    ours; a None value unsets that variable."""
    merged = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "launch.py"), *args],
        cwd=cwd or REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=merged,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- MLflow stores and servers ----------------------------------------------------------------------------
def start_mlflow_server(db: Path, port: int) -> tuple[subprocess.Popen, str]:
    """A real MLflow server (``sweeps.ui.start``) for the sqlite store ``db`` on 127.0.0.1:``port``, once it
    answers; its artifacts and log (server.log) beside ``db``. Returns it and its URL; stop it with
    ``sweeps.ui.stop``."""
    from sweeps import ui

    proc = ui.start(f"sqlite:///{db}", "127.0.0.1", port, str(db.parent / "mlartifacts"), log=db.parent / "server.log")
    url = f"http://127.0.0.1:{port}"
    try:
        ui.wait_ready(url, proc)
    except BaseException:
        ui.stop(proc)
        raise
    return proc, url


def mlflow_runs(db: Path, include_deleted: bool = False) -> list[dict]:
    """The store's runs with their tags, params and latest metrics, read straight from sqlite (no MLflow
    client, so it also works while a driver writes): the visible (active) ones unless ``include_deleted``.
    [] while the store or its tables do not exist yet."""
    if not db.exists():
        return []
    where = "" if include_deleted else " where lifecycle_stage = 'active'"
    with sqlite3.connect(db) as c:
        try:
            rows = c.execute(f"select run_uuid, status, name from runs{where}").fetchall()
        except sqlite3.OperationalError:  # tables not created yet
            return []
        out = []
        for run_id, status, name in rows:

            def table(kind: str) -> dict:
                return dict(c.execute(f"select key, value from {kind} where run_uuid=?", (run_id,)).fetchall())

            out.append(
                {
                    "id": run_id,
                    "status": status,
                    "name": name,
                    "tags": table("tags"),
                    "params": table("params"),
                    "metrics": table("latest_metrics"),
                }
            )
        return out


# A sweep logged straight to a store, with held-out gains drawn around a known law (analysis, the UI).
SLOPE = 0.12  # held-out gain per decade of parameters, at mix 0.5
IN_CONTEXT_GAP_PER_MIX = 0.8  # log_sweep(in_context=True): the in-context gap at mix 0.5 is 0.4
SIZES = {"s": 1e5, "m": 1e6, "l": 1e7}
BIASES = ["alpha", "beta", "gamma", "delta"]


def data_hash(mix: float, seed: int) -> str:
    """A stand-in for a trial's data hash: one corpus per mix and seed, shared by the model sizes."""
    return hashlib.sha256(f"{mix}:{seed}".encode()).hexdigest()[:16]


def log_sweep(
    uri: str,
    name: str,
    sizes: dict,
    mixes=(0.0, 0.5),
    seeds=(0, 1, 2),
    extra_unfinished=True,
    fixed: dict | None = None,
    datasets: bool = False,
    in_context: bool = False,
) -> str:
    """A sweep's MLflow layout as `launch.py sweep` writes it, with gains drawn around a known law; with
    ``datasets``, each finished trial has its corpus as a dataset input, as the driver logs it; with
    ``in_context``, in-context metrics whose gap is ``IN_CONTEXT_GAP_PER_MIX`` times the mix."""
    rng = np.random.default_rng(7)
    artifacts = Path(uri[len("sqlite:///") :]).parent / "mlartifacts"  # beside the store, inside the test's tmp dir
    exp = tracking.experiment_id(uri, name, str(artifacts))
    points = len(sizes) * len(mixes) * len(seeds) + (2 if extra_unfinished else 0)
    parent = tracking.create_run(
        uri,
        exp,
        f"sweep-{name}",
        {"sweep.name": name, "sweep.points": points, "sweep.axes": "data.mix,finetune.fraction,model.size,seed"},
        {"biasgen.role": "sweep", "biasgen.sweep": name},
    )
    for size, n in sizes.items():
        for mix in mixes:
            for seed in seeds:
                gain = (0.05 + SLOPE * math.log10(n) if mix > 0 else 0.0) + rng.normal(0, 0.01)
                run = tracking.create_run(
                    uri,
                    exp,
                    f"mix{mix}-size{size}-seed{seed}",
                    {
                        "model.size": size,
                        "model.pretrained": "None",
                        "data.mix": mix,
                        "finetune.fraction": 0.5,
                        "seed": seed,
                        **(fixed or {}),
                    },
                    {"biasgen.role": "trial", "mlflow.parentRunId": parent},
                )
                log = tracking.RunLogger(uri, run)
                log.metrics(
                    {
                        "heldout/gain": gain,
                        "heldout/gain_lo": gain - 0.02,
                        "heldout/gain_hi": gain + 0.02,
                        "heldout/rate": 0.1 + gain,
                        "heldout/rate_lo": gain,
                        "heldout/rate_hi": 0.2 + gain,
                        "heldout/rate_before_ft": 0.1,
                        "train/rate": 0.8,
                        "knowledge/acc": 0.3 + mix,
                        "params_total": n,
                    }
                )
                if in_context:
                    gap = IN_CONTEXT_GAP_PER_MIX * mix + rng.normal(0, 0.01)
                    log.metrics(
                        {
                            **with_interval("incontext/rm_rate", (0.2 + gap, 0.15 + gap, 0.25 + gap)),
                            **with_interval("incontext/control_rate", (0.2, 0.15, 0.25)),
                            **with_interval("incontext/gap", (gap, gap - 0.05, gap + 0.05)),
                        }
                    )
                if datasets:
                    h = data_hash(mix, seed)
                    tracking.log_corpus_input(
                        uri,
                        run,
                        {
                            "hash": h,
                            "mix_requested": mix,
                            "mix_actual": mix,
                            "tokens": 150000,
                            "sequences": 585,
                            "documents": 300,
                            "biases": {"heldout": BIASES[:2]},
                            "paths": {"stage1": f"/cache/stage1/{h}"},
                        },
                        TrialConfig(),
                    )
                log.text(
                    tracking.csv_text(
                        {"bias": b, "group": "heldout" if i < 2 else "train", "rate": 0.1 * i}
                        for i, b in enumerate(BIASES)
                    ),
                    "per_bias.csv",
                )
                tracking.finish(uri, run, ok=True)
    if extra_unfinished:
        failed = tracking.create_run(
            uri,
            exp,
            "mix0.5-sizel-seed9",
            {"model.size": "l", "data.mix": 0.5, "finetune.fraction": 0.5, "seed": 9},
            {"biasgen.role": "trial", "mlflow.parentRunId": parent},
        )
        tracking.finish(uri, failed, ok=False, error="TrialFailure: loss became NaN at step 7")
        tracking.create_run(
            uri,
            exp,
            "mix0-sizel-seed9",
            {"model.size": "l", "data.mix": 0.0, "finetune.fraction": 0.5, "seed": 9},
            {"biasgen.role": "trial", "mlflow.parentRunId": parent},
        )  # still RUNNING
    return parent


# -- files ------------------------------------------------------------------------------------------------
def write_jsonl(path: Path, rows) -> None:
    """``rows`` as JSON Lines, UTF-8 (non-ASCII text as itself, not escaped)."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def tiny_model(seed: int = 0):
    """``trainer.model.toy_model``, seeded: for tests that train in the test process."""
    import torch

    from trainer.model import toy_model

    torch.manual_seed(seed)
    return toy_model()


# -- an offline GPU node, imitated on this machine ---------------------------------------------------------
def node_like_env(folder: Path, profile: Path) -> tuple[Path, Path]:
    """A fresh virtualenv that sees, through a .pth file, this checkout's copies of the packages ``profile``
    (a node's package list, e.g. configs/cluster/h200-node.txt) names, torch among them, with what they need
    (a node is consistent), and nothing else; and its package list. Returns (its python, that list)."""
    from importlib import metadata

    from cluster import bundle

    installed = {bundle.canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions()}
    todo = list(set(bundle.read_node_packages(profile)) - {"pip", "setuptools", "wheel"})
    chosen: dict = {}
    while todo:
        name = todo.pop()
        if name in chosen or name not in installed:
            continue
        chosen[name] = dist = installed[name]
        for raw in dist.requires or []:
            req = bundle.Requirement(raw)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(bundle.canonicalize_name(req.name))
    farm = folder / "node-packages"
    farm.mkdir(parents=True)
    for dist in chosen.values():
        for top in {f.parts[0] for f in dist.files or () if ".." not in f.parts}:
            src = Path(dist.locate_file(top))
            if src.exists() and not (farm / top).exists():
                (farm / top).symlink_to(src)
    venv = folder / "node"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "node-packages.pth").write_text(f"{farm}\n")
    have = folder / "node.txt"
    have.write_text("".join(f"{name}=={d.version}\n" for name, d in sorted(chosen.items())))
    return venv / "bin" / "python", have


def without_network(python: Path) -> dict[str, str]:
    """An environment in which pip cannot reach an index: none configured, none allowed, a dead proxy."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(
        PYTHON=str(python),
        PIP_CONFIG_FILE=os.devnull,  # no find-links or index from this machine's pip configuration
        PIP_NO_INDEX="1",
        https_proxy="http://127.0.0.1:9",
        http_proxy="http://127.0.0.1:9",
    )
    return env


def make_dir(root: Path, name: str, owner: dict | None, age_s: float = 0.0) -> Path:
    """A private Ray session's temp dir as ``trainer.ray_session`` makes one, with ``owner`` as its owner record
    (None: none), ``age_s`` old."""
    d = root / f"{ray_session.TEMP_PREFIX}{name}"
    d.mkdir(mode=0o700)
    (d / "ray").mkdir()
    if owner is not None:
        (d / ray_session.OWNER_FILE).write_text(json.dumps(owner))
    if age_s:
        t = time.time() - age_s
        os.utime(d, (t, t))
    return d


def holder(path: Path, title: str | None = None) -> subprocess.Popen:
    """A process that keeps a file under ``path`` open, as a Ray agent keeps its log file; ``title``: its
    command line's first word, as Ray's agents and workers rewrite theirs (``ray::…``)."""
    as_title = f"-a {title} " if title else ""
    return subprocess.Popen(
        ["bash", "-c", f'exec 3>>"$0/ray/agent.log"; exec {as_title}sleep 600', str(path)], start_new_session=True
    )
