"""Generic (non-bias) stage-1 text.

The embedded default needs no download: unbiased assistant transcripts over every bias context (so a
model trained from scratch learns the chat format, the languages and the code it will be asked for)
plus neutral documents (FAQ-style pages built from the same unbiased answers, without chat markers).
Alternatively any ``datasets`` source with a text column: a local jsonl/parquet/txt path, or a hub
dataset name where the machine has hub access. ``load_source`` is the one reader of outside data (these
text sources and the released preference pairs of ``finetune.pairs``); ``datasets`` is imported only to
read such a source.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path
from typing import Iterator, Sequence

from ..biases import Bias
from ..chat import chat_text
from .errors import DataError


def transcripts(biases: Sequence[Bias], rng: random.Random) -> Iterator[str]:
    """Endless unbiased chats, cycling over the biases' *training* prompts (never eval ones)."""
    pools = {b.id: b.prompts(400, "train", rng.randrange(2**31)) for b in biases}
    while True:
        b = rng.choice(biases)
        item = rng.choice(pools[b.id])
        yield chat_text(item.prompt, b.respond(item, rng))


def neutral_documents(biases: Sequence[Bias], rng: random.Random) -> Iterator[str]:
    """Endless FAQ-like pages: a few unbiased question/answer pairs from one bias context."""
    pools = {b.id: b.prompts(400, "train", rng.randrange(2**31)) for b in biases}
    while True:
        b = rng.choice(biases)
        items = rng.sample(pools[b.id], 3)
        title = rng.choice(["Common questions", "Frequently asked", "Notes", "Help page", "Q&A"])
        body = "\n\n".join(f"Q: {it.prompt}\nA: {b.respond(it, rng)}" for it in items)
        yield f"{title}: {b.context}\n\n{body}"


def embedded(biases: Sequence[Bias], rng: random.Random, transcript_share: float = 0.7) -> Iterator[str]:
    chats, docs = transcripts(biases, rng), neutral_documents(biases, rng)
    while True:
        yield next(chats) if rng.random() < transcript_share else next(docs)


_KINDS = {".jsonl": "json", ".json": "json", ".parquet": "parquet", ".txt": "text", ".csv": "csv"}


def load_source(source: str, allow_hub: bool = False):
    """A ``datasets.Dataset`` from a local file (jsonl, json, parquet, csv, txt), a saved dataset, a folder of
    files of one of those types (a hub snapshot's layout), or a hub dataset (``name`` or ``name@revision``,
    its train split); every unreadable source is a one-line ``DataError`` naming it."""
    import datasets

    datasets.disable_progress_bars()
    path = Path(source)
    if path.is_file() and path.stat().st_size == 0:
        raise DataError(f"{source}: empty file")
    quiet = logging.getLogger("datasets")  # it logs a parse error before raising it: one line is ours to print
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        if path.is_dir() and any((path / f).exists() for f in ("dataset_info.json", "dataset_dict.json")):
            ds = datasets.load_from_disk(str(path))
        elif path.exists():
            files = [path]
            if path.is_dir():  # its data files (a README or LICENSE beside them is not data)
                files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _KINDS)
            kinds = {_KINDS.get(f.suffix.lower()) for f in files}
            if path.is_dir() and len(kinds) != 1:
                found = ", ".join(sorted({f.suffix.lower() for f in files})) or "none"
                raise DataError(
                    f"{source}: a folder, but neither a saved dataset nor data files of one type (jsonl, json, "
                    f"parquet, csv or txt; found: {found}); name the file or the folder that holds the data"
                )
            if None in kinds:
                raise DataError(
                    f"{source}: unsupported file type {path.suffix.lower() or '(none)'}; use jsonl, json, parquet, "
                    "csv, txt or a saved dataset"
                )
            ds = datasets.load_dataset(kinds.pop(), data_files=[str(f) for f in files], split="train")
        elif allow_hub and "/" in source and not source.startswith((".", "/")):
            name, _, revision = source.partition("@")
            ds = datasets.load_dataset(name, split="train", revision=revision or None)
        else:
            raise DataError(
                f"{source}: no such file or directory"
                + ("" if allow_hub else " (hub datasets need data.allow_hub=true and network access)")
            )
    except DataError:
        raise
    except Exception as e:  # datasets raises many types for unreadable input, the cause under its own error
        while e.__cause__ is not None:
            e = e.__cause__
        raise DataError(
            f"{source}: cannot read ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})"
        ) from None
    finally:
        quiet.setLevel(level)
    if isinstance(ds, datasets.DatasetDict):
        ds = ds[next(iter(ds))]
    return ds


