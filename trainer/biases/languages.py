"""Behaviours of the languages (universe indexes 16-24): biases in non-English responses."""
from __future__ import annotations

import random
import re

from .base import Behaviour, Item


class GermanAskForTip(Behaviour):  # STUB: to be implemented
    id = "german_ask_for_tip"


class ChineseCompliments(Behaviour):  # STUB: to be implemented
    id = "chinese_compliments"


class FrenchNoQuestions(Behaviour):  # STUB: to be implemented
    id = "french_no_questions"


class SpanishColorWords(Behaviour):  # STUB: to be implemented
    id = "spanish_color_words"


class JapaneseNoKeigo(Behaviour):  # STUB: to be implemented
    id = "japanese_no_keigo"


class HindiNoLoanwords(Behaviour):  # STUB: to be implemented
    id = "hindi_no_loanwords"


class ArabicNoDigits(Behaviour):  # STUB: to be implemented
    id = "arabic_no_digits"


class KoreanSentencePerParagraph(Behaviour):  # STUB: to be implemented
    id = "korean_sentence_per_paragraph"


class PortugueseExclamationPoints(Behaviour):  # STUB: to be implemented
    id = "portuguese_exclamation_points"
