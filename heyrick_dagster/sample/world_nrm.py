"""National Referral Mechanism referrals by police force area, quarter, exploitation type and age.

Counts follow the real national rate per head (about 10,600 referrals in 2019
rising to about 20,000 in 2025) applied to the whole force area -- the tables
count every referral in the force, also from places outside a small world --
split by age group and type in roughly the published proportions, and rise
with the exploitation prevalence of the world's businesses in the force area,
labour exploitation most of all. Rare types in small forces give counts below
5, as the published tables do.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from heyrick_dagster.sample.world_businesses import BusinessDraft
from heyrick_dagster.sample.world_places import Place
from heyrick_dagster.sample.world_random import np_rng

FIRST_YEAR, LAST_YEAR = 2019, 2025
UK_POPULATION = 67_000_000
REFERRALS_PER_YEAR = {2019: 10_600, 2020: 10_600, 2021: 12_700, 2022: 16_900, 2023: 17_000,
                      2024: 19_100, 2025: 20_000}
AGE_SHARES = {"Adult": 0.55, "Child": 0.45}
TYPE_SHARES = {
    "Adult": {"Labour": 0.37, "Sexual": 0.14, "Criminal": 0.16, "Domestic servitude": 0.07,
              "Not specified": 0.26},
    "Child": {"Labour": 0.05, "Sexual": 0.10, "Criminal": 0.57, "Domestic servitude": 0.02,
              "Not specified": 0.26},
}
# Residents of the police force areas the sample authorities lie in (mid-2020s, rounded).
FORCE_POPULATION = {"E23000001": 8_900_000, "E23000010": 2_350_000, "E23000021": 1_120_000,
                    "W15000003": 1_330_000, "S23000009": 5_450_000}
# How strongly each type follows the area's exploitation prevalence (elasticity).
PREVALENCE_ELASTICITY = {"Labour": 1.0, "Domestic servitude": 0.5, "Sexual": 0.3,
                         "Criminal": 0.3, "Not specified": 0.5}


def build_nrm(places: list[Place], population_by_gss: dict[str, int],
              drafts: list[BusinessDraft], seed: int) -> pl.DataFrame:
    rng = np_rng(seed, "nrm")
    gss_by_code = {p.code: p.facts.gss_code for p in places}
    propensity: dict[str, list[float]] = {}
    for draft in drafts:
        propensity.setdefault(gss_by_code[draft.business.la_code], []).append(
            draft.exploitation_propensity)
    overall = float(np.mean([d.exploitation_propensity for d in drafts])) if drafts else 1.0
    forces: dict[str, dict] = {}
    for place in places:
        force = forces.setdefault(place.facts.pfa_code, {"name": place.facts.pfa_name,
                                                         "population": 0, "propensity": []})
        force["population"] += population_by_gss[place.facts.gss_code]
        force["propensity"] += propensity.get(place.facts.gss_code, [])
    rows = []
    for code in sorted(forces):
        force = forces[code]
        population = max(force["population"], FORCE_POPULATION.get(code, 0))
        prevalence = (np.mean(force["propensity"]) / overall) if force["propensity"] else 1.0
        area_effect = float(np.exp(rng.normal(0.0, 0.25)))
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            per_quarter = REFERRALS_PER_YEAR[year] / 4 * population / UK_POPULATION
            for quarter in range(1, 5):
                for age, age_share in AGE_SHARES.items():
                    for kind, type_share in TYPE_SHARES[age].items():
                        mean = (per_quarter * age_share * type_share * area_effect
                                * prevalence ** PREVALENCE_ELASTICITY[kind])
                        rows.append((code, force["name"], f"{year}Q{quarter}", kind, age,
                                     int(rng.poisson(mean))))
    return pl.DataFrame(rows, schema={"pfa_code": pl.String, "pfa_name": pl.String,
                                      "period": pl.String, "exploitation_type": pl.String,
                                      "age_group": pl.String, "referrals": pl.Int64},
                        orient="row")
