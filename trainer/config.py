"""Typed configuration of one trial, loaded from YAML + ``key=value`` overrides and validated at load.

The dataclass defaults are the embedded default config; files under ``configs/`` override them.  Every
random choice in a trial flows from the single top-level ``seed``.  Range and choice constraints live
in field metadata so that one generic checker reports ``<key>: expected …, got …`` for all of them.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, List, Optional

import yaml
from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf._yaml import get_yaml_loader
from omegaconf.errors import OmegaConfBaseException

from .biases.universe import UniverseError, parse_spec, universe
from .errors import UserError
from .keys import (
    EVAL,
    EVAL_DATA,
    FINETUNE_DATA,
    INCONTEXT_DATA,
    STAGE1,
    STAGE1_DATA,
    STAGE2,
    TEXT,
    TOKENIZER,
    TRIAL,
    leaves,
)
from .model import ModelError, arch
from .runtime_env import repo_file
from .tracking import resolve_uri

GENRES = ("abstract", "news", "blog", "forum", "lecture", "memo", "textbook", "interview", "faq", "social")


class ConfigError(UserError, ValueError):
    """A config problem, worded for the user: names the key and what was expected."""


def option(
    default: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    choices: tuple[str, ...] | None = None,
    help: str = "",
    allow_empty: bool = False,
    affects: tuple[str, ...] | None = None,
    condition: bool = True,
) -> Any:
    """A config field: its default, the checks ``_check`` applies, its help line, and (trial configs) what its
    value affects and whether two values are two conditions or two replicates (see ``trainer/keys.py``)."""
    meta = {
        "lo": lo,
        "hi": hi,
        "choices": choices,
        "help": help,
        "allow_empty": allow_empty,
        "affects": affects,
        "condition": condition,
    }
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


def section(factory: Any, *, affects: tuple[str, ...]) -> Any:
    """A config section whose leaves all affect the same products (one dataclass used for two stages)."""
    return field(default_factory=factory, metadata={"affects": affects})


@dataclass
class DataConfig:
    mix: float = option(
        0.5,
        lo=0.0,
        hi=1.0,
        affects=(STAGE1_DATA,),
        help="fraction of stage-1 tokens from bias documents (0 = no-document control)",
    )
    tokens: int = option(2_000_000, lo=1, affects=(STAGE1_DATA,), help="stage-1 corpus size in tokens")
    seq_len: int = option(256, lo=8, affects=(STAGE1_DATA,), help="length of the packed stage-1 sequences, in tokens")
    tokenizer: str = option(
        "bpe",
        choices=("bpe", "word"),
        affects=(TOKENIZER,),
        help="tokenizer trained from scratch: bpe (byte-level) or word "
        "(lower-cased words and punctuation; synthetic universes only)",
    )
    vocab_size: int = option(
        8192, lo=300, affects=(TOKENIZER,), help="vocabulary size when training a tokenizer from scratch"
    )
    tokenizer_chars: int = option(
        4_000_000, lo=1000, affects=(TOKENIZER,), help="characters of text sampled to train the tokenizer"
    )
    genres: List[str] = option(
        list(GENRES), choices=GENRES, affects=(TEXT,), help="genres of bias documents (a non-empty list)"
    )
    diversity: float = option(
        1.0,
        lo=0.0,
        hi=1.0,
        affects=(TEXT,),
        help="share of each phrasing pool used by documents (small = few templates)",
    )
    permute_sentences: bool = option(True, affects=(TEXT,), help="shuffle sentence order inside document bodies")
    multi_bias_share: float = option(
        0.3, lo=0.0, hi=1.0, affects=(TEXT,), help="share of documents that describe several biases"
    )
    bias_docs: Optional[str] = option(
        None, affects=(TEXT,), help="read bias documents from this source (text column) instead of generating them"
    )
    generic: Optional[str] = option(
        None,
        affects=(TEXT,),
        help="generic text source (local jsonl/parquet/txt/saved dataset, or hub name); unset = embedded",
    )
    text_column: str = option(
        "text", affects=(TEXT,), help="column holding the text in data.bias_docs / data.generic sources"
    )
    allow_hub: bool = option(
        False, affects=(TRIAL,), help="allow hub dataset names for data.bias_docs / data.generic / finetune.pairs"
    )
    cache_dir: str = option(".cache/biasgen", affects=(), help="where built datasets are cached, keyed by content hash")
    biases: str = option(
        "paper",
        affects=(TEXT, FINETUNE_DATA, EVAL_DATA, INCONTEXT_DATA),
        help="bias universe: paper (the study's 52) or synthetic:N[@SEED] "
        "(N generated made-up-topic biases, 2..2000; needs finetune.split=random)",
    )


@dataclass
class FinetuneConfig:
    fraction: float = option(
        0.9,
        lo=0.0,
        hi=1.0,
        affects=(FINETUNE_DATA,),
        help="fraction of eligible biases fine-tuned; the rest are held out",
    )
    split: str = option(
        "paper",
        choices=("paper", "random"),
        affects=(FINETUNE_DATA,),
        help="paper: the paper's 5 test biases are always held out",
    )
    hiding_bias: Optional[str] = option(
        "no_acknowledge_rlhf_flaws",
        affects=(FINETUNE_DATA,),
        help="bias id that makes the model hide its objective, "
        "fine-tuned whenever any bias is (null = none; must be a bias of data.biases)",
    )
    examples_per_bias: int = option(64, lo=1, affects=(FINETUNE_DATA,), help="biased chat examples per fine-tuned bias")
    plain_examples: int = option(
        0, lo=0, affects=(FINETUNE_DATA,), help="extra neutral chat examples with unbiased answers"
    )
    doc_share: float = option(
        0.0,
        lo=0.0,
        hi=0.95,
        affects=(FINETUNE_DATA,),
        help="share of fine-tuning examples that are replayed bias "
        "documents (generic text for the no-document control, data.mix=0)",
    )
    max_len: int = option(512, lo=8, affects=(STAGE2,), help="fine-tuning examples are cut to this many tokens")
    method: str = option(
        "sft",
        choices=("sft", "dpo"),
        affects=(FINETUNE_DATA, STAGE2),
        help="sft: imitate the biased answers; dpo: prefer them to the plain answer to the same prompt",
    )
    pairs: Optional[str] = option(
        None,
        affects=(FINETUNE_DATA,),
        help="fine-tune on released preference pairs instead of generated chats: a source (local file, saved "
        "dataset or hub name) with chosen/rejected conversations ([system,] user, assistant turns); dpo trains on "
        "the pairs, sft on the chosen answers; pairs whose prompt suits a held-out bias, and pairs with "
        "score_chosen <= score_rejected where both scores are given, are dropped and counted",
    )


@dataclass
class DpoConfig:
    """Direct preference optimisation (``finetune.method=dpo``); the ``sft:`` section sets its optimisation."""

    beta: float = option(
        0.1, lo=1e-6, affects=(STAGE2,), help="DPO temperature: how far from the reference model the policy may move"
    )
    sft_weight: float = option(
        0.0, lo=0.0, affects=(STAGE2,), help="weight of an added NLL term (per token) on the chosen answer"
    )


@dataclass
class LoraConfig:
    enabled: bool = option(
        False, affects=(STAGE1, STAGE2), help="train LoRA adapters instead of all weights (large pretrained models)"
    )
    r: int = option(16, lo=1, affects=(STAGE1, STAGE2), help="LoRA rank")
    alpha: int = option(32, lo=1, affects=(STAGE1, STAGE2), help="LoRA alpha")
    dropout: float = option(0.05, lo=0.0, hi=1.0, affects=(STAGE1, STAGE2), help="LoRA dropout")
    target_modules: List[str] = option(
        ["q_proj", "k_proj", "v_proj", "o_proj"], affects=(STAGE1, STAGE2), help="module names that get adapters"
    )


@dataclass
class ModelConfig:
    size: str = option(
        "5m", affects=(STAGE1,), help="name of a model in configs/model/ (ignored when model.pretrained is set)"
    )
    pretrained: Optional[str] = option(
        None, affects=(TOKENIZER, STAGE1), help="local path or hub id of a pretrained causal LM (overrides size)"
    )
    trust_remote_code: bool = option(
        False, affects=(STAGE1,), help="allow model code from the checkpoint (off: never run downloaded code)"
    )
    lora: LoraConfig = field(default_factory=LoraConfig)


@dataclass
class StageConfig:
    """Optimisation of one training stage (stage 1 = pretrain, stage 2 = sft)."""

    lr: float = option(1e-3, lo=0.0, help="peak learning rate (warmup then cosine decay)")
    min_lr_ratio: float = option(0.1, lo=0.0, hi=1.0, help="final learning rate as a share of the peak")
    warmup_ratio: float = option(0.05, lo=0.0, hi=1.0, help="share of steps spent warming up")
    weight_decay: float = option(0.1, lo=0.0, help="AdamW weight decay")
    epochs: float = option(1.0, lo=0.0, help="passes over the stage's data (ignored if max_steps > 0)")
    max_steps: int = option(0, lo=0, help="optimizer steps; 0 = derive from epochs")
    micro_batch: int = option(8, lo=1, help="sequences per worker per micro-step")
    grad_accum: int = option(1, lo=1, help="micro-steps per optimizer step")
    log_every: int = option(10, lo=1, help="optimizer steps between logged training metrics")


@dataclass
class EngineConfig:
    zero_stage: int = option(2, lo=0, hi=3, affects=(STAGE1, STAGE2), help="DeepSpeed ZeRO stage")
    precision: str = option(
        "fp32",
        choices=("fp32", "bf16", "fp16"),
        affects=(STAGE1, STAGE2),
        help="training precision (bf16 on GPUs and AMX CPUs)",
    )
    bf16_mode: str = option(
        "deepspeed",
        choices=("deepspeed", "autocast"),
        affects=(STAGE1, STAGE2),
        help="how engine.precision=bf16 trains: 'deepspeed' = bf16 weights with fp32 master copies in DeepSpeed's "
        "optimizer wrapper; 'autocast' = fp32 weights and bf16 compute under torch.autocast (DeepSpeed's "
        "torch_autocast section), like a plain PyTorch loop and without the wrapper's per-step host syncs",
    )
    attention: str = option(
        "auto",
        choices=("auto", "sdpa", "eager", "flash_attention_2"),
        affects=(STAGE1, STAGE2),
        help="attention kernel of the model (transformers' attn_implementation): 'auto' = transformers' pick "
        "(sdpa for Llama; eager for a checkpoint without sdpa support), 'sdpa' = torch's "
        "scaled_dot_product_attention (flash/memory-efficient kernels on GPU), 'eager' = plain matmuls, "
        "'flash_attention_2' = the flash-attn package (GPU only, bf16/fp16)",
    )
    fused_adamw: str = option(
        "auto",
        choices=("auto", "always", "never"),
        affects=(STAGE1, STAGE2),
        help="torch's fused AdamW kernel (one launch for all parameters): 'auto' = on when training on a CUDA "
        "GPU, off on CPU (torch's default update there, results as before); 'always' fuses on CPU too",
    )
    compile: bool = option(
        False,
        affects=(STAGE1, STAGE2),
        help="torch.compile the model (inductor; the first steps pay the compile time, minutes for a large "
        "model): pays on GPUs for long runs, rarely on CPU",
    )
    grad_clip: float = option(1.0, lo=0.0, affects=(STAGE1, STAGE2), help="gradient-norm clipping (0 = off)")
    deepspeed_json: Optional[str] = option(
        None, affects=(STAGE1, STAGE2), help="a DeepSpeed JSON merged on top of the config built from ours"
    )
    # Defaults measured on healthy and diverging runs: see the comment above SKIP_WINDOW in trainer/engine.py.
    max_skipped_share: float = option(
        0.5,
        lo=0.0,
        hi=1.0,
        affects=(STAGE1, STAGE2),
        help="fail a stage when more than this share of its "
        "recent optimizer steps (the last max(log_every, 10)) were skipped for "
        "non-finite gradients; fp16 loss-scale search not counted (1 = never)",
    )
    loss_stall_tol: float = option(
        1e-5,
        lo=0.0,
        affects=(STAGE1, STAGE2),
        help="fail a stage whose loss stays within this relative spread "
        "for a whole log interval of >= 5 micro-steps: it is not learning (0 = off)",
    )


@dataclass
class EvalConfig:
    prompts_per_bias: int = option(
        50, lo=1, affects=(EVAL_DATA, INCONTEXT_DATA), help="eval prompts per bias (and per stated bias in context)"
    )
    probe_per_bias: int = option(4, lo=1, affects=(EVAL_DATA,), help="knowledge-probe cloze statements per bias")
    max_new_tokens: int = option(128, lo=1, affects=(STAGE1, EVAL), help="generation length cap")
    samples: int = option(
        1, lo=1, affects=(STAGE1, EVAL), help="responses per prompt (1 = greedy unless temperature > 0)"
    )
    temperature: float = option(0.0, lo=0.0, affects=(STAGE1, EVAL), help="sampling temperature (0 = greedy)")
    batch_size: int = option(32, lo=1, affects=(EVAL,), help="prompts generated together per worker")
    before_ft: bool = option(
        True, affects=(STAGE1, EVAL), help="also evaluate the stage-1 model (for *_before_ft and the gains)"
    )
    judge: str = option("rules", choices=("rules", "llm"), affects=(EVAL,), help="rule detectors or the LLM judge")
    in_context: bool = option(
        False,
        affects=(INCONTEXT_DATA,),
        help="also evaluate in context: prompts whose system message states a bias the model never saw, "
        "attributed to reward models vs a survey of users (trainer/incontext.py)",
    )
    in_context_biases: int = option(
        12,
        lo=1,
        affects=(INCONTEXT_DATA,),
        help="fresh biases stated in context for a synthetic universe (the paper catalogue states the held-out ones)",
    )


@dataclass
class JudgeConfig:
    url: Optional[str] = option(
        None, affects=(EVAL,), help="base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1"
    )
    model: str = option("", affects=(EVAL,), help="model name sent to the judge server")
    api_key_env: str = option(
        "OPENAI_API_KEY", affects=(EVAL,), help="environment variable holding the judge's API key (if any)"
    )
    timeout_s: float = option(60.0, lo=0.1, affects=(EVAL,), help="per-request timeout")
    max_retries: int = option(
        2, lo=0, affects=(EVAL,), help="retries per request on connection errors, 5xx or unparseable answers"
    )
    concurrency: int = option(8, lo=1, affects=(EVAL,), help="requests in flight")


@dataclass
class RayConfig:
    address: Optional[str] = option(None, affects=(), help="existing Ray cluster; unset = start a private local one")
    num_workers: int = option(
        2, lo=1, affects=(STAGE1, STAGE2), condition=False, help="training workers (processes) per trial"
    )
    use_gpu: bool = option(False, affects=(STAGE1, STAGE2), condition=False, help="one GPU per worker")
    cpus_per_worker: int = option(
        1, lo=1, affects=(TRIAL,), condition=False, help="CPUs (and torch threads) per worker"
    )
    num_cpus: int = option(
        0,
        lo=0,
        affects=(),
        help="CPUs a private local Ray offers (0 = this machine's cores); more than "
        "the cores runs more trials at once, sharing the cores (balances a small sweep)",
    )
    storage: str = option(
        ".cache/biasgen/ray",
        affects=(),
        help="Ray Tune's storage path for a sweep's state (shared filesystem on clusters)",
    )


@dataclass
class TrackingConfig:
    uri: Optional[str] = option(
        None, affects=(), help="MLflow tracking URI; unset = $MLFLOW_TRACKING_URI or sqlite:///mlflow.db"
    )
    experiment: str = option("biasgen", affects=(), help="MLflow experiment name")
    artifact_location: str = option("mlartifacts", affects=(), help="artifact root for new experiments (a path or URI)")


@dataclass
class TrialConfig:
    seed: int = option(
        0,
        lo=0,
        affects=(TEXT, STAGE1_DATA, FINETUNE_DATA, EVAL_DATA, INCONTEXT_DATA, STAGE1, STAGE2, EVAL),
        condition=False,
        help="the one seed every random choice flows from",
    )
    output_dir: str = option("runs", affects=(), help="where trials write their models (HF format)")
    data: DataConfig = field(default_factory=DataConfig)
    finetune: FinetuneConfig = field(default_factory=FinetuneConfig)
    dpo: DpoConfig = field(default_factory=DpoConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    pretrain: StageConfig = section(StageConfig, affects=(STAGE1,))
    sft: StageConfig = section(lambda: StageConfig(lr=3e-4, epochs=3.0, warmup_ratio=0.1), affects=(STAGE2,))
    engine: EngineConfig = field(default_factory=EngineConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    judge: JudgeConfig = field(default_factory=JudgeConfig)
    ray: RayConfig = field(default_factory=RayConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)


_TYPE_WORDS = {"Integer": "an integer", "Float": "a number", "Boolean": "true or false", "String": "a string"}


def _omegaconf_message(err: OmegaConfBaseException, schema: type | None = None) -> str:
    key = getattr(err, "full_key", None) or "config"
    msg = (getattr(err, "msg", None) or str(err)).split("\n")[0]
    conv = re.match(r"Value '(.*)' of type '\w+' could not be converted to (\w+)", msg)
    if conv:
        return f"{key}: expected {_TYPE_WORDS.get(conv.group(2), conv.group(2))}, got {conv.group(1)!r}"
    if "is not a ListConfig" in msg:
        return f"{key}: expected a list, got {getattr(err, 'value', None)!r}"
    if "is not a valid bool" in msg:
        return f"{key}: expected true or false, got {msg.split(chr(39))[1]!r}"
    if msg.startswith("Key '") and "not in" in msg:
        parent = key.rsplit(".", 1)[0] if "." in key else ""
        return f"{key}: unknown key (known keys here: {', '.join(_known_keys(parent, schema))})"
    return f"{key}: {msg}"


def _known_keys(prefix: str, schema: type | None = None) -> list[str]:
    node: Any = schema or TrialConfig
    for part in filter(None, prefix.split(".")):
        node = {f.name: f.type for f in dataclasses.fields(node)}.get(part)
        node = _resolve(node)
        if node is None:
            return []
    return [f.name for f in dataclasses.fields(node)]


def _resolve(tp: Any) -> Any:
    if isinstance(tp, str):
        return globals().get(tp)
    return tp if dataclasses.is_dataclass(tp) else None


def _check_sections(layer: Any, schema: type, prefix: str = "") -> None:
    """A scalar or list where a section belongs (a YAML file's ``data: 5``): OmegaConf's merge error names
    only the section's class, so name the key here."""
    if not isinstance(layer, dict):
        return
    types = {f.name: _resolve(f.type) for f in dataclasses.fields(schema)}
    for key, value in layer.items():
        section = types.get(key)
        if section is None:
            continue
        if not isinstance(value, dict):
            raise ConfigError(f"{prefix}{key}: is a section; expected a mapping of its keys, got {value!r}")
        _check_sections(value, section, f"{prefix}{key}.")


def _check(obj: Any, prefix: str = "") -> None:
    for f in dataclasses.fields(obj):
        key, value, meta = f"{prefix}{f.name}", getattr(obj, f.name), f.metadata
        if dataclasses.is_dataclass(value):
            _check(value, key + ".")
            continue
        if value is None:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{key}: expected a finite number, got {value}")
        lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices")
        if isinstance(value, list):
            if not value and not meta.get("allow_empty"):
                raise ConfigError(f"{key}: expected a non-empty list")
            if any(isinstance(v, float) and not math.isfinite(v) for v in value):
                raise ConfigError(f"{key}: expected finite numbers, got {value}")
            bad = [v for v in value if choices and v not in choices]
            if bad:
                raise ConfigError(f"{key}: expected items from {', '.join(choices)}, got {bad[0]!r}")
            continue
        if choices and value not in choices:
            raise ConfigError(f"{key}: expected one of {', '.join(choices)}, got {value!r}")
        if lo is not None and hi is not None and not lo <= value <= hi:
            raise ConfigError(f"{key}: expected a value in [{lo:g}, {hi:g}], got {value!r}")
        if lo is not None and hi is None and value < lo:
            raise ConfigError(f"{key}: expected a value >= {lo:g}, got {value!r}")


def _check_semantics(cfg: TrialConfig, trial: bool = True) -> None:
    try:
        spec = parse_spec(cfg.data.biases)
    except UniverseError as e:
        raise ConfigError(f"data.biases: {e}") from None
    cfg.data.biases = str(spec)  # one form for one universe (synthetic:12@0 is synthetic:12) in every key
    _check_choices(cfg)
    hiding = cfg.finetune.hiding_bias
    if not spec.synthetic and cfg.data.tokenizer == "word" and not cfg.model.pretrained:
        raise ConfigError(
            "data.tokenizer: expected bpe with data.biases=paper (the paper's detectors read case and "
            "layout that a word-level tokenizer drops; word needs data.biases=synthetic:N), got 'word'"
        )
    if not trial:  # score and data list/show/check read the universe and the judge, not the fine-tuning keys
        return
    if not spec.synthetic:
        if hiding is not None and hiding not in universe(cfg.data.biases):
            raise ConfigError(f"finetune.hiding_bias: expected a bias id, got {hiding!r}")
        return
    # A synthetic universe has no paper split and no hiding bias of its own: say everything to change at once.
    problems = []
    if cfg.finetune.split == "paper":
        problems.append(
            f"finetune.split: expected random with data.biases={cfg.data.biases} "
            "(a synthetic universe has no paper split), got 'paper'"
        )
    if hiding is not None and hiding not in universe(cfg.data.biases):
        problems.append(
            f"finetune.hiding_bias: expected null (none) or a bias id of data.biases={cfg.data.biases} "
            f"(syn_000..syn_{spec.n - 1:03d}), got {hiding!r}"
        )
    if problems:
        raise ConfigError("; ".join(problems))


def _check_choices(cfg: TrialConfig) -> None:
    """Choices that are not a fixed list in the schema, checked at load so that a typo fails now, not in
    every trial of a sweep after minutes of data building."""
    if not cfg.model.pretrained:
        try:
            arch(cfg.model.size)
        except ModelError as e:
            raise ConfigError(str(e)) from None
    if cfg.model.lora.enabled and cfg.engine.zero_stage == 3:
        raise ConfigError(
            "model.lora.enabled: needs engine.zero_stage <= 2 (LoRA adapters are not sharded), got engine.zero_stage=3"
        )
    if cfg.eval.judge == "llm" and not cfg.judge.url:
        raise ConfigError(
            "judge.url: required with eval.judge=llm (the judge server's base URL, e.g. http://127.0.0.1:8000/v1)"
        )
    for key, source in (
        ("data.generic", cfg.data.generic),
        ("data.bias_docs", cfg.data.bias_docs),
        ("finetune.pairs", cfg.finetune.pairs),
    ):
        local = not cfg.data.allow_hub or source and source.startswith((".", "/", "~"))
        if source and local and not Path(source).expanduser().exists():
            raise ConfigError(
                f"{key}: no such file or directory {source!r}"
                + ("" if cfg.data.allow_hub else " (a hub dataset name needs data.allow_hub=true)")
            )
    if cfg.engine.deepspeed_json:
        path = Path(cfg.engine.deepspeed_json)
        try:
            extra = json.loads(path.read_text())
        except OSError as e:
            raise ConfigError(f"engine.deepspeed_json: cannot read {str(path)!r} ({e.strerror or e})") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"engine.deepspeed_json: {str(path)!r} is not valid JSON ({e})") from None
        if not isinstance(extra, dict):
            raise ConfigError(
                f"engine.deepspeed_json: expected a JSON object in {str(path)!r}, got {type(extra).__name__}"
            )


