"""analysis/marts.read_marts: what the analysis reads of the warehouse."""

from __future__ import annotations

import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.analysis.marts import read_marts


def _warehouse(tmp_path, with_optional: bool = True):
    path = tmp_path / "heyrick.duckdb"
    tables = {
        "dim_premises": pl.DataFrame({"fhrsid": [2, 1], "business_id": ["B1", None]}),
        "dim_companies": pl.DataFrame(
            {"company_number": ["C1", "C2", "C3"], "business_id": ["B1", None, "B2"]}
        ),
        "fct_enforcement_events": pl.DataFrame({"event_key": ["e2", "e1"]}),
        "fct_event_premises": pl.DataFrame({"event_key": ["e1"], "fhrsid": [1]}),
    }
    if with_optional:
        tables["fct_company_controls"] = pl.DataFrame(
            {
                "company_number": ["C2", "C1", "C2", "C3"],
                "controller_id": ["p1", "p1", "p2", "p3"],
            }
        )
        tables["fct_premises_ratings"] = pl.DataFrame({"fhrsid": [1]})
    for name, frame in tables.items():
        warehouse.replace_table(path, "marts", name, frame)
    return path


def test_only_the_controls_of_people_controlling_a_premises_company_are_read(tmp_path):
    # p1 controls C1, a company of premises 2's business: all p1's controls are read (its
    # other companies are what the controller indicators count). p2 and p3 control no
    # company of a premises' business (C3's business has no premises).
    controls = read_marts(_warehouse(tmp_path))["fct_company_controls"]
    assert controls.rows() == [("C1", "p1"), ("C2", "p1")]


def test_tables_are_read_in_one_order_and_absent_optional_sources_are_left_out(tmp_path):
    tables = read_marts(_warehouse(tmp_path, with_optional=False))
    assert sorted(tables) == [
        "dim_companies",
        "dim_premises",
        "fct_enforcement_events",
        "fct_event_premises",
    ]
    assert tables["dim_premises"]["fhrsid"].to_list() == [1, 2]
    assert tables["fct_enforcement_events"]["event_key"].to_list() == ["e1", "e2"]
