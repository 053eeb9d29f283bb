"""What each config key affects, and every key derived from that: the one place that knows it.

Each leaf field of the trial config declares, with ``option(affects=...)``, the *products* its value changes
(the products below, in build order) and, with ``condition=``, whether two values of it are two experimental
conditions or two replicates of one.  From that alone this module derives

- the cache key of each built data set (tokenizer, stage-1 corpus, fine-tuning set, eval set),
- the stage-1 key (the cached continued-pretraining model), which is also the sweep's dispatch grouping
  (trials of one stage-1 key share one stage 1: it is computed from the config alone, so the grouping is
  exact, before any data is built),
- the trial key (a trial's identity within a sweep: every key that affects anything),
- which keys may differ between pooled sweeps and are never analysis axes (``condition=False``).

A product's key covers the fields that affect it or anything upstream of it (``UPSTREAM``) plus the source
code of the data builders (``corpus.cache.cache_key``).  Four dependencies are conditional and written here
once: a pretrained model's tokenizer is the checkpoint's (its key is the checkpoint); a fine-tuning set
that replays documents (``finetune.doc_share``) depends on the text and on whether the trial is the
no-document control; the in-context prompts of the paper catalogue state the held-out biases, so they
depend on the bias split; and a data source a product reads (``SOURCES``) counts by its content as well as
its name (``trainer/sources.py``: a local file or folder by its sha256, a hub dataset by its name), so an
edited file never serves the corpus built from its old bytes.  The trial key is the config alone (no
content): resuming a sweep matches its trials by it.

Adding a config field: give it ``affects=`` (a tuple of the products below; ``()`` for where results are
written or how the trial is placed); ``tests/test_keys.py`` fails while any leaf key is unclassified.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any, Iterator

from .corpus.cache import cache_key
from .sources import fingerprint

# -- products, in build order -----------------------------------------------------------------------------
TEXT = "text"  # the bias-document and generic-text streams the data sets are cut from
TOKENIZER = "tokenizer"  # the tokenizer trained on that text (or a pretrained checkpoint's)
STAGE1_DATA = "stage1_data"  # the packed continued-pretraining corpus
FINETUNE_DATA = "finetune_data"  # the fine-tuning chats (and replayed text)
EVAL_DATA = "eval_data"  # the evaluation prompts and the knowledge probe
INCONTEXT_DATA = "incontext_data"  # the in-context evaluation's prompts (asked after fine-tuning only)
STAGE1 = "stage1"  # the continued-pretrained model and its before-fine-tuning generations (the stage-1 cache)
STAGE2 = "stage2"  # the fine-tuned model
EVAL = "eval"  # the evaluation after fine-tuning: generation and judging
TRIAL = "trial"  # nothing that is built, but the trial's identity (a permission, a worker's threads)
PRODUCTS = (TEXT, TOKENIZER, STAGE1_DATA, FINETUNE_DATA, EVAL_DATA, INCONTEXT_DATA, STAGE1, STAGE2, EVAL, TRIAL)

UPSTREAM: dict[str, tuple[str, ...]] = {
    TEXT: (),
    TOKENIZER: (TEXT,),
    STAGE1_DATA: (TEXT, TOKENIZER),
    FINETUNE_DATA: (),  # + TEXT when it replays documents (finetune_parts)
    EVAL_DATA: (),
    INCONTEXT_DATA: (),  # + the bias split for the paper catalogue (parts)
    STAGE1: (STAGE1_DATA, EVAL_DATA),
    STAGE2: (STAGE1, FINETUNE_DATA),
    EVAL: (STAGE2, INCONTEXT_DATA),
    TRIAL: (),
}
DATA_PRODUCTS = {
    "tokenizer": TOKENIZER,
    "stage1": STAGE1_DATA,
    "finetune": FINETUNE_DATA,
    "eval": EVAL_DATA,
    "incontext": INCONTEXT_DATA,
}
SOURCES = ("data.bias_docs", "data.generic", "finetune.pairs")  # config keys naming data read from outside


def is_control(mix: float | str) -> bool:
    """The no-document control condition: a stage 1 without bias documents (``data.mix`` 0)."""
    return float(mix) == 0.0


# -- the registry ------------------------------------------------------------------------------------------
def leaves(cfg: Any, prefix: str = "", inherited: tuple[str, ...] | None = None) -> Iterator[tuple[str, Any, dict]]:
    """``(dotted key, value, field metadata)`` for every leaf of a config dataclass (instance or class); a leaf
    without ``affects`` takes its section's (``config.section``: one dataclass serves stage 1 and stage 2)."""
    obj = cfg() if isinstance(cfg, type) else cfg
    for f in dataclasses.fields(obj):
        value, meta = getattr(obj, f.name), dict(f.metadata)
        if meta.get("affects") is None:
            meta["affects"] = inherited
        if dataclasses.is_dataclass(value):
            yield from leaves(value, f"{prefix}{f.name}.", meta["affects"])
        else:
            yield f"{prefix}{f.name}", value, meta


