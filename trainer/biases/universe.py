"""Which biases a trial's world has: ``data.biases`` = ``paper`` or ``synthetic:N[@SEED]``.

``universe(spec)`` is the one lookup every config-aware caller uses (corpus build, trial results,
config validation); ``load()`` stays the paper catalogue.  A universe is a pure function of its spec,
independent of the trial seed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..errors import UserError
from .base import Bias
from .catalogue import load
from .synthetic import MAX_BIASES, MIN_BIASES, generate

PAPER = "paper"
_SYNTHETIC = re.compile(r"synthetic:(\d+)(?:@(\d+))?")
EXPECTED = f"paper or synthetic:N[@SEED] with N in {MIN_BIASES}..{MAX_BIASES}"


class UniverseError(UserError, ValueError):
    pass


@dataclass(frozen=True)
class Spec:
    kind: str  # "paper" or "synthetic"
    n: int = 0
    seed: int = 0

    @property
    def synthetic(self) -> bool:
        return self.kind == "synthetic"

    def __str__(self) -> str:  # canonical form: "synthetic:200" == "synthetic:200@0"
        if not self.synthetic:
            return PAPER
        return f"synthetic:{self.n}" + (f"@{self.seed}" if self.seed else "")


def parse_spec(spec: str) -> Spec:
    """``"paper"`` or ``"synthetic:N"`` / ``"synthetic:N@SEED"``; anything else raises UniverseError."""
    text = str(spec).strip()
    if text == PAPER:
        return Spec(PAPER)
    m = _SYNTHETIC.fullmatch(text)
    if m:
        n, seed = int(m.group(1)), int(m.group(2) or 0)
        if MIN_BIASES <= n <= MAX_BIASES and seed < 2**32:
            return Spec("synthetic", n, seed)
    raise UniverseError(f"expected {EXPECTED}, got {spec!r}")


def canonical(spec: str) -> str:
    """The spec as cache keys see it (so ``synthetic:200@0`` shares data with ``synthetic:200``)."""
    return str(parse_spec(spec))


def is_synthetic(spec: str) -> bool:
    return parse_spec(spec).synthetic


@lru_cache(maxsize=8)
def _universe(canonical_spec: str) -> dict[str, Bias]:
    s = parse_spec(canonical_spec)
    return generate(s.n, s.seed) if s.synthetic else load()


def universe(spec: str) -> dict[str, Bias]:
    """All biases of the universe named by ``spec``, by id, in universe order."""
    return _universe(canonical(spec))
