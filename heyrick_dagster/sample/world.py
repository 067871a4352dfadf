"""The contract between the synthetic universe and the per-source sample writers.

`build_world(seed, scale)` (heyrick_dagster/sample/world_builder.py) creates one
coherent latent world: places, businesses, their premises and companies, the
people behind them, and the enforcement that found some of them. Each source's
sample writer (`heyrick_dagster/sample/writers/<source>.py`) turns the tables
below into that source's official published format, adding its own noise.

Every table is a polars DataFrame with exactly the columns and types listed
here; `validate_world` checks that. Writers read only these tables, never
each other's output, so sources can be written independently.

Naming: codes are official-format codes (synthetic values): FSA authority
codes ("523"), ONS GSS codes ("E09000023"), LSOA 2011 codes ("E01000001"),
police force area codes ("E23000001"). Nothing in the world is a real
business or person.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    # One local authority in scope.
    "authorities": {
        "fsa_code": pl.String,  # FSA LocalAuthorityCode, e.g. "523"
        "name": pl.String,  # "Lewisham"
        "gss_code": pl.String,  # ONS LAD code, e.g. "E09000023"
        "country": pl.String,  # England | Wales | Scotland
        "region": pl.String,  # e.g. "London", "Yorkshire and The Humber"
        "county": pl.String,  # the county or region a published address ends in
        "pfa_code": pl.String,  # police force area GSS code, e.g. "E23000001"
        "pfa_name": pl.String,  # "Metropolitan Police"
        # How hard immigration and wage inspectors look here (1.0 = average):
        # penalties show where inspectors went as much as where exploitation is.
        "enforcement_intensity": pl.Float64,
    },
    # One LSOA (2011) or Scottish data zone.
    "lsoas": {
        "lsoa_code": pl.String,
        "lsoa_name": pl.String,  # "Lewisham 001A"
        "gss_code": pl.String,  # its local authority
        "imd_rank": pl.Int64,  # 1 = most deprived; England only, null elsewhere
        "imd_decile": pl.Int64,
        "imd_score": pl.Float64,
        "income_score": pl.Float64,  # IoD domain scores (File 7)
        "employment_score": pl.Float64,
        "population": pl.Int64,
        "working_age_population": pl.Int64,
    },
    # One postcode unit, live or terminated.
    "postcodes": {
        "postcode": pl.String,  # canonical "SE13 6JG"
        "lsoa_code": pl.String,
        "gss_code": pl.String,
        "pfa_code": pl.String,
        "latitude": pl.Float64,
        "longitude": pl.Float64,
        "introduced": pl.Date,  # first of the month
        "terminated": pl.Date,  # null when live
        "usertype": pl.Int64,  # 0 small user, 1 large user
    },
    # One latent business (the entity every source's records belong to).
    "businesses": {
        "entity_id": pl.String,  # "B000123"
        "sector": pl.String,  # hot_food_takeaway | convenience_store | restaurant_cafe | other
        "trading_name": pl.String,  # the name on the shop front
        "legal_form": pl.String,  # company | sole_trader | partnership
        "gss_code": pl.String,  # where it trades
        "n_premises": pl.Int64,
        "phoenix": pl.Boolean,  # a company dissolved and re-incorporated at the same address
        "recent_incorporation": pl.Boolean,  # current company incorporated < 2 years before
        "shared_officers": pl.Boolean,  # an officer sits on 3+ small food companies
        "exploitation_propensity": pl.Float64,  # 0-1, the latent risk
        "exploitative": pl.Boolean,
    },
    # One FHRS establishment (as the FHRS writer already produces it).
    "premises": {
        "fhrsid": pl.String,
        "entity_id": pl.String,
        "sector": pl.String,
        "fsa_code": pl.String,
        "business_name": pl.String,  # as published (may be trading name or company name)
        "address_line_1": pl.String,
        "postcode": pl.String,  # canonical or null
        "lsoa_code": pl.String,
        "score_confidence_in_management": pl.Int64,  # null when unrated
        "rating_numeric": pl.Int64,  # 0-5, null when not rated / FHIS
        # Added for the FHRS writer (everything else an EstablishmentDetail prints):
        "la_business_id": pl.String,  # LocalAuthorityBusinessID, unique within the authority
        "business_type": pl.String,  # FSA BusinessType, e.g. "Takeaway/sandwich shop"
        "address_line_2": pl.String,  # AddressLine2-4 as published; null when absent
        "address_line_3": pl.String,
        "address_line_4": pl.String,
        "postcode_published": pl.String,  # as the officer typed it (case, spacing); null when none
        "rating_value": pl.String,  # "0"-"5", "Exempt", "AwaitingInspection", "Pass", ...
        "rating_key": pl.String,  # e.g. "fhrs_5_en-GB", "fhrs_5_cy-GB", "fhis_pass_en-GB"
        "rating_date": pl.Date,  # null when never rated (AwaitingInspection)
        "score_hygiene": pl.Int64,  # points lost; null with the other scores
        "score_structural": pl.Int64,
        "new_rating_pending": pl.Boolean,
        "latitude": pl.Float64,  # WGS84 as geocoded; null when the register has no geocode
        "longitude": pl.Float64,
    },
    # An earlier FHRS inspection of a 0-5-rated premises (the latest one is in `premises`);
    # the FSA publishes only the latest, so these reach only the earlier copies of its files.
    "inspections": {
        "fhrsid": pl.String,
        "rating_date": pl.Date,
        "rating_value": pl.String,  # "0"-"5"
        "rating_key": pl.String,  # e.g. "fhrs_3_en-GB"
        "score_hygiene": pl.Int64,
        "score_structural": pl.Int64,
        "score_confidence_in_management": pl.Int64,
    },
    # One company on the Companies House register (in or out of the FHRS world).
    "companies": {
        "company_number": pl.String,  # 8 chars, leading zeros / prefixes (SC, NI, OC)
        "company_name": pl.String,  # registered name, e.g. "GOLDEN KEBAB HOUSE LTD"
        # null for companies that run no premises in the world; a phoenix's dissolved
        # predecessor carries the id of the business it ran too
        "entity_id": pl.String,
        # "Private Limited Company", "Limited Liability Partnership", ...
        "company_category": pl.String,
        # "Active", "Dissolved", "Liquidation", "Active - Proposal to Strike off"
        "company_status": pl.String,
        "incorporation_date": pl.Date,
        "dissolution_date": pl.Date,
        "reg_address_line_1": pl.String,
        "reg_address_line_2": pl.String,
        "reg_post_town": pl.String,
        "reg_postcode": pl.String,  # canonical; may be an accountant's office, elsewhere
        "reg_at_accountant": pl.Boolean,
        "sic_codes": pl.List(pl.String),  # e.g. ["56103"]; 1-4 codes
        "previous_company_number": pl.String,  # the dissolved predecessor of a phoenix
    },
    # A person behind companies (names and birth dates: personal data, written only to the
    # PSC sample and pseudonymised at ingest by sources/psc.py).
    "people": {
        "person_id": pl.String,
        "name": pl.String,  # "SURNAME, Forename"
        "birth_year": pl.Int64,
        "birth_month": pl.Int64,
        "nationality": pl.String,
    },
    "officers": {
        "company_number": pl.String,
        "person_id": pl.String,
        "role": pl.String,  # director | secretary | psc
        "appointed_on": pl.Date,
        "resigned_on": pl.Date,
    },
    # An enforcement event: an illegal-working civil penalty or an NMW naming.
    "events": {
        "event_id": pl.String,
        "entity_id": pl.String,
        "source": pl.String,  # illegal_working | nmw_naming
        # "<period>#<n>": the publication and the 1-based row in it; rows are numbered
        # by region, then liable party (case-insensitive), the order lists print them in
        "record_id": pl.String,
        "period": pl.String,  # illegal_working: "2024Q3"; nmw_naming: round "2024-R1"
        "event_date": pl.Date,  # when the penalty was issued / the naming published
        "liable_party": pl.String,  # as the list names it (company name or a person)
        "trading_name": pl.String,
        "address": pl.String,  # one comma-separated string ending in county/region
        "postcode": pl.String,  # canonical or null
        "amount_gbp": pl.Float64,  # penalty (whole pounds) or arrears (pence)
        "workers": pl.Int64,  # illegal workers found / underpaid workers
    },
    # NRM referrals of potential victims, by police force area and quarter.
    "nrm_referrals": {
        "pfa_code": pl.String,
        "pfa_name": pl.String,
        "period": pl.String,  # "2025Q3"
        # Labour | Sexual | Criminal | Domestic servitude | Not specified
        "exploitation_type": pl.String,
        "age_group": pl.String,  # Adult | Child
        "referrals": pl.Int64,
    },
}


@dataclass(frozen=True)
class World:
    seed: int
    scale: str
    extract_date: str  # ISO date the sources are "published" on
    tables: dict[str, pl.DataFrame]

    def __getattr__(self, name: str) -> pl.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


def validate_world(world: World) -> None:
    """Every table is present with exactly the contract's columns and types."""
    for name, schema in SCHEMAS.items():
        if name not in world.tables:
            raise ValueError(f"world lacks table {name!r}")
        actual = dict(world.tables[name].schema)
        if actual != schema:
            raise ValueError(f"world table {name!r} schema {actual} != contract {schema}")