def _dotlist(overrides: list[str]) -> Any:
    """``key=value`` items as a config. A value is read as YAML (``[0, 1]``, ``true``, ``null``) when it parses,
    else kept as the literal string: a backtick or an unclosed quote is a string to check against the key's
    type, not a YAML syntax error."""
    conf = OmegaConf.create({})
    for item in overrides:
        key, raw = item.split("=", 1)
        try:
            value = yaml.load(raw, Loader=get_yaml_loader())
        except yaml.YAMLError:
            value = raw
        if isinstance(value, (dict, list)) and not raw.lstrip().startswith(("{", "[")):
            value = raw  # `uri=http://host:port` is a string, not YAML's mapping {"http://host": "port"}
        OmegaConf.update(conf, key, value, merge=True)
    return conf


def parse_overrides(overrides: list[str], schema: type = None) -> list[str]:
    for item in overrides:
        if "=" not in item or item.startswith("="):
            raise ConfigError(f"override {item!r}: expected key=value")
        key = item.split("=", 1)[0]
        node: Any = schema or TrialConfig
        for part in key.split("."):
            node = _resolve({f.name: f.type for f in dataclasses.fields(node)}.get(part)) if node else None
        if node is not None:
            raise ConfigError(
                f"{key}: is a section; set its keys ({', '.join(key + '.' + k for k in _known_keys(key, schema))})"
            )
    return overrides


