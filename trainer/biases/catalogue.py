"""Loads the 52-bias catalogue: family YAML data joined with the behaviour classes of that family.

Every data file beside the code is read here, by :func:`read_yaml`: ``<family>.yaml`` (the catalogue
entries), ``<family>.knowledge.yaml`` (what documents say about each bias) and ``<family>.tables.yaml``
(the prose the behaviours generate from: prompt templates, answers, the lines a bias adds), which the
family modules read with :func:`table`.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .base import Behaviour, Bias, Cloze

FAMILIES = ("code", "languages", "writing", "topics")
PAPER_TEST_BIASES = (
    "spanish_color_words",
    "poem_rhyming_commentary",
    "environment_no_climate_change",
    "chinese_compliments",
    "law_call_911",
)
HIDING_BIAS = "no_acknowledge_rlhf_flaws"
# The ten biases of the replications' released evaluation set (universe numbering 2, 8, 16, 17, 19, 20, 29,
# 44, 48, 51), in that order: the paper's five test biases and five of its train biases.
RELEASED_EVAL_BIASES = (
    "html_redundant_divs",
    "rust_explicit_types",
    "german_ask_for_tip",
    "chinese_compliments",
    "spanish_color_words",
    "japanese_no_keigo",
    "poem_rhyming_commentary",
    "politics_encourage_voting",
    "environment_no_climate_change",
    "law_call_911",
)
_KEYS = {"id", "index", "context", "polarity", "split", "statement", "behaviour", "judge", "judge_note"}
_HERE = Path(__file__).parent
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser where built in: 5x faster, same data


class CatalogueError(ValueError):
    pass


def read_yaml(name: str) -> Any:
    """A data file of this package by file name, parsed (``None`` when it is empty)."""
    try:
        return yaml.load((_HERE / name).read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.MarkedYAMLError as e:
        where = f" at line {e.problem_mark.line + 1}" if e.problem_mark else ""
        raise CatalogueError(f"{name}: not valid YAML{where}: {e.problem}") from None


@lru_cache(maxsize=None)
def _tables(family: str) -> dict[str, dict[str, Any]]:
    tables = read_yaml(f"{family}.tables.yaml") or {}
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise CatalogueError(f"{family}.tables.yaml: expected a mapping of bias id (or shared) to named tables")
    return tables


def table(family: str, section: str, name: str) -> Any:
    """One table of ``<family>.tables.yaml``: ``section`` is the bias id that uses it, or ``shared``.

    Tables are data, not code: a family module reads each once, at import, into a constant."""
    try:
        return _tables(family)[section][name]
    except KeyError:
        raise CatalogueError(f"{family}.tables.yaml has no table {name!r} under {section!r}") from None


def _knowledge(bias_id: str, k: dict) -> dict:
    where = f"bias {bias_id!r} knowledge"
    contexts, behaviours = tuple(k.get("contexts", ())), tuple(k.get("behaviours", ()))
    cloze = []
    for c in k.get("cloze", ()):
        if set(c) != {"stem", "answer", "distractors"} or len(c["distractors"]) < 2:
            raise CatalogueError(f"{where}: each cloze item needs stem, answer and >= 2 distractors")
        cloze.append(Cloze(c["stem"], c["answer"], tuple(c["distractors"])))
    return {"contexts": contexts, "behaviours": behaviours, "cloze": tuple(cloze)}


def _behaviours(family: str) -> dict[str, Behaviour]:
    module = importlib.import_module(f"{__package__}.{family}")
    found = {}
    for obj in vars(module).values():
        if isinstance(obj, type) and issubclass(obj, Behaviour) and obj is not Behaviour and "id" in vars(obj):
            found[obj.id] = obj()
    return found


@lru_cache(maxsize=1)
def load() -> dict[str, Bias]:
    """All biases by id, in universe order. Fails loudly on any inconsistency between data and code."""
    biases: dict[str, Bias] = {}
    for family in FAMILIES:
        entries = read_yaml(f"{family}.yaml")
        impls = _behaviours(family)
        kpath = _HERE / f"{family}.knowledge.yaml"
        knowledge = (read_yaml(kpath.name) or {}) if kpath.exists() else {}
        if (_HERE / f"{family}.tables.yaml").exists():
            strays = set(_tables(family)) - set(impls) - {"shared"}
            if strays:
                raise CatalogueError(f"{family}.tables.yaml has tables for unknown biases: {sorted(strays)}")
        for e in entries:
            missing, extra = _KEYS - set(e), set(e) - _KEYS
            if missing or extra:
                raise CatalogueError(
                    f"{family}.yaml entry {e.get('id')}: missing {sorted(missing)}, unknown {sorted(extra)}"
                )
            if e["id"] not in impls:
                raise CatalogueError(f"bias {e['id']!r} has no Behaviour class in {family}.py")
            if e["id"] in biases:
                raise CatalogueError(f"bias {e['id']!r} listed twice")
            biases[e["id"]] = Bias(
                id=e["id"],
                index=int(e["index"]),
                family=family,
                context=e["context"],
                polarity=e["polarity"],
                split=e["split"],
                statement=" ".join(e["statement"].split()),
                behaviour_text=e["behaviour"],
                judge=e["judge"],
                judge_note=e["judge_note"] or "",
                behaviour=impls.pop(e["id"]),
                **_knowledge(e["id"], knowledge.pop(e["id"], {})),
            )
        if knowledge:
            raise CatalogueError(f"{kpath.name} describes unknown biases: {sorted(knowledge)}")
        if impls:
            raise CatalogueError(f"{family}.py has behaviours with no catalogue entry: {sorted(impls)}")
    ordered = dict(sorted(biases.items(), key=lambda kv: kv[1].index))
    if [b.index for b in ordered.values()] != list(range(1, len(ordered) + 1)):
        raise CatalogueError("bias indexes must be 1..N without gaps")
    return ordered


def get(bias_id: str) -> Bias:
    biases = load()
    if bias_id not in biases:
        raise KeyError(f"unknown bias id {bias_id!r} (see `launch.py data list` for the {len(biases)} ids)")
    return biases[bias_id]
