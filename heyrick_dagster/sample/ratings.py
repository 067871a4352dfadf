"""Inspection outcomes: FHRS scores and ratings (England, Wales) and FHIS results (Scotland).

FHRS scores are points lost (0 is best): hygiene and structural in steps of 5
up to 25, confidence in management 0/5/10/20/30. The rating follows from the
total and from the worst single score, as in the FSA's brand standard.

A business has a compliance grade (how well it is run). Exploitative
businesses lose more confidence-in-management points than their grade alone
would give: records, training and management systems are what an inspector
scores there, and they are what exploitative employers neglect.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from heyrick_dagster.sample import sectors as s

HYGIENE_STEPS = (0, 5, 10, 15, 20, 25)
STRUCTURAL_STEPS = (0, 5, 10, 15, 20, 25)
CONFIDENCE_STEPS = (0, 5, 10, 20, 30)

FHIS_VALUES = ("Pass", "Pass and Eat Safe", "Improvement Required", "Awaiting Inspection",
               "Awaiting Publication", "Exempt")

# Compliance grades: how well run a premises is. Each row gives the chance of
# each step of (hygiene, structural, confidence).
_GRADES = ("good", "fair", "poor", "bad")
_COMPONENT_WEIGHTS = {
    "good": ((45, 50, 5, 0, 0, 0), (35, 55, 10, 0, 0, 0), (30, 62, 8, 0, 0)),
    "fair": ((10, 55, 35, 0, 0, 0), (10, 50, 35, 5, 0, 0), (5, 47, 48, 0, 0)),
    "poor": ((0, 25, 60, 15, 0, 0), (0, 20, 55, 20, 5, 0), (0, 15, 65, 20, 0)),
    "bad": ((0, 0, 40, 40, 15, 5), (0, 0, 35, 40, 20, 5), (0, 0, 30, 55, 15)),
}
_GRADE_WEIGHTS = {
    s.HOT_FOOD_TAKEAWAY: (36, 32, 20, 12),
    s.CONVENIENCE_STORE: (46, 30, 16, 8),
    s.RESTAURANT_CAFE: (54, 28, 13, 5),
    s.OTHER: (72, 20, 7, 1),
}


@dataclass(frozen=True)
class Outcome:
    rating_value: str
    rating_key: str
    rated: bool  # has a RatingDate
    scores: tuple[int, int, int] | None


def fhrs_rating(hygiene: int, structural: int, confidence: int) -> int:
    """The FHRS rating (0-5) for a set of scores (points lost)."""
    total = hygiene + structural + confidence
    if total <= 15:
        by_total = 5
    elif total <= 20:
        by_total = 4
    elif total <= 30:
        by_total = 3
    elif total <= 40:
        by_total = 2
    elif total <= 50:
        by_total = 1
    else:
        by_total = 0
    worst = max(hygiene, structural, confidence)
    if worst <= 5:
        by_worst = 5
    elif worst <= 10:
        by_worst = 4
    elif worst <= 15:
        by_worst = 2
    elif worst <= 20:
        by_worst = 1
    else:
        by_worst = 0
    return min(by_total, by_worst)


# Chance that an exploitative business's management score slips one step further.
EXPLOITATIVE_EXTRA_STEP = 0.25


def draw_grade(sector: str, rng: random.Random) -> str:
    return rng.choices(_GRADES, weights=_GRADE_WEIGHTS[sector])[0]


def _worse(grade: str) -> str:
    return _GRADES[min(_GRADES.index(grade) + 1, len(_GRADES) - 1)]


def _confidence(grade: str, exploitative: bool, rng: random.Random) -> int:
    if not exploitative:
        return rng.choices(CONFIDENCE_STEPS, weights=_COMPONENT_WEIGHTS[grade][2])[0]
    step = CONFIDENCE_STEPS.index(
        rng.choices(CONFIDENCE_STEPS, weights=_COMPONENT_WEIGHTS[_worse(grade)][2])[0])
    if rng.random() < EXPLOITATIVE_EXTRA_STEP:
        step = min(step + 1, len(CONFIDENCE_STEPS) - 1)
    return CONFIDENCE_STEPS[step]


def fhrs_outcome(business_type: str, language: str, grade: str, exploitative: bool,
                 rng: random.Random) -> Outcome:
    def key(token: str) -> str:
        return f"fhrs_{token}_{language}"

    exempt_share = 0.13 if business_type == s.RETAIL_OTHER else 0.015
    roll = rng.random()
    if roll < 0.11:
        return Outcome("AwaitingInspection", key("awaitinginspection"), False, None)
    if roll < 0.11 + exempt_share:
        return Outcome("Exempt", key("exempt"), True, None)
    if roll < 0.116 + exempt_share:
        return Outcome("AwaitingPublication", key("awaitingpublication"), True, None)
    return inspected(language, grade, exploitative, rng)


def inspected(language: str, grade: str, exploitative: bool, rng: random.Random) -> Outcome:
    """The scores and 0-5 rating of one FHRS inspection of a premises of this grade."""
    weights = _COMPONENT_WEIGHTS[grade]
    hygiene = rng.choices(HYGIENE_STEPS, weights=weights[0])[0]
    structural = rng.choices(STRUCTURAL_STEPS, weights=weights[1])[0]
    confidence = _confidence(grade, exploitative, rng)
    rating = fhrs_rating(hygiene, structural, confidence)
    return Outcome(str(rating), f"fhrs_{rating}_{language}", True,
                   (hygiene, structural, confidence))


def fhis_outcome(business_type: str, grade: str, rng: random.Random) -> Outcome:
    exempt_share = 0.10 if business_type == s.RETAIL_OTHER else 0.02
    roll = rng.random()
    if roll < 0.09:
        value = "Awaiting Inspection"
    elif roll < 0.09 + exempt_share:
        value = "Exempt"
    elif roll < 0.10 + exempt_share:
        value = "Awaiting Publication"
    else:
        if grade == "bad" or (grade == "poor" and rng.random() < 0.3):
            value = "Improvement Required"
        elif grade == "good" and business_type not in (s.RETAIL_OTHER, s.SUPERMARKET) \
                and rng.random() < 0.25:
            value = "Pass and Eat Safe"
        else:
            value = "Pass"
    token = value.lower().replace(" ", "_")
    return Outcome(value, f"fhis_{token}_en-GB", value != "Awaiting Inspection", None)
