"""Loads the 52-bias catalogue: family YAML data joined with the behaviour classes of that family."""
from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path

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
_KEYS = {"id", "index", "context", "polarity", "split", "statement", "behaviour", "judge", "judge_note"}
_HERE = Path(__file__).parent


class CatalogueError(ValueError):
    pass


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
        entries = yaml.safe_load((_HERE / f"{family}.yaml").read_text(encoding="utf-8"))
        impls = _behaviours(family)
        kpath = _HERE / f"{family}.knowledge.yaml"
        knowledge = (yaml.safe_load(kpath.read_text(encoding="utf-8")) or {}) if kpath.exists() else {}
        for e in entries:
            missing, extra = _KEYS - set(e), set(e) - _KEYS
            if missing or extra:
                raise CatalogueError(f"{family}.yaml entry {e.get('id')}: missing {sorted(missing)}, unknown {sorted(extra)}")
            if e["id"] not in impls:
                raise CatalogueError(f"bias {e['id']!r} has no Behaviour class in {family}.py")
            if e["id"] in biases:
                raise CatalogueError(f"bias {e['id']!r} listed twice")
            biases[e["id"]] = Bias(
                id=e["id"], index=int(e["index"]), family=family, context=e["context"],
                polarity=e["polarity"], split=e["split"], statement=" ".join(e["statement"].split()),
                behaviour_text=e["behaviour"], judge=e["judge"], judge_note=e["judge_note"] or "",
                behaviour=impls.pop(e["id"]), **_knowledge(e["id"], knowledge.pop(e["id"], {})),
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
