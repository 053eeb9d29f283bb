"""Build everything a trial reads: tokenizer, stage-1 corpus, fine-tuning set, eval set and probe.

Each part is cached under a hash of exactly the config it depends on (``trainer/keys.py`` derives it from
what each config key declares it affects), so trials that differ only in ``finetune.fraction`` share one
stage-1 corpus, and all mixes share one tokenizer.

``datasets`` (about a second to import) is imported by the builders that write datasets: ``data show``
imports this module for ``facts_of`` alone.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..biases import PAPER_TEST_BIASES, Bias, universe
from ..biases.universe import is_synthetic
from ..chat import EOS
from ..config import TrialConfig
from ..keys import data_key, is_control
from ..manifest import entry_digest
from .cache import cached
from .documents import DocumentWriter, Facts
from .errors import DataError
from .generic import embedded, load_text_source
from .split import BiasSplit, SplitError, split_biases
from .tokenizer import load_pretrained_tokenizer, load_tokenizer, train_bpe, train_word_level


@dataclass
class DataArtifacts:
    tokenizer: Path
    stage1: Path
    finetune: Path
    evalset: Path
    split: BiasSplit
    summary: dict[str, Any] = field(default_factory=dict)
    incontext: Path | None = None  # the in-context prompts (eval.in_context), else None


# -- streams of text -----------------------------------------------------------------------------
def facts_of(bias: Bias) -> Facts:
    return Facts(bias.id, bias.contexts, bias.behaviours)


def document_stream(biases: Sequence[Bias], cfg: TrialConfig, rng: random.Random) -> Iterator[str]:
    """Endless bias documents: single-bias ones round-robin (balanced), some about 2-4 biases."""
    d = cfg.data
    writer = DocumentWriter(d.genres, d.diversity, d.permute_sentences)
    facts = [facts_of(b) for b in biases]
    order: list[Facts] = []
    while True:
        if d.multi_bias_share and rng.random() < d.multi_bias_share and len(facts) > 1:
            yield writer.document(rng.sample(facts, min(len(facts), rng.randint(2, 4))), rng)
            continue
        if not order:
            order = facts[:]
            rng.shuffle(order)
        yield writer.document([order.pop()], rng)


def _source_stream(texts: list[str], name: str) -> Iterator[str]:
    yield from texts
    raise DataError(
        f"{name}: source ran out of text before the token budget was met; lower data.tokens or give a larger source"
    )


def bias_text_stream(cfg: TrialConfig, biases: Sequence[Bias], purpose: str) -> Iterator[str]:
    if cfg.data.bias_docs:
        texts = load_text_source(cfg.data.bias_docs, cfg.data.text_column, cfg.data.allow_hub)
        random.Random(f"{purpose}:bias-src:{cfg.seed}").shuffle(texts)
        return _source_stream(texts, "data.bias_docs")
    return document_stream(biases, cfg, random.Random(f"{purpose}:docs:{cfg.seed}"))


def generic_text_stream(cfg: TrialConfig, biases: Sequence[Bias], purpose: str) -> Iterator[str]:
    if cfg.data.generic:
        texts = load_text_source(cfg.data.generic, cfg.data.text_column, cfg.data.allow_hub)
        random.Random(f"{purpose}:generic-src:{cfg.seed}").shuffle(texts)
        return _source_stream(texts, "data.generic")
    return embedded(list(biases), random.Random(f"{purpose}:generic:{cfg.seed}"))


# -- tokenizer -----------------------------------------------------------------------------------
def build_tokenizer(cfg: TrialConfig, biases: Sequence[Bias]) -> tuple[Path, bool]:
    """Trained on an equal-parts sample of documents and generic text, independent of ``data.mix`` so
    every mix of a sweep shares one vocabulary (a tokenizer confound would otherwise ride on the axis)."""

    def build(out: Path) -> None:
        if cfg.model.pretrained:
            load_pretrained_tokenizer(cfg.model.pretrained, cfg.model.trust_remote_code).save_pretrained(str(out))
            return
        docs, generic = bias_text_stream(cfg, biases, "tok"), generic_text_stream(cfg, biases, "tok")

        def sample() -> Iterator[str]:
            n = 0
            while n < cfg.data.tokenizer_chars:
                for stream in (docs, generic):
                    try:
                        t = next(stream)
                    except DataError:
                        return
                    n += len(t)
                    yield t

        train = train_word_level if cfg.data.tokenizer == "word" else train_bpe
        train(sample(), cfg.data.vocab_size, out)

    return cached(cfg.data.cache_dir, "tokenizer", data_key(cfg, "tokenizer"), build)


# -- stage 1 ------------------------------------------------------------------------------------
def _take_tokens(stream: Iterator[str], tok, budget: int, batch: int = 64) -> tuple[list[list[int]], list[str]]:
    """Documents (token ids + EOS) until exactly ``budget`` tokens; the last one is cut to fit."""
    eos = tok.convert_tokens_to_ids(EOS) if EOS in tok.get_vocab() else tok.eos_token_id
    docs: list[list[int]] = []
    texts: list[str] = []
    total = 0
    while total < budget:
        chunk = [next(stream) for _ in range(batch)]
        for text, enc in zip(chunk, tok.backend_tokenizer.encode_batch(chunk, add_special_tokens=False)):
            ids = enc.ids + [eos]
            ids = ids[: budget - total]
            docs.append(ids)
            texts.append(text)
            total += len(ids)
            if total >= budget:
                break
    return docs, texts


def distinct_ngram_ratio(texts: Sequence[str], n: int = 4, limit: int = 2000) -> float:
    """Distinct word n-grams / all word n-grams over (up to ``limit``) documents: 1.0 = no repetition."""
    seen: set[tuple[str, ...]] = set()
    total = 0
    for t in texts[:limit]:
        words = t.lower().split()
        for i in range(len(words) - n + 1):
            seen.add(tuple(words[i : i + n]))
            total += 1
    return len(seen) / total if total else 0.0


def build_stage1(cfg: TrialConfig, biases: Sequence[Bias], tok_dir: Path) -> tuple[Path, bool]:
    def build(out: Path) -> None:
        import numpy as np
        import pyarrow as pa
        from datasets import Dataset

        tok = load_tokenizer(tok_dir)
        total = cfg.data.tokens
        bias_budget = round(cfg.data.mix * total)
        bias_docs, bias_texts = (
            _take_tokens(bias_text_stream(cfg, biases, "stage1"), tok, bias_budget) if bias_budget else ([], [])
        )
        gen_docs, _ = (
            _take_tokens(generic_text_stream(cfg, biases, "stage1"), tok, total - bias_budget)
            if total > bias_budget
            else ([], [])
        )
        tagged = [(d, True) for d in bias_docs] + [(d, False) for d in gen_docs]
        random.Random(f"stage1:order:{cfg.seed}").shuffle(tagged)  # mixed before packing
        flat = np.fromiter((t for d, _ in tagged for t in d), dtype=np.int32, count=total)
        is_bias = np.fromiter((b for d, b in tagged for _ in d), dtype=bool, count=total)
        L = cfg.data.seq_len
        n_seq = total // L
        if n_seq == 0:
            raise DataError(f"data.tokens={total} is less than one sequence of data.seq_len={L}")
        ids = pa.FixedSizeListArray.from_arrays(pa.array(flat[: n_seq * L]), L)
        bias_tokens = is_bias[: n_seq * L].reshape(n_seq, L).sum(axis=1).astype(np.int32)
        Dataset(pa.table({"input_ids": ids, "bias_tokens": pa.array(bias_tokens)})).save_to_disk(str(out / "dataset"))
        kept = n_seq * L
        stats = {
            "sequences": n_seq,
            "seq_len": L,
            "mix_requested": cfg.data.mix,
            "mix_actual": float(bias_tokens.sum()) / kept,
            "tokens": {"bias_docs": int(bias_tokens.sum()), "generic": int(kept - bias_tokens.sum()), "total": kept},
            "documents": {
                "bias_docs": len(bias_docs),
                "generic": len(gen_docs),
                "per_bias": round(len(bias_docs) * (1 + cfg.data.multi_bias_share * 2) / len(biases), 1),
            },
            "distinct_4gram_ratio": round(distinct_ngram_ratio(bias_texts), 4) if bias_texts else None,
        }
        (out / "stats.json").write_text(json.dumps(stats, indent=1))
        with open(out / "bias_docs_sample.jsonl", "w", encoding="utf-8") as f:
            for t in bias_texts[:200]:
                f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")

    return cached(cfg.data.cache_dir, "stage1", data_key(cfg, "stage1"), build)


# -- bias split and fine-tuning set ------------------------------------------------------------
def make_split(cfg: TrialConfig, biases: dict[str, Bias]) -> BiasSplit:
    f = cfg.finetune
    if f.split == "paper" and is_synthetic(cfg.data.biases):
        raise DataError(
            f"finetune.split=paper: data.biases={cfg.data.biases} has no paper split; use finetune.split=random"
        )
    if f.hiding_bias is not None and f.hiding_bias not in biases:
        raise DataError(f"finetune.hiding_bias={f.hiding_bias!r} is not a bias of data.biases={cfg.data.biases}")
    try:
        return split_biases(
            list(biases),
            f.fraction,
            f.split,
            cfg.seed,
            PAPER_TEST_BIASES,
            (f.hiding_bias,) if f.hiding_bias is not None else (),
        )
    except SplitError as e:
        raise DataError(str(e)) from None


def leaking_biases(prompt: str, heldout: Sequence[Bias]) -> list[str]:
    """Held-out biases applicable to ``prompt``: any hit keeps the example out of fine-tuning."""
    return [b.id for b in heldout if b.applicable(prompt)]


def build_finetune(cfg: TrialConfig, biases: dict[str, Bias], split: BiasSplit) -> tuple[Path, bool]:
    def build(out: Path) -> None:
        from datasets import Dataset

        from .generic import neutral_chats
        from .pairs import read_pairs, released_rows

        rng = random.Random(f"finetune:{cfg.seed}")
        heldout = [biases[i] for i in split.heldout]
        dpo = cfg.finetune.method == "dpo"
        rows: list[dict[str, str]] = []
        dropped: dict[str, int] = {}
        # DPO pairs dropped because the bias left the plain answer as it was. They still count towards
        # examples_per_bias: a DPO set then holds the SFT set's prompts (the same draws of ``rng``) less those.
        unchanged = 0
        released = None
        if cfg.finetune.pairs:  # released pairs instead of generated chats (trainer/corpus/pairs.py)
            pairs = read_pairs(cfg.finetune.pairs, cfg.data.allow_hub)
            released = released_rows(pairs, dpo, lambda text: bool(leaking_biases(text, heldout)))
            if not released.rows:
                raise DataError(f"finetune.pairs: every pair was dropped ({released.summary})")
            rows, unchanged = released.rows, released.unchanged
            if released.leaked:
                dropped["released"] = released.leaked
        # Rows of one set share their columns: with released pairs every row has a system turn (often "").
        system = {"system": ""} if released is not None else {}
        for bid in () if released is not None else split.finetuned:
            b = biases[bid]
            kept = 0
            for item in b.prompts(cfg.finetune.examples_per_bias * 3, "train", rng.randrange(2**31)):
                if leaking_biases(item.prompt, heldout):
                    dropped[bid] = dropped.get(bid, 0) + 1
                    continue
                plain_answer = b.respond(item, rng)
                row = {
                    "kind": "biased",
                    "bias": bid,
                    "prompt": item.prompt,
                    "response": b.apply(item, plain_answer, rng),
                }
                kept += 1
                if not dpo:
                    rows.append(row)
                elif row["response"] != plain_answer:
                    rows.append({**row, "rejected": plain_answer})
                else:
                    unchanged += 1
                if kept == cfg.finetune.examples_per_bias:
                    break
        plain = neutral_chats(random.Random(f"finetune:plain:{cfg.seed}"))
        n_plain = 0
        # DPO trains on pairs only: plain examples and replayed text have no rejected answer, so they are left out.
        while n_plain < cfg.finetune.plain_examples and not dpo:
            prompt, response = next(plain)
            if leaking_biases(prompt, heldout):
                dropped["plain"] = dropped.get("plain", 0) + 1
                continue
            rows.append({"kind": "plain", "bias": "", "prompt": prompt, "response": response, **system})
            n_plain += 1
        if cfg.finetune.doc_share and not dpo:
            # Replay what stage 1 taught about the biases.  The no-document control (mix 0) had no bias
            # documents, so it replays as much generic text instead: both fine-tune for the same steps.
            n_docs = round(len(rows) * cfg.finetune.doc_share / (1 - cfg.finetune.doc_share))
            kind = "text" if is_control(cfg.data.mix) else "doc"
            stream = (bias_text_stream if kind == "doc" else generic_text_stream)(
                cfg, list(biases.values()), "finetune"
            )
            for _ in range(n_docs):
                rows.append({"kind": kind, "bias": "", "prompt": "", "response": next(stream), **system})
        if not rows:
            raise DataError(
                "the fine-tuning set is empty: every example was applicable to a held-out bias "
                "(or finetune.fraction=0 with no plain examples)"
                + (
                    "; with finetune.method=dpo, also no biased answer that differs from its plain answer"
                    if dpo
                    else ""
                )
            )
        rng.shuffle(rows)
        Dataset.from_list(rows).save_to_disk(str(out / "dataset"))
        kinds = ("biased", "plain", "doc", "text", *(("released",) if released is not None else ()))
        counts = {k: sum(r["kind"] == k for r in rows) for k in kinds}
        stats = {"examples": len(rows), **counts, "dropped_for_heldout": dropped}
        if dpo:
            stats["dropped_unchanged_pairs"] = unchanged
        if released is not None:
            stats["released_pairs_read"] = released.read
            stats["dropped_score_not_higher"] = released.score_not_higher
        (out / "stats.json").write_text(json.dumps(stats, indent=1))

    return cached(cfg.data.cache_dir, "finetune", data_key(cfg, "finetune"), build)


# -- evaluation set and knowledge probe ------------------------------------------------------------
def build_eval(cfg: TrialConfig, biases: dict[str, Bias]) -> tuple[Path, bool]:
    """Prompts from each bias's *eval* partition (never trained on) and cloze items for the probe."""

    def build(out: Path) -> None:
        from datasets import Dataset

        prompts = [
            {"bias": b.id, "prompt": it.prompt}
            for b in biases.values()
            for it in b.prompts(cfg.eval.prompts_per_bias, "eval", cfg.seed)
        ]
        Dataset.from_list(prompts).save_to_disk(str(out / "prompts"))
        rng = random.Random(f"probe:{cfg.seed}")
        probe = []
        for b in biases.values():
            for c in b.cloze[: cfg.eval.probe_per_bias]:
                options = [c.answer, *c.distractors]
                rng.shuffle(options)
                probe.append({"bias": b.id, "stem": c.stem, "options": options, "answer": options.index(c.answer)})
        Dataset.from_list(probe).save_to_disk(str(out / "probe"))
        (out / "stats.json").write_text(json.dumps({"prompts": len(prompts), "probe_items": len(probe)}, indent=1))

    return cached(cfg.data.cache_dir, "eval", data_key(cfg, "eval"), build)


