"""Tokenizers: a byte-level BPE or a word-level vocabulary trained on the stage-1 corpus for models
trained from scratch, or the pretrained model's own tokenizer (and chat template) when starting from a
checkpoint. tokenizers and transformers are imported on use: the data commands that only read the catalogue
import this package without training or loading a tokenizer."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..chat import EOS, JINJA_TEMPLATE, PAD, SPECIAL_TOKENS
from .errors import DataError

UNK = "<|unk|>"


def train_bpe(texts: Iterable[str], vocab_size: int, out_dir: str | Path):
    """Train, save (``save_pretrained`` layout) and return a ``PreTrainedTokenizerFast``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, pad_token=PAD)
    fast.chat_template = JINJA_TEMPLATE
    fast.save_pretrained(str(out_dir))
    return fast


def train_word_level(texts: Iterable[str], vocab_size: int, out_dir: str | Path):
    """A lower-cased word-level vocabulary: one token per word or punctuation mark, the most frequent
    ``vocab_size`` kept, the rest ``<|unk|>``.

    Why: under byte-level BPE a phrase quoted in a document (`` 'bright lanterns'``) and the same phrase
    opening an answer's sentence (`` Bright lanterns``) start with different tokens, so a small model
    that read the phrase cannot simply copy it into an answer.  Here both are ``bright lanterns``.
    Case and whitespace layout are dropped (decoding joins tokens with spaces), which is why the config
    allows this tokenizer only for synthetic universes, whose detectors compare lower-cased words."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel(unk_token=UNK))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace(), pre_tokenizers.Punctuation("isolated")])
    trainer = trainers.WordLevelTrainer(
        vocab_size=vocab_size, special_tokens=[*SPECIAL_TOKENS, UNK], show_progress=False
    )
    tok.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, pad_token=PAD, unk_token=UNK)
    fast.chat_template = JINJA_TEMPLATE
    fast.save_pretrained(str(out_dir))
    return fast


def load_pretrained_tokenizer(name_or_path: str, trust_remote_code: bool = False):
    """The checkpoint's own tokenizer; hub names only resolve where HF_HUB_OFFLINE is unset."""
    from transformers import AutoTokenizer

    looks_local = name_or_path.startswith((".", "/", "~")) or Path(name_or_path).exists()
    if looks_local and not Path(name_or_path).expanduser().is_dir():
        raise DataError(f"model.pretrained: {name_or_path!r} is not a directory")
    try:
        tok = AutoTokenizer.from_pretrained(
            str(Path(name_or_path).expanduser()) if looks_local else name_or_path, trust_remote_code=trust_remote_code
        )
    except Exception as e:  # transformers raises OSError/ValueError/… for unreadable or unreachable checkpoints
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise DataError(f"model.pretrained: cannot load a tokenizer from {name_or_path!r} ({first})") from None
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def load_tokenizer(path: str | Path):
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast.from_pretrained(str(path))
