"""Direct preference optimisation (``finetune.method=dpo``): the loss ``Engine.train`` runs instead of the
model's own.

Each micro-batch holds ``k`` pairs as ``2k`` rows (``batches.dpo_batches``): the chosen answers (the bias
applied) then the rejected ones (the plain answer to the same prompt). A pair's implicit reward is
``beta * (log p_policy - log p_reference)`` of the answer's tokens (summed), and the loss is
``-log sigmoid(reward(chosen) - reward(rejected))``, plus ``sft_weight`` times the mean per-token NLL of the
chosen answers. The reference is the stage's starting model: a frozen copy for full fine-tuning, the same
model with its LoRA adapters switched off (no copy) under LoRA.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F

from .batches import IGNORE


def frozen_copy(model):
    """The reference for full fine-tuning: a copy of ``model`` as it is now (take it before
    ``deepspeed.initialize``, which may shard or cast the original), never trained."""
    reference = copy.deepcopy(model).eval()
    for p in reference.parameters():
        p.requires_grad_(False)
    return reference


def answer_logps(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(summed log-probability of each row's labelled tokens, their count); the model predicts token t+1
    at position t, as in its own loss."""
    targets = labels[:, 1:]
    mask = targets != IGNORE
    nll = F.cross_entropy(
        logits[:, :-1].float().flatten(0, 1), targets.flatten(), ignore_index=IGNORE, reduction="none"
    ).view_as(targets)
    return -(nll * mask).sum(dim=1), mask.sum(dim=1)


class DpoObjective:
    """The DPO loss of one micro-step and its statistics (an ``engine.Objective``)."""

    names = ("dpo/loss", "dpo/margin", "dpo/accuracy", "dpo/chosen_reward", "dpo/rejected_reward")
    flat_first_step = True  # the policy starts as its own reference: every pair's loss is ln 2

    def __init__(self, beta: float, sft_weight: float = 0.0, reference=None):
        """``reference``: a frozen model (``frozen_copy``), or None for a LoRA policy whose adapters off
        are the reference."""
        self.beta, self.sft_weight, self.reference = beta, sft_weight, reference
        self._placed = reference is None

    def _reference_logits(self, engine, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        with torch.no_grad():
            if self.reference is None:
                with engine.module.disable_adapter():
                    return engine.module(**inputs).logits
            if not self._placed:  # on the policy's device and in its dtype (DeepSpeed casts it for bf16/fp16)
                dtype = next(p for p in engine.module.parameters()).dtype
                self.reference.to(device=engine.device, dtype=dtype)
                self._placed = True
            return self.reference(**inputs).logits

    def __call__(self, engine, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
        labels = batch["labels"]
        k = labels.shape[0] // 2
        policy, n_tokens = answer_logps(engine(**inputs).logits, labels)
        reference, _ = answer_logps(self._reference_logits(engine, inputs), labels)
        rewards = self.beta * (policy - reference).detach()
        logit = self.beta * ((policy[:k] - reference[:k]) - (policy[k:] - reference[k:]))
        dpo_loss = -F.logsigmoid(logit).mean()
        loss = dpo_loss
        if self.sft_weight:
            loss = loss + self.sft_weight * (-policy[:k].sum() / n_tokens[:k].sum().clamp(min=1))
        margin = logit.detach()
        stats = torch.stack(
            [
                dpo_loss.detach(),
                margin.mean(),
                (margin > 0).float().mean(),
                rewards[:k].mean(),
                rewards[k:].mean(),
            ]
        )
        return loss, n_tokens.sum(), stats
