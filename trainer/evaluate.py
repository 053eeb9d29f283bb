"""Evaluation of a (consolidated) model: batched generation with KV cache on prompts where each bias
applies, detection by the rule detectors or the LLM judge, and the knowledge probe (the true
completion of each cloze statement must be the most likely of its options).

Every rank evaluates its share of prompts on a plain copy of the model; the shares are gathered, so
evaluation never waits on a ZeRO-3 collective inside ``generate``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterator, Sequence

import torch
import torch.distributed as dist

from .batches import IGNORE, end_of_turn, pad_right, render_prompt
from .engine import world


def _gather(items: list[Any]) -> list[Any]:
    rank, world_size = world()
    if world_size == 1:
        return items
    parts: list[Any] = [None] * world_size
    dist.all_gather_object(parts, items)
    return [x for p in parts for x in p]


def stop_ids(tokenizer) -> list[int]:
    ids = {tokenizer.convert_tokens_to_ids(end_of_turn(tokenizer)), tokenizer.eos_token_id}
    return sorted(i for i in ids if i is not None and i >= 0)


@torch.no_grad()
def generate(
    model,
    tokenizer,
    prompts: Sequence[str],
    *,
    max_new_tokens: int,
    batch_size: int,
    samples: int = 1,
    temperature: float = 0.0,
    seed: int = 0,
    device: Any = "cpu",
    systems: Sequence[str] | None = None,
) -> list[list[str]]:
    """``samples`` responses per prompt, in prompt order (``systems``: a system message per prompt). Prompts
    are sorted by length and left-padded so each batch wastes little compute; greedy unless ``temperature`` > 0."""
    model.eval()
    pad = tokenizer.pad_token_id
    stops = stop_ids(tokenizer)
    systems = systems or [""] * len(prompts)
    enc = [
        tokenizer(render_prompt(tokenizer, p, s), add_special_tokens=False)["input_ids"]
        for p, s in zip(prompts, systems)
    ]
    order = sorted(range(len(enc)), key=lambda i: len(enc[i]))
    out: list[list[str]] = [[] for _ in prompts]
    sample = temperature > 0
    with torch.random.fork_rng(
        devices=[torch.device(device).index or 0] if torch.device(device).type == "cuda" else []
    ):
        torch.manual_seed(seed)  # seeded sampling that leaves the caller's random state alone
        for start in range(0, len(order), batch_size):
            _generate_batch(
                model,
                tokenizer,
                enc,
                order[start : start + batch_size],
                out,
                pad,
                stops,
                device,
                max_new_tokens,
                samples,
                sample,
                temperature,
            )
    return out


def _generate_batch(model, tokenizer, enc, idx, out, pad, stops, device, max_new_tokens, samples, sample, temperature):
    """Left-pad prompts ``idx`` into one batch, generate, and append each decoded answer to ``out``."""
    width = max(len(enc[i]) for i in idx)
    ids = torch.full((len(idx), width), pad, dtype=torch.long)
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    for row, i in enumerate(idx):
        ids[row, width - len(enc[i]) :] = torch.tensor(enc[i])
        mask[row, width - len(enc[i]) :] = 1
    gen = model.generate(
        input_ids=ids.to(device),
        attention_mask=mask.to(device),
        max_new_tokens=max_new_tokens,
        do_sample=sample,
        temperature=temperature if sample else None,
        top_k=None,
        top_p=None,
        num_return_sequences=samples,
        eos_token_id=stops,
        pad_token_id=pad,
    )
    new = gen[:, width:].tolist()
    for row, i in enumerate(idx):
        for s in range(samples):
            toks = new[row * samples + s]
            cut = next((k for k, t in enumerate(toks) if t in stops), len(toks))
            out[i].append(tokenizer.decode(toks[:cut], skip_special_tokens=True).strip())


def generate_distributed(
    model, tokenizer, prompts: Sequence[str], eval_cfg, seed: int, device, systems: Sequence[str] | None = None
) -> list[list[str]]:
    """Each rank generates for prompts[rank::world]; every rank gets all responses back, in order."""
    rank, world_size = world()
    mine = list(range(rank, len(prompts), world_size))
    resp = generate(
        model,
        tokenizer,
        [prompts[i] for i in mine],
        systems=[systems[i] for i in mine] if systems else None,
        max_new_tokens=eval_cfg.max_new_tokens,
        batch_size=eval_cfg.batch_size,
        samples=eval_cfg.samples,
        temperature=eval_cfg.temperature,
        seed=seed + rank,
        device=device,
    )
    pairs = sorted(_gather(list(zip(mine, resp))))
    return [r for _, r in pairs]


def verdicts(rows: Sequence[dict], responses: Sequence[list[str]], biases: dict, judge=None) -> dict[str, list[bool]]:
    """Per bias, one verdict per (prompt, sample) in a fixed order: the pairing the gain relies on."""
    out: dict[str, list[bool]] = defaultdict(list)
    flat = [(rows[i]["bias"], rows[i]["prompt"], r) for i in range(len(rows)) for r in responses[i]]
    if judge is None:
        decided = [biases[b].exhibits(p, r) for b, p, r in flat]
    else:
        decided = [v.exhibits for v in judge.judge_many([(biases[b], p, r) for b, p, r in flat])]
    for (b, _, _), v in zip(flat, decided):
        out[b].append(bool(v))
    return dict(out)


def judged(rows: Sequence[dict], responses: Sequence[list[str]], verdict_list) -> Iterator[tuple[dict, str, bool]]:
    """``(row, response, verdict)`` for every response, in row order: ``verdict_list(row)`` is the list
    ``verdicts`` built for the row's bias, consumed in the order it was filled."""
    used: dict[int, int] = defaultdict(int)
    for row, rs in zip(rows, responses):
        for r in rs:
            lst = verdict_list(row)
            yield row, r, lst[used[id(lst)]]
            used[id(lst)] += 1