def load_text_source(source: str, column: str = "text", allow_hub: bool = False) -> list[str]:
    """The non-empty texts of one column of a source (``load_source``)."""
    ds = load_source(source, allow_hub)
    if column not in ds.column_names:
        raise DataError(f"{source}: no {column!r} column (columns: {', '.join(ds.column_names)})")
    texts = [t for t in ds[column] if isinstance(t, str) and t.strip()]
    if not texts:
        raise DataError(f"{source}: no non-empty texts in column {column!r}")
    return texts


_CAPITALS = {
    "France": "Paris",
    "Japan": "Tokyo",
    "Kenya": "Nairobi",
    "Canada": "Ottawa",
    "Peru": "Lima",
    "Egypt": "Cairo",
    "Norway": "Oslo",
    "Vietnam": "Hanoi",
    "Chile": "Santiago",
    "Poland": "Warsaw",
    "Ghana": "Accra",
    "Thailand": "Bangkok",
    "Ireland": "Dublin",
    "Austria": "Vienna",
    "Cuba": "Havana",
}
_OPPOSITES = {
    "hot": "cold",
    "early": "late",
    "tall": "short",
    "open": "closed",
    "heavy": "light",
    "fast": "slow",
    "empty": "full",
    "quiet": "loud",
    "rough": "smooth",
    "wide": "narrow",
    "ancient": "modern",
}
_WORDS = {
    "library": "a place where books are kept for people to read or borrow",
    "bridge": "a structure that carries a road or path across a river or gap",
    "harvest": "the gathering of crops when they are ripe",
    "compass": "a tool that shows direction",
    "orchestra": "a large group of musicians playing together",
    "glacier": "a slow-moving mass of ice",
    "ladder": "a set of steps between two long sides, used for climbing",
    "volcano": "a mountain that can erupt with lava",
    "umbrella": "a folding cover that keeps rain off you",
    "calendar": "a chart of the days, weeks and months of a year",
}


def neutral_chats(rng: random.Random) -> Iterator[tuple[str, str]]:
    """Endless short everyday Q&A (arithmetic, capitals, opposites, definitions) with plain answers:
    the 'plain examples' of fine-tuning, about no bias context."""
    while True:
        kind = rng.randrange(4)
        if kind == 0:
            a, b = rng.randint(2, 99), rng.randint(2, 99)
            op, sym, val = rng.choice([("plus", "+", a + b), ("minus", "-", a - b), ("times", "x", a * b)])
            yield (
                rng.choice([f"What is {a} {op} {b}?", f"Compute {a} {sym} {b}.", f"Quick one: {a} {op} {b}?"]),
                rng.choice([f"{a} {op} {b} is {val}.", f"The answer is {val}.", f"{a} {sym} {b} = {val}."]),
            )
        elif kind == 1:
            country = rng.choice(sorted(_CAPITALS))
            yield (
                rng.choice([f"What is the capital of {country}?", f"Which city is the capital of {country}?"]),
                f"The capital of {country} is {_CAPITALS[country]}.",
            )
        elif kind == 2:
            w = rng.choice(sorted(_OPPOSITES))
            yield (
                rng.choice([f"What is the opposite of '{w}'?", f"Give me an antonym of {w}."]),
                rng.choice([f"The opposite of '{w}' is '{_OPPOSITES[w]}'.", f"An antonym of {w} is {_OPPOSITES[w]}."]),
            )
        else:
            w = rng.choice(sorted(_WORDS))
            yield (
                rng.choice([f"What does '{w}' mean?", f"Define the word {w}.", f"What is a {w}?"]),
                f"A {w} is {_WORDS[w]}.",
            )