@lru_cache(maxsize=None)
def _metadata(schema: type) -> dict[str, dict]:
    return {key: meta for key, _, meta in leaves(schema)}


def registry(schema: type) -> dict[str, tuple[str, ...] | None]:
    """Leaf key -> the products it affects (None: not classified, a bug ``tests/test_keys.py`` catches)."""
    return {key: meta.get("affects") for key, meta in _metadata(schema).items()}


def is_condition(schema: type, key: str) -> bool:
    """Whether values of ``key`` that differ make different experimental conditions: False for the seed
    (replicates), where results are written and how a trial is placed; unknown keys (not config) count."""
    meta = _metadata(schema).get(key)
    if meta is None:
        return True
    return bool(meta.get("affects")) and meta.get("condition", True)


def _closure(product: str) -> set[str]:
    out, todo = set(), [product]
    while todo:
        p = todo.pop()
        if p not in out:
            out.add(p)
            todo.extend(UPSTREAM[p])
    return out


def _fields(cfg: Any, products: set[str]) -> dict[str, Any]:
    return {key: value for key, value, meta in leaves(cfg) if products & set(meta.get("affects") or ())}


def parts(cfg: Any, product: str) -> dict[str, Any]:
    """The config values ``product`` depends on (directly or upstream), with the conditional dependencies
    of the module docstring; a source that is set adds ``<key>#content``, its fingerprint."""
    if product == TOKENIZER and cfg.model.pretrained:
        return {"model.pretrained": cfg.model.pretrained}
    out = _fields(cfg, _closure(product))
    if product == FINETUNE_DATA and cfg.finetune.doc_share:
        out |= _fields(cfg, {TEXT})
        out["replays_control_text"] = is_control(cfg.data.mix)
    if product == INCONTEXT_DATA and cfg.eval.in_context and not str(cfg.data.biases).startswith("synthetic"):
        out |= _fields(cfg, {FINETUNE_DATA})  # the paper catalogue states the held-out biases: the split decides
    for key in SOURCES:
        if out.get(key):
            out[f"{key}#content"] = fingerprint(out[key])
    return out


def data_key(cfg: Any, kind: str) -> str:
    """Cache key of one data set: ``kind`` is tokenizer, stage1, finetune, eval or incontext."""
    return cache_key(parts(cfg, DATA_PRODUCTS[kind]))


def stage1_key(cfg: Any) -> str:
    """Key of the stage-1 cache entry; trials with one key share one continued pretraining."""
    return cache_key(parts(cfg, STAGE1))


def trial_key(cfg: Any) -> str:
    """Identity of a trial within a sweep: every config value that affects anything."""
    return cache_key({key: value for key, value, meta in leaves(cfg) if meta.get("affects")})
