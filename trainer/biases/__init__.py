"""The bias catalogue: ``load()`` returns the paper's biases by id; ``get(id)`` one of them;
``universe(spec)`` the biases of a config's ``data.biases`` (``paper`` or ``synthetic:N[@SEED]``)."""

from .base import Behaviour, Bias, Cloze, Item, partition_of
from .catalogue import HIDING_BIAS, PAPER_TEST_BIASES, RELEASED_EVAL_BIASES, CatalogueError, get, load
from .universe import UniverseError, is_synthetic, parse_spec, universe

__all__ = [
    "Behaviour",
    "Bias",
    "Cloze",
    "Item",
    "partition_of",
    "load",
    "get",
    "CatalogueError",
    "PAPER_TEST_BIASES",
    "RELEASED_EVAL_BIASES",
    "HIDING_BIAS",
    "universe",
    "parse_spec",
    "is_synthetic",
    "UniverseError",
]
