"""Models: a named ladder of Llama-style configs (``configs/model/<size>.yaml``) trained from scratch,
or a pretrained causal LM loaded from safetensors; optional LoRA adapters for the latter.

torch, transformers and peft are imported inside the functions that build models: loading a config checks
``model.size`` against the ladder through this module, and a config check must not load torch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import UserError
from .runtime_env import CONFIGS_DIR

LADDER_DIR = CONFIGS_DIR / "model"  # configs/model/ of the checkout, or the installed copy
_ARCH_KEYS = {"hidden", "intermediate", "layers", "heads", "kv_heads", "tie_embeddings"}


class ModelError(UserError, ValueError):
    pass


@dataclass(frozen=True)
class Arch:
    hidden: int
    intermediate: int
    layers: int
    heads: int
    kv_heads: int
    tie_embeddings: bool


def ladder() -> dict[str, Arch]:
    """Every named size, read from ``configs/model/``."""
    out = {}
    for f in sorted(LADDER_DIR.glob("*.yaml")):
        spec = yaml.safe_load(f.read_text()) or {}
        if set(spec) != _ARCH_KEYS:
            raise ModelError(f"{f}: expected keys {sorted(_ARCH_KEYS)}, got {sorted(spec)}")
        out[f.stem] = Arch(**spec)
    return out


def arch(size: str) -> Arch:
    sizes = ladder()
    if size not in sizes:
        raise ModelError(f"model.size: expected one of {', '.join(sizes)}, got {size!r}")
    return sizes[size]


def attn_implementation(attention: str | None) -> str | None:
    """transformers' ``attn_implementation`` for an ``engine.attention`` value: 'auto' (or None) leaves the
    choice to transformers."""
    return None if attention in (None, "auto") else attention


def llama_config(a: Arch, vocab_size: int, max_positions: int, pad_id: int, eos_id: int, attention: str = "auto"):
    """``attention``: ``engine.attention``."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=a.hidden,
        intermediate_size=a.intermediate,
        num_hidden_layers=a.layers,
        num_attention_heads=a.heads,
        num_key_value_heads=a.kv_heads,
        max_position_embeddings=max_positions,
        tie_word_embeddings=a.tie_embeddings,
        pad_token_id=pad_id,
        eos_token_id=eos_id,
        bos_token_id=None,
        rms_norm_eps=1e-5,
        attn_implementation=attn_implementation(attention),
    )


def _with_attention(build, what: str, attention: str):
    """Run ``build()``; a kernel transformers cannot use here (flash-attn not installed, no GPU) is one line."""
    try:
        return build()
    except (ImportError, ValueError) as e:
        message = str(e).lower()
        if attn_implementation(attention) is None or not ("attention" in message or "attn" in message):
            raise
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ModelError(f"engine.attention: cannot use {attention!r} for {what} ({first})") from None


def toy_model():
    """A two-layer Llama with a 64-token vocabulary (about 50k parameters): what a rank warms up on
    (``trainer.trial.worker.warm_up``) and tests train in their own process."""
    from transformers import LlamaConfig, LlamaForCausalLM

    conf = LlamaConfig(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=64,
    )
    return LlamaForCausalLM(conf)


def build_model(cfg, tokenizer, seed: int):
    """A freshly initialised model (seeded) sized for ``tokenizer``, or the pretrained checkpoint."""
    import torch
    from transformers import LlamaForCausalLM

    attention = cfg.engine.attention
    if cfg.model.pretrained:
        return load_pretrained(cfg.model.pretrained, cfg.model.trust_remote_code, attention=attention)
    torch.manual_seed(seed)
    max_pos = max(2048, cfg.data.seq_len * 2)
    a = arch(cfg.model.size)
    conf = llama_config(a, len(tokenizer), max_pos, tokenizer.pad_token_id, tokenizer.eos_token_id, attention)
    return _with_attention(lambda: LlamaForCausalLM(conf), f"model.size={cfg.model.size}", attention)


def load_pretrained(name_or_path: str, trust_remote_code: bool = False, dtype: Any = None, attention: str = "auto"):
    """Safetensors only: a pickled checkpoint can run arbitrary code, so it is never loaded. ``attention``:
    ``engine.attention``."""
    from transformers import AutoModelForCausalLM

    p = Path(name_or_path).expanduser()
    local = name_or_path.startswith((".", "/", "~")) or p.exists()
    if local and not p.is_dir():
        raise ModelError(f"model.pretrained: {name_or_path!r} is not a directory")
    if local and not any(p.glob("*.safetensors")):
        raise ModelError(
            f"model.pretrained: no *.safetensors weights in {name_or_path!r} (pickled .bin checkpoints are not loaded)"
        )
    impl = attn_implementation(attention)
    extra = {"attn_implementation": impl} if impl else {}
    try:
        return AutoModelForCausalLM.from_pretrained(
            str(p) if local else name_or_path,
            use_safetensors=True,
            trust_remote_code=trust_remote_code,
            dtype=dtype,
            **extra,
        )
    except Exception as e:  # transformers raises many types for unreadable checkpoints
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ModelError(f"model.pretrained: cannot load {name_or_path!r} ({first})") from None


def add_lora(model, lora_cfg):
    from peft import LoraConfig, get_peft_model

    return get_peft_model(
        model,
        LoraConfig(
            r=lora_cfg.r,
            lora_alpha=lora_cfg.alpha,
            lora_dropout=lora_cfg.dropout,
            target_modules=list(lora_cfg.target_modules),
            task_type="CAUSAL_LM",
        ),
    )


def param_counts(model) -> dict[str, int]:
    """Total and non-embedding parameters (the x-axis of scaling fits), plus trainable ones."""
    total = sum(p.numel() for p in model.parameters())
    emb = sum(p.numel() for n, p in model.named_parameters() if "embed_tokens" in n or "lm_head" in n)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"params_total": total, "params_non_embedding": total - emb, "params_trainable": trainable}
