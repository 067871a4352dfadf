"""Dagster wiring for linkage: the exact tiers between dbt staging and the marts."""

import dagster as dg

from heyrick_dagster import warehouse
from heyrick_dagster.linkage import exact
from heyrick_dagster.settings import Settings

LINKS_KEY = dg.AssetKey(["intermediate", "int_links__exact"])

# What each side of the cascade reads from staging (the columns exact.py documents).
INPUTS = {
    "premises": (
        "stg_fhrs__establishments",
        "record_id, business_name, postcode, postcode_district",
    ),
    "companies": (
        "stg_companies_house__companies",
        "record_id, company_name, postcode, postcode_district",
    ),
    "illegal_working": (
        "stg_illegal_working__penalties",
        "record_id, liable_party, trading_name, postcode, postcode_district",
    ),
    "nmw_naming": (
        "stg_nmw_naming__named_employers",
        "record_id, employer_name, trading_name, postcode, postcode_district",
    ),
}


@dg.asset(
    key=LINKS_KEY,
    group_name="linkage",
    kinds={"polars", "duckdb"},
    deps=[dg.AssetKey(["staging", table]) for table, _ in INPUTS.values()],
    code_version="links-exact-1",
    description="The exact tiers of the linkage cascade: the same normalised name at the same "
    "postcode (or the same district, when a list gives only that). Every link is 'accepted' "
    "with probability 1.0; probabilistic (Splink) links come in a later tier.",
)
def int_links__exact(settings: dg.ResourceParam[Settings]) -> dg.MaterializeResult:
    frames = {
        name: warehouse.query(settings.duckdb_path, f"select {columns} from staging.{table}")
        for name, (table, columns) in INPUTS.items()
    }
    links = exact.exact_links(
        frames["premises"],
        frames["companies"],
        {"illegal_working": frames["illegal_working"], "nmw_naming": frames["nmw_naming"]},
    )
    rows = warehouse.replace_table(settings.duckdb_path, "intermediate", "int_links__exact", links)
    per_type = links.group_by("left_source", "right_source", "match_rule").len().sort("len")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "links_by_rule": dg.MetadataValue.json(
                [
                    f"{r['left_source']}->{r['right_source']} {r['match_rule']}: {r['len']}"
                    for r in per_type.iter_rows(named=True)
                ]
            ),
        }
    )


assets = [int_links__exact]