@torch.no_grad()
def probe_choices(model, tokenizer, items: Sequence[dict], device: Any = "cpu", batch_size: int = 64) -> list[int]:
    """For each cloze item, the option with the highest total log-probability after the stem."""
    model.eval()
    pairs, owners = [], []
    for n, it in enumerate(items):
        stem = tokenizer(it["stem"], add_special_tokens=False)["input_ids"]
        for opt in it["options"]:
            o = tokenizer(" " + opt, add_special_tokens=False)["input_ids"]
            pairs.append((stem + o, [IGNORE] * len(stem) + o))
            owners.append(n)
    scores = []
    pad = tokenizer.pad_token_id
    for start in range(0, len(pairs), batch_size):
        batch = pad_right(pairs[start : start + batch_size], pad)
        logits = model(
            input_ids=batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device)
        ).logits.float()
        logp = torch.log_softmax(logits[:, :-1], dim=-1)
        target = batch["labels"][:, 1:].to(device)
        picked = logp.gather(-1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)
        scores += (picked * (target != IGNORE)).sum(dim=1).tolist()
    best: dict[int, tuple[float, int]] = {}
    counters: dict[int, int] = defaultdict(int)
    for owner, score in zip(owners, scores):
        j = counters[owner]
        counters[owner] += 1
        if owner not in best or score > best[owner][0]:
            best[owner] = (score, j)
    return [best[n][1] for n in range(len(items))]


def probe_accuracy_distributed(model, tokenizer, items: Sequence[dict], device) -> tuple[int, int]:
    rank, world_size = world()
    mine = list(range(rank, len(items), world_size))
    chosen = probe_choices(model, tokenizer, [items[i] for i in mine], device)
    hits = _gather([int(c == items[i]["answer"]) for i, c in zip(mine, chosen)])
    return sum(hits), len(hits)
