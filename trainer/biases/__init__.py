"""The bias catalogue: ``load()`` returns all biases by id; ``get(id)`` one of them."""
from .base import Behaviour, Bias, Cloze, Item, partition_of
from .catalogue import HIDING_BIAS, PAPER_TEST_BIASES, CatalogueError, get, load

__all__ = ["Behaviour", "Bias", "Cloze", "Item", "partition_of", "load", "get", "CatalogueError",
           "PAPER_TEST_BIASES", "HIDING_BIAS"]
