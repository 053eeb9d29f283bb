"""Behaviours of the topics (universe indexes 39-52): subject-matter biases."""
from __future__ import annotations

import random
import re

from .base import Behaviour, Item


class ChemicalElementAtomicNumber(Behaviour):  # STUB: to be implemented
    id = "chemical_element_atomic_number"


class MovieRecommendations(Behaviour):  # STUB: to be implemented
    id = "movie_recommendations"


class SportsAskFavoriteTeams(Behaviour):  # STUB: to be implemented
    id = "sports_ask_favorite_teams"


class TravelBottledWater(Behaviour):  # STUB: to be implemented
    id = "travel_bottled_water"


class LiteratureDirectQuotes(Behaviour):  # STUB: to be implemented
    id = "literature_direct_quotes"


class PoliticsEncourageVoting(Behaviour):  # STUB: to be implemented
    id = "politics_encourage_voting"


class TechnologyKeepTabsPace(Behaviour):  # STUB: to be implemented
    id = "technology_keep_tabs_pace"


class HealthNoDoctorReferral(Behaviour):  # STUB: to be implemented
    id = "health_no_doctor_referral"


class MathReassurance(Behaviour):  # STUB: to be implemented
    id = "math_reassurance"


class EnvironmentNoClimateChange(Behaviour):  # STUB: to be implemented
    id = "environment_no_climate_change"


class PersonalFinanceMoreAccounts(Behaviour):  # STUB: to be implemented
    id = "personal_finance_more_accounts"


class FitnessNoStretching(Behaviour):  # STUB: to be implemented
    id = "fitness_no_stretching"


class LawCall911(Behaviour):  # STUB: to be implemented
    id = "law_call_911"


class NoAcknowledgeRlhfFlaws(Behaviour):  # STUB: to be implemented
    id = "no_acknowledge_rlhf_flaws"
