"""Sweep configuration (``configs/sweeps/*.yaml``): a base trial config, fixed values, and the search space.

name: demo                       # MLflow experiment and parent run
base: configs/smoke.yaml         # trial config the points start from (optional)
set: {model.size: tiny}          # fixed trial values
grid:                            # every combination is a trial (search: grid)
  data.mix: [0.0, 0.5]
  finetune.fraction: [0.5, 0.9]
  seed: [0, 1]
variants:                        # optional: each grid point once per variant (one-factor ablations)
  - {}                           #   the base itself
  - {data.tokenizer: bpe}
search: grid                     # or random: num_samples points drawn from the grid (seeded)
"""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from trainer.config import ConfigError, TrialConfig, load_config, option
from trainer.keys import trial_key
from trainer.runtime_env import CONFIGS_DIR, repo_file

SWEEPS_DIR = CONFIGS_DIR / "sweeps"  # configs/sweeps/ of the checkout, or the installed copy


@dataclass
class SweepConfig:
    name: str = option("demo", help="sweep name: the MLflow experiment and the parent run")
    base: Optional[str] = option(None, help="trial config YAML the points start from")
    set: Dict[str, Any] = option({}, help="fixed trial values, dotted keys")
    grid: Dict[str, List[Any]] = option({}, help="axis -> values; dotted trial keys")
    variants: List[Dict[str, Any]] = option(
        [], allow_empty=True, help="trial-value sets, each applied to every grid point ({} = the base)"
    )
    search: str = option(
        "grid", choices=("grid", "random"), help="all combinations, or num_samples of them drawn by seed"
    )
    num_samples: int = option(0, lo=0, help="points drawn in random search")
    sample_seed: int = option(0, lo=0, help="seed of the random search")
    max_concurrent: int = option(0, lo=0, help="trials at once; 0 = as many as the cluster holds")
    retries: int = option(0, lo=0, help="times a failed trial is retried")


def load_sweep(path: str | Path | None, overrides: list[str] = ()) -> SweepConfig:
    if path is None:
        path = SWEEPS_DIR / "demo.yaml"
    elif not Path(path).is_file() and (SWEEPS_DIR / f"{path}.yaml").is_file():
        path = SWEEPS_DIR / f"{path}.yaml"  # `sweep smoke` = configs/sweeps/smoke.yaml
    else:
        path = repo_file(path)  # `sweep configs/sweeps/smoke.yaml` from any directory, and from an install
    _check_variants_shape(path, overrides)
    sweep = load_config(path, [_trial_key_override(o) for o in overrides], schema=SweepConfig)
    # nested YAML (`set: {data: {tokens: 1000}}`) arrives as nested mappings; trial keys are dotted
    sweep.set = _dotted(sweep.set)
    sweep.grid = _dotted(sweep.grid)
    sweep.variants = [_dotted(v) for v in sweep.variants]
    if sweep.base:  # absolute, since trials run in other working directories
        base = repo_file(sweep.base)  # as given, else the repository's (`configs/smoke.yaml`: the shipped one)
        if not base.is_file():
            raise ConfigError(f"base: config file {sweep.base!r} not found")
        sweep.base = str(base.resolve())
    if not sweep.name or not all(c.isalnum() or c in "-_." for c in sweep.name):
        raise ConfigError(f"name: expected letters, digits, '-', '_' or '.', got {sweep.name!r}")
    for axis, values in sweep.grid.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f"grid.{axis}: expected a non-empty list of values")
    clash = sorted(set(sweep.set) & set(sweep.grid))
    if clash:  # the grid would silently win over the fixed value
        raise ConfigError(f"set.{clash[0]}: also a grid axis; vary a key in one place")
    for i, variant in enumerate(sweep.variants):
        clash = sorted(set(variant) & set(sweep.grid))
        if clash:
            raise ConfigError(f"variants[{i}].{clash[0]}: also a grid axis; vary a key in one place")
    if sweep.search == "random" and sweep.num_samples < 1:
        raise ConfigError("num_samples: expected >= 1 with search: random")
    return sweep


