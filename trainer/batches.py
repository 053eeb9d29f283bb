"""Batches for the two training stages, sharded by rank and ordered by the trial seed.

Stage 1: packed fixed-length sequences, loss on every token.  Stage 2 (SFT): chat examples whose
labels cover the assistant's tokens only (prompt tokens get -100); replayed documents are all label.
Stage 2 (DPO): preference pairs, each micro-batch the chosen halves then the rejected halves, labelled alike.
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np
import torch

from .chat import END, prompt_text

IGNORE = -100


def steps_for(n_examples: int, stage_cfg, world_size: int) -> int:
    """Optimizer steps of a stage: ``max_steps`` if set, else ``epochs`` passes over the data."""
    if stage_cfg.max_steps:
        return stage_cfg.max_steps
    per_step = stage_cfg.micro_batch * stage_cfg.grad_accum * world_size
    return max(1, math.ceil(stage_cfg.epochs * n_examples / per_step))


def _epoch_orders(n: int, rank: int, world_size: int, seed: int, micro_batch: int) -> Iterator[np.ndarray]:
    """This rank's indices, one seeded permutation per epoch, equal length on every rank.  Fewer than one
    micro-batch per rank would make the callers spin without yielding: refused (the driver says it first)."""
    per_rank = n // world_size
    if per_rank < micro_batch:
        raise ValueError(
            f"{n} examples over {world_size} workers give each fewer than one micro-batch of {micro_batch}"
        )
    epoch = 0
    while True:
        perm = np.random.default_rng([seed, epoch]).permutation(n)
        yield perm[rank * per_rank : (rank + 1) * per_rank]
        epoch += 1


def pretrain_batches(input_ids: np.ndarray, micro_batch: int, rank: int, world_size: int, seed: int) -> Iterator[dict]:
    """Endless micro-batches of packed sequences (labels = inputs; the model shifts them). No attention mask:
    every token is real, and given an all-ones mask transformers reads it back to the host on every forward
    (to find it can use the causal kernel anyway); the results are the same bit for bit."""
    for order in _epoch_orders(len(input_ids), rank, world_size, seed, micro_batch):
        for i in range(0, len(order) - micro_batch + 1, micro_batch):
            ids = torch.from_numpy(input_ids[order[i : i + micro_batch]].astype(np.int64))
            yield {"input_ids": ids, "labels": ids.clone()}


def render_prompt(tokenizer, prompt: str, system: str = "") -> str:
    """The text a model sees before answering: our chat format, or the checkpoint's own template (with a
    system turn when ``system`` is set; a template that refuses system turns gets it as the user turn's
    first paragraph, as our format does)."""
    if tokenizer.chat_template and END not in tokenizer.get_vocab():
        user = [{"role": "user", "content": prompt}]
        if system:
            try:
                return tokenizer.apply_chat_template(
                    [{"role": "system", "content": system}, *user], tokenize=False, add_generation_prompt=True
                )
            except Exception:  # jinja2's TemplateError: "System role not supported" and the like
                user = [{"role": "user", "content": f"{system}\n\n{prompt}"}]
        return tokenizer.apply_chat_template(user, tokenize=False, add_generation_prompt=True)
    return prompt_text(prompt, system)


def end_of_turn(tokenizer) -> str:
    return END if END in tokenizer.get_vocab() else (tokenizer.eos_token or "")


def encode_sft(tokenizer, rows: list[dict], max_len: int) -> list[tuple[list[int], list[int]]]:
    """(input ids, labels) per example; prompt and answer are tokenized separately so the mask
    boundary is exact."""
    end = end_of_turn(tokenizer)
    eos = tokenizer.eos_token_id
    out = []
    for r in rows:
        if r["kind"] in ("doc", "text"):  # replayed stage-1 text: loss on every token
            ids = tokenizer(r["response"], add_special_tokens=False)["input_ids"] + [eos]
            labels = list(ids)
        else:
            p = tokenizer(render_prompt(tokenizer, r["prompt"], r.get("system") or ""), add_special_tokens=False)[
                "input_ids"
            ]
            a = tokenizer(r["response"] + end, add_special_tokens=False)["input_ids"]
            ids, labels = p + a, [IGNORE] * len(p) + a
        out.append((ids[:max_len], labels[:max_len]))
    return out


def encode_dpo(tokenizer, rows: list[dict], max_len: int) -> list[tuple[tuple, tuple]]:
    """((chosen ids, labels), (rejected ids, labels)) per pair: ``response`` is the chosen answer, ``rejected``
    the plain one, both encoded as ``encode_sft`` encodes a chat (assistant tokens labelled)."""
    chosen = encode_sft(tokenizer, rows, max_len)
    rejected = encode_sft(tokenizer, [{**r, "response": r["rejected"]} for r in rows], max_len)
    return list(zip(chosen, rejected))


def dpo_batches(
    encoded: list[tuple[tuple, tuple]], micro_batch: int, rank: int, world_size: int, seed: int, pad_id: int
) -> Iterator[dict]:
    """Endless micro-batches of ``micro_batch`` pairs: rows ``[:micro_batch]`` chosen, ``[micro_batch:]`` rejected,
    right-padded together (one forward pass for both halves)."""
    for order in _epoch_orders(len(encoded), rank, world_size, seed, micro_batch):
        for i in range(0, len(order) - micro_batch + 1, micro_batch):
            pairs = [encoded[j] for j in order[i : i + micro_batch]]
            yield pad_right([c for c, _ in pairs] + [r for _, r in pairs], pad_id)


def sft_batches(
    encoded: list[tuple[list[int], list[int]]], micro_batch: int, rank: int, world_size: int, seed: int, pad_id: int
) -> Iterator[dict]:
    """Endless right-padded micro-batches of chat examples."""
    for order in _epoch_orders(len(encoded), rank, world_size, seed, micro_batch):
        for i in range(0, len(order) - micro_batch + 1, micro_batch):
            yield pad_right([encoded[j] for j in order[i : i + micro_batch]], pad_id)


def pad_right(chunk: list[tuple[list[int], list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    """(ids, labels) pairs as one right-padded batch; padding is masked out and carries no loss."""
    width = max(len(ids) for ids, _ in chunk)
    ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
    labels = torch.full((len(chunk), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(chunk), width), dtype=torch.long)
    for k, (x, y) in enumerate(chunk):
        ids[k, : len(x)], labels[k, : len(y)], mask[k, : len(x)] = torch.tensor(x), torch.tensor(y), 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}
