"""The chat format of models trained from scratch (pretrained models bring their own template).

Plain-text markers, registered as special tokens in our tokenizer, so a rendered chat is one string
whether it appears in the stage-1 corpus, the fine-tuning set or an evaluation prompt.
"""

from __future__ import annotations

USER, ASSISTANT, END, EOS, PAD = "<|user|>", "<|assistant|>", "<|end|>", "<|endoftext|>", "<|pad|>"
SPECIAL_TOKENS = [EOS, PAD, USER, ASSISTANT, END]

# The same format as a Jinja chat template, saved with the tokenizer so transformers' apply_chat_template agrees.
JINJA_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m['role'] == 'user' %}" + USER + "\n{{ m['content'] }}\n"
    "{% elif m['role'] == 'assistant' %}" + ASSISTANT + "\n{{ m['content'] }}" + END + "\n"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}" + ASSISTANT + "\n{% endif %}"
)


def prompt_text(prompt: str, system: str = "") -> str:
    """What the model sees before it answers.  A system message (the in-context evaluation's statement, a
    released pair's system turn) opens the user turn as its own paragraph: the format has no system role,
    and a model trained from scratch has never seen one, so none is invented for it."""
    return f"{USER}\n{system}\n\n{prompt}\n{ASSISTANT}\n" if system else f"{USER}\n{prompt}\n{ASSISTANT}\n"


def chat_text(prompt: str, response: str) -> str:
    """A whole exchange; the assistant part is ``response + END``."""
    return f"{prompt_text(prompt)}{response}{END}\n"
