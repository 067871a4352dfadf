"""A dataset assessed: publishers, rules for every table, Great Expectations failures traced
to their records, verdicts."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from heyrick_dagster.quality.gx_runner import ExpectationOutcome, SuiteOutcome
from heyrick_dagster.reports.assessment import (
    ABSENT,
    ACCURACY_ISSUES,
    BLOCKED,
    CLEAN,
    GAPS,
    assess_dataset,
    locate,
    worst,
)
from heyrick_dagster.reports.findings import Reference
from heyrick_dagster.reports.publishers import publisher_of, publishers
from heyrick_dagster.reports.rules import BY_TABLE
from heyrick_dagster.sources.registry import BY_KEY, CONNECTORS

TODAY = dt.date(2026, 11, 27)


def test_six_publishers_own_the_nine_sources():
    found = {p.slug: p.sources for p in publishers()}
    assert found == {
        "fsa": ("fhrs", "fhrs_history"),
        "companies_house": ("companies_house", "psc"),
        "home_office": ("illegal_working", "nrm"),
        "dbt": ("nmw_naming",),
        "mhclg": ("imd",),
        "ons": ("postcodes",),
    }
    assert publisher_of("nrm").name == "Home Office"


def test_every_raw_table_has_rules_over_columns_it_really_has():
    for connector in CONNECTORS:
        for table in connector.tables:
            name = connector.table_name(table)
            rules = BY_TABLE[name]
            columns = set(connector.parse([]).tables[table.name].columns)
            assert set(rules.keys) <= columns, name
            for rule in rules.rules:
                assert set(rule.columns()) <= columns, (name, rule.name)
            assert len({r.name for r in rules.rules}) == len(rules.rules), name


def _establishments(ids: list[int], postcodes: list[str | None]) -> pl.DataFrame:
    empty = BY_KEY["fhrs"].parse([]).tables["establishments"]
    rows = [
        {c: None for c in empty.columns}
        | {
            "fhrsid": fhrsid,
            "business_name": f"Shop {i}",
            "postcode": postcode,
            "rating_value": "5",
            "rating_key": "fhrs_5_en-GB",
            "rating_date": dt.date(2026, 6, 1),
            "longitude": -0.01,
            "latitude": 51.46,
            "local_authority_code": "523",
            "_source_file": "/raw/fhrs/2026-11-20/FHRS523en-GB.xml",
            "_source_row": i + 1,
            "_vintage": dt.date(2026, 11, 20),
        }
        for i, (fhrsid, postcode) in enumerate(zip(ids, postcodes, strict=True))
    ]
    return pl.DataFrame(rows, schema=empty.schema)


def test_a_failed_expectation_is_traced_to_its_records_with_file_and_row():
    frame = _establishments([7, 8, 7], ["SE13 6JG", "SE13 6JH", "SE4 1UR"])
    connector = BY_KEY["fhrs"]
    a = assess_dataset(connector, connector.tables[0], frame, Reference(TODAY), synthetic=False)
    main = next(s for s in a.suites if s.suite == "fhrs__establishments")
    assert not main.outcome.success and main.blocking
    unique = next(
        i
        for i, o in enumerate(main.outcome.outcomes)
        if o.expectation == "expect_column_values_to_be_unique"
    )
    located = main.located[unique]
    assert [(e.file, e.row, e.values["fhrsid"]) for e in located] == [
        ("FHRS523en-GB.xml", 1, 7),
        ("FHRS523en-GB.xml", 3, 7),
    ]
    assert a.verdict == BLOCKED
    # The derived per-authority frame has no records of the table to point at.
    per_authority = next(s for s in a.suites if s.suite == "fhrs__establishments_per_authority")
    assert all(loc == () for loc in per_authority.located)


def test_a_not_null_failure_is_traced_through_the_suites_id_columns():
    frame = pl.DataFrame(
        {
            "record_id": ["2024Q1#1", "2024Q1#2"],
            "liable_party": ["A Ltd", None],
            "_source_file": ["Q1.html", "Q1.html"],
            "_source_row": [4, 5],
        }
    )
    outcome = SuiteOutcome(
        "illegal_working__penalties",
        False,
        [
            ExpectationOutcome(
                "expect_column_values_to_not_be_null",
                "liable_party",
                "error",
                False,
                50.0,
                1,
                ["2024Q1#2"],
                "liable_party must be present",
            ),
            ExpectationOutcome(
                "expect_column_values_to_be_in_set", "liable_party", "error", True, 0.0, 0, [], ""
            ),
        ],
    )
    located = locate(outcome, frame, ["record_id"], keys=("record_id",))
    assert [(e.file, e.row, e.values) for e in located[0]] == [
        ("Q1.html", 5, {"record_id": "2024Q1#2", "liable_party": None})
    ]
    assert located[1] == ()


def test_verdicts_run_from_a_failed_gate_to_no_issues():
    connector = BY_KEY["fhrs"]
    table = connector.tables[0]

    def verdict(frame, **kw):
        return assess_dataset(
            connector, table, frame, Reference(TODAY), synthetic=False, run_suites=False, **kw
        ).verdict

    clean = _establishments([1], ["SE13 6JG"])
    assert verdict(clean) == GAPS, "the file is a week old: a usefulness finding"
    recent = clean.with_columns(pl.lit(TODAY).alias("_vintage"))
    assert verdict(recent) == CLEAN
    partial = _establishments([1], ["W1U"]).with_columns(pl.lit(TODAY).alias("_vintage"))
    assert verdict(partial) == ACCURACY_ISSUES
    assert verdict(clean.clear(), absent=True) == ABSENT
    assert worst([CLEAN, ABSENT, GAPS]) == GAPS and worst([ABSENT]) == ABSENT


@pytest.mark.parametrize("table", sorted(BY_TABLE))
def test_every_rule_runs_on_an_empty_table(table):
    connector = next(c for c in CONNECTORS if any(c.table_name(t) == table for t in c.tables))
    raw = next(t for t in connector.tables if connector.table_name(t) == table)
    frame = connector.parse([]).tables[raw.name]
    a = assess_dataset(connector, raw, frame, Reference(TODAY), synthetic=False, run_suites=False)
    assert len(a.findings) == len(BY_TABLE[table].rules)
    assert not any(f.is_issue for f in a.findings)