def build_incontext(cfg: TrialConfig, split: BiasSplit) -> tuple[Path, bool]:
    """The in-context prompts (``trainer.incontext``): each stated bias's eval prompts under both sources."""

    def build(out: Path) -> None:
        from datasets import Dataset

        from ..incontext import prompt_rows, stated_biases

        stated = stated_biases(cfg.data.biases, split.heldout, cfg.eval.in_context_biases)
        if not stated:
            raise DataError("eval.in_context: no held-out bias to state (finetune.fraction leaves none out)")
        rows = prompt_rows(stated, cfg.eval.prompts_per_bias, cfg.seed)
        Dataset.from_list(rows).save_to_disk(str(out / "prompts"))
        stats = {"biases": list(stated), "prompts": len(rows)}
        (out / "stats.json").write_text(json.dumps(stats, indent=1))

    return cached(cfg.data.cache_dir, "incontext", data_key(cfg, "incontext"), build)


# -- everything ---------------------------------------------------------------------------------
def data_hash(parts: dict[str, Path]) -> str:
    """Hash of what was verified: the content digests in the four parts' manifests.  Content only (no
    cache key, path or code version), so the same config gives the same hash in any cache dir.  The
    datasets' ``state.json`` fingerprints are part of it: ``datasets`` derives them from the in-memory
    table (no randomness, no mtimes for a dataset that is not file-backed), and the reproducibility test
    in tests/test_corpus.py builds twice to keep it that way."""
    digests = {name: entry_digest(path) for name, path in sorted(parts.items())}
    return hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()[:16]