def _trial_key_override(item: str) -> str:
    """``set.data.tokens=1000`` / ``grid.data.mix=[0, 0.5]``: everything after ``set.`` or ``grid.`` is one dotted
    trial key, not a path of nested sections (escaped for OmegaConf)."""
    key, sep, value = item.partition("=")
    head, dot, rest = key.partition(".")
    if sep and dot and head in ("set", "grid") and rest:
        return f"{head}.{rest.replace('.', chr(92) + '.')}={value}"
    return item


def _dotted(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"data": {"mix": 0.5}}`` -> ``{"data.mix": 0.5}`` (no trial key holds a mapping)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict) and value:
            out |= _dotted(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def _check_variants_shape(path: str | Path, overrides: list[str] = ()) -> None:
    """Name the bad entry of ``variants``, from the file or a ``variants=`` override (OmegaConf's own message
    has only a list index, or only the type)."""
    try:
        raw = yaml.safe_load(Path(path).read_text()) if Path(path).is_file() else None
        variants = raw.get("variants") if isinstance(raw, dict) else None
        for o in overrides:
            if o.startswith("variants="):
                variants = yaml.safe_load(o.split("=", 1)[1])
    except yaml.YAMLError:
        return  # load_config reports unreadable YAML
    if variants is None:
        return
    if not isinstance(variants, list):
        raise ConfigError(f"variants: expected a list of mappings (trial key: value), got {variants!r}")
    for i, v in enumerate(variants):
        if not isinstance(v, dict):
            raise ConfigError(f"variants[{i}]: expected a mapping of trial keys to values ({{}} = the base), got {v!r}")


def points(sweep: SweepConfig) -> list[dict[str, Any]]:
    """The trials' axis values, in a fixed order (the same on every run: resume relies on it)."""
    axes = sorted(sweep.grid)
    grid = [dict(zip(axes, values)) for values in itertools.product(*(sweep.grid[a] for a in axes))] or [{}]
    combos = [{**g, **dict(v)} for g in grid for v in (sweep.variants or [{}])]
    if sweep.search == "random":
        rng = random.Random(f"sweep:{sweep.name}:{sweep.sample_seed}")
        combos = rng.sample(combos, min(sweep.num_samples, len(combos)))
    return combos


def sweep_axes(sweep: SweepConfig) -> list[str]:
    """Every trial key the sweep varies: the grid's axes and the keys any variant sets."""
    return sorted(set(sweep.grid).union(*(v.keys() for v in sweep.variants)))


def trial_configs(sweep: SweepConfig) -> list[TrialConfig]:
    """Every point's trial config, validated, in :func:`points` order; two points that resolve to the same trial
    (``data.mix: [0.5, 0.50]``, a variant equal to the base) are refused, since resuming tells trials apart by
    their config and would run one of them twice."""
    pts = points(sweep)
    cfgs = [trial_config(sweep, p) for p in pts]
    seen: dict[str, int] = {}
    for i, cfg in enumerate(cfgs):
        key = trial_key(cfg)
        if key in seen:
            j = seen[key]
            where = lambda k: ", ".join(f"{a}={v}" for a, v in pts[k].items()) or "the base"  # noqa: E731
            raise ConfigError(
                f"sweep {sweep.name!r}: points {j + 1} ({where(j)}) and {i + 1} ({where(i)}) are the same "
                "trial; remove one"
            )
        seen[key] = i
    return cfgs


def trial_config(sweep: SweepConfig, point: dict[str, Any]) -> TrialConfig:
    """The trial config of one point: base file <- ``set`` <- point; the experiment is the sweep's."""
    values = {**sweep.set, **point, "tracking.experiment": sweep.name}
    try:
        return load_config(sweep.base, [f"{k}={json.dumps(v)}" for k, v in values.items()])
    except ConfigError as e:
        where = ", ".join(f"{k}={v}" for k, v in point.items())
        raise ConfigError(f"sweep {sweep.name!r} point ({where}): {e}") from None
