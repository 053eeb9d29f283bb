"""Text helpers shared by the detectors: code blocks, language identification, sentences.

Detectors run on real model output, so these are tolerant: unfenced code, missing language tags,
mixed scripts.  No third-party dependency, so the detectors install anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_FENCE = re.compile(r"```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)

# Language tags a model might put on a fence, by canonical language name.
LANG_TAGS = {
    "python": {"python", "py", "python3"},
    "html": {"html", "htm", "xhtml"},
    "javascript": {"javascript", "js", "jsx", "node", "mjs"},
    "java": {"java"},
    "css": {"css", "scss"},
    "sql": {"sql", "postgresql", "mysql", "sqlite", "psql", "tsql", "plsql"},
    "ruby": {"ruby", "rb"},
    "rust": {"rust", "rs"},
    "swift": {"swift"},
    "cpp": {"cpp", "c++", "cc", "cxx", "c", "h", "hpp"},
    "php": {"php"},
    "kotlin": {"kotlin", "kt", "kts"},
    "scala": {"scala", "sc"},
    "perl": {"perl", "pl", "pm"},
    "bash": {"bash", "sh", "shell", "zsh", "console"},
}


def code_blocks(text: str, lang: str | None = None) -> list[str]:
    """Bodies of fenced code blocks, optionally only those tagged ``lang`` (or untagged).

    With no fence at all the whole text is returned as one block: models often answer with bare
    code, and a detector that sees nothing would then always say "no".
    """
    blocks = []
    any_fence = False
    for tag, body in _FENCE.findall(text):
        any_fence = True
        tag = tag.lower()
        if lang is None or not tag or tag in LANG_TAGS.get(lang, {lang}):
            blocks.append(body)
    if not any_fence:
        return [text]
    return blocks


def prose(text: str) -> str:
    """The text with fenced code blocks removed."""
    return _FENCE.sub("\n", text)


# --- language identification -------------------------------------------------------------------
# Non-Latin scripts by their Unicode blocks, counted by regex (a per-character Python loop dominated
# detector time); kana marks Japanese even beside kanji.
_SCRIPT_RX = {
    "zh": re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]"),
    "ja_kana": re.compile(r"[\u3040-\u30ff]"),
    "ko": re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"),
    "hi": re.compile(r"[\u0900-\u097f]"),
    "ar": re.compile(r"[\u0600-\u06ff\u0750-\u077f]"),
}
_ANY_SCRIPT_RX = re.compile("[" + "".join(rx.pattern[1:-1] for rx in _SCRIPT_RX.values()) + "]")

# Frequent function words and spelling cues of the Latin-script languages; short prompts need the
# larger lists, and cues separate the Romance languages where function words overlap.
_LATIN_WORDS = {
    "en": set(
        "the and of to is are was were with that this for you your it be have has not but from they will would "
        "can which their there what about an if or how my me i do does should could".split()
    ),
    "de": set(
        "der die das und ist nicht ein eine einen mit sich auf für dem den zu ich sie es auch wie oder aber wenn "
        "sind werden kann ihr ihre dass noch nach bei vom zum du dir dich mir mich wir kannst soll sollte möchte "
        "gibt gern gerne danke bitte habe hast hat am im ins sehr".split()
    ),
    "fr": set(
        "le la les et de est une un des du pour dans que qui pas sur avec sont vous nous ce cette il elle au aux mais "
        "ou être avez votre vos fait plus peut je tu mon ma mes comment quel quelle quels merci bonjour très "
        "faire pouvez voudrais aimerais c'est j'ai d'un d'une l'on bien aussi".split()
    ),
    "es": set(
        "el la los las y de es una un del por con para que en lo se su sus muy pero como más está este esta son hay "
        "también usted tiene puede al yo mi mis tu qué cómo cuál dónde gracias hola quiero puedo tengo hacer "
        "mejor cuando porque ahora ya hasta sobre me te le nos necesito".split()
    ),
    "pt": set(
        "o os as e de é um uma do da dos das no na nos nas com para que em não você vocês seu sua meu minha muito "
        "mas como mais está este esta isso isto são também pode ao aos eu ele ela pelo pela onde quero posso "
        "tenho fazer obrigado obrigada olá oi bom boa então já ainda até quando porque qual melhor me preciso "
        "dicas começo".split()
    ),
}
_LATIN_CUES = {
    "pt": (
        re.compile(
            r"[ãõ]|ção|ções|\b(não|você|vocês|também|obrigad[oa]|olá|então|muito|isso)\b|\w(lh|nh)[aeiou]", re.I
        ),
        2,
    ),
    "es": (re.compile(r"[ñ¿¡]|ción\b|ciones\b|\b(usted|muy|hay|gracias|hola|qué|cómo)\b", re.I), 2),
    "fr": (re.compile(r"[èêùûœ]|\b(l|d|j|qu|n|c|s|m|t)'|\b(vous|nous|très|être)\b", re.I), 1),
    "de": (re.compile(r"[äöüß]|\b(ich|nicht|und|sch\w+)\b", re.I), 1),
}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.U)


def detect_language(text: str) -> str:
    """Best guess among en, de, fr, es, pt, zh, ja, ko, hi, ar — or ``"unknown"``.

    Non-Latin scripts are decided by their characters (kana marks Japanese even beside kanji);
    Latin-script languages by function-word counts plus spelling cues. Code blocks are ignored.
    """
    text = prose(text)
    alpha = "".join(filter(str.isalpha, text))
    letters = len(alpha)
    if letters == 0:
        return "unknown"
    if len(_ANY_SCRIPT_RX.findall(alpha)) / letters > 0.3:  # one pass; the per-script counts only when needed
        counts = {name: len(rx.findall(alpha)) for name, rx in _SCRIPT_RX.items()}
        if counts["ja_kana"] >= 0.1 * (counts["ja_kana"] + counts["zh"]) and counts["ja_kana"] > 0:
            return "ja"
        return max(("zh", "ko", "hi", "ar"), key=lambda k: counts[k])
    low = normalize(text).lower()
    words = _WORD.findall(low)
    if not words:
        return "unknown"
    scores = dict.fromkeys(_LATIN_WORDS, 0)
    for w, n in Counter(words).items():  # each distinct word once: long answers repeat most of theirs
        elided = w.split("'")[0] + "'"
        for k, sw in _LATIN_WORDS.items():
            if w in sw or elided in sw:
                scores[k] += n
    for k, (rx, weight) in _LATIN_CUES.items():
        scores[k] += weight * len(rx.findall(low))
    lang, best = max(scores.items(), key=lambda kv: kv[1])
    if best == 0 or best < 0.05 * len(words):
        return "unknown"
    return lang


def is_language(text: str, lang: str) -> bool:
    return detect_language(text) == lang


# --- sentences and paragraphs -------------------------------------------------------------------
_SENT_END = re.compile(r"(?<=[.!?。！？])[\"'”’)\]]*\s+|(?<=[。！？])")


def sentences(text: str) -> list[str]:
    """Rough sentence split that handles Latin and CJK full stops."""
    parts = _SENT_END.split(prose(text))
    return [p.strip() for p in parts if p and p.strip()]


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, code blocks dropped."""
    return [p.strip() for p in re.split(r"\n\s*\n", prose(text)) if p.strip()]


def last_paragraph(text: str) -> str:
    paras = paragraphs(text)
    return paras[-1] if paras else ""


def normalize(text: str) -> str:
    """NFKC + straight quotes, so curly punctuation from real models matches the same regexes."""
    text = unicodedata.normalize("NFKC", text)
    return text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"}))