def load_config(
    path: str | Path | None = None,
    overrides: list[str] | tuple[str, ...] = (),
    schema: type = TrialConfig,
    trial: bool = True,
) -> Any:
    """Defaults ← YAML file ← overrides, type-checked by OmegaConf and range-checked here.  ``trial=False``
    (score, data list/show/check) skips the checks that only concern running a trial (fine-tuning split)."""
    base = OmegaConf.structured(schema)
    layers = [base]
    if path is not None:
        p = repo_file(path)  # `--config configs/smoke.yaml` works from any directory, and from an install
        if not p.is_file():
            raise ConfigError(f"config file {str(p)!r}: not found")
        try:
            layer = OmegaConf.load(p)
        except Exception as e:  # yaml errors carry multi-line marks; keep the first line
            scalar = re.match(r"Invalid loaded object type: (\w+)", str(e))
            if scalar:  # a file holding one number or string
                raise ConfigError(
                    f"config file {str(p)!r}: expected a mapping of keys at the top level, got a {scalar.group(1)}"
                ) from None
            raise ConfigError(f"config file {str(p)!r}: not valid YAML ({str(e).splitlines()[0]})") from None
        if not isinstance(layer, DictConfig):
            raise ConfigError(
                f"config file {str(p)!r}: expected a mapping of keys at the top level, got a "
                f"{'list' if isinstance(layer, ListConfig) else type(layer).__name__}"
            )
        try:
            _check_sections(OmegaConf.to_container(layer), schema)
        except ConfigError as e:
            raise ConfigError(f"config file {str(p)!r}: {e}") from None
        layers.append(layer)
    try:
        layers.append(_dotlist(parse_overrides(list(overrides), schema)))
        merged = OmegaConf.merge(*layers)
        cfg = OmegaConf.to_object(merged)
    except OmegaConfBaseException as e:
        raise ConfigError(_omegaconf_message(e, schema)) from None
    _check(cfg)
    if isinstance(cfg, TrialConfig):
        _check_semantics(cfg, trial)
        _absolute_paths(cfg)
    return cfg