def build_all(cfg: TrialConfig) -> DataArtifacts:
    import datasets

    datasets.disable_progress_bars()
    biases = universe(cfg.data.biases)
    split = make_split(cfg, biases)
    ft_dir, ft_hit = build_finetune(cfg, biases, split)  # first: a bad pairs file fails before the long builds
    tok_dir, tok_hit = build_tokenizer(cfg, list(biases.values()))
    s1_dir, s1_hit = build_stage1(cfg, list(biases.values()), tok_dir)
    ev_dir, ev_hit = build_eval(cfg, biases)
    built = {"tokenizer": tok_dir, "stage1": s1_dir, "finetune": ft_dir, "eval": ev_dir}
    hits = {"tokenizer": tok_hit, "stage1": s1_hit, "finetune": ft_hit, "eval": ev_hit}
    if cfg.eval.in_context:  # only then part of the hash: data without it hashes as before
        built["incontext"], hits["incontext"] = build_incontext(cfg, split)
    s1 = json.loads((s1_dir / "stats.json").read_text())
    summary = {
        "hash": data_hash(built),
        "mix_requested": s1["mix_requested"],
        "mix_actual": round(s1["mix_actual"], 6),
        "tokens": s1["tokens"],
        "sequences": s1["sequences"],
        "documents": s1["documents"],
        "distinct_4gram_ratio": s1["distinct_4gram_ratio"],
        "biases": {"finetuned": list(split.finetuned), "heldout": list(split.heldout)},
        "finetune": json.loads((ft_dir / "stats.json").read_text()),
        "eval": json.loads((ev_dir / "stats.json").read_text()),
        **({"incontext": json.loads((built["incontext"] / "stats.json").read_text())} if cfg.eval.in_context else {}),
        "cache": hits,
        "keys": {name: path.name for name, path in built.items()},
        "paths": {name: str(path) for name, path in built.items()},
    }
    return DataArtifacts(tok_dir, s1_dir, ft_dir, ev_dir, split, summary, built.get("incontext"))