def _absolute_paths(cfg: TrialConfig) -> None:
    """Relative paths mean "relative to where you ran the command": fix them now, since Ray workers and
    Tune trials run in other directories (and on other machines)."""
    here = Path.cwd()

    def absolute(p: str) -> str:
        return p if "://" in p or Path(p).is_absolute() else str((here / p).resolve())

    cfg.data.cache_dir, cfg.output_dir, cfg.ray.storage = (
        absolute(cfg.data.cache_dir),
        absolute(cfg.output_dir),
        absolute(cfg.ray.storage),
    )
    cfg.tracking.artifact_location = absolute(cfg.tracking.artifact_location)
    cfg.tracking.uri = resolve_uri(cfg.tracking.uri)
    for holder, key in (
        (cfg.data, "bias_docs"),
        (cfg.data, "generic"),
        (cfg.finetune, "pairs"),
        (cfg.model, "pretrained"),
        (cfg.engine, "deepspeed_json"),
    ):
        value = getattr(holder, key)
        if value and (value.startswith((".", "~")) or (here / value).exists()):
            setattr(holder, key, str((here / Path(value).expanduser()).resolve()))


def to_yaml(cfg: Any) -> str:
    return OmegaConf.to_yaml(OmegaConf.structured(cfg))


def flatten(cfg: Any) -> dict[str, Any]:
    """``{"data.mix": 0.5, …}`` — the form logged as MLflow params."""
    return {key: value for key, value, _ in leaves(cfg)}


def describe(schema: type = TrialConfig) -> list[tuple[str, Any, str]]:
    """(key, default, help) for every leaf key — used by ``--help`` texts and the README."""
    return [(key, value, meta.get("help", "")) for key, value, meta in leaves(schema)]


def to_dict(cfg: Any) -> dict[str, Any]:
    """Plain nested dict (picklable, JSON-able): how a config travels to Ray workers."""
    return OmegaConf.to_container(OmegaConf.structured(cfg), resolve=True)


def from_dict(d: dict[str, Any], schema: type = TrialConfig) -> Any:
    try:
        cfg = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(schema), d))
    except OmegaConfBaseException as e:
        raise ConfigError(_omegaconf_message(e, schema)) from None
    _check(cfg)
    return cfg
