"""The JSON history per publisher, and how each figure moved since the previous run."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.reports import history
from heyrick_dagster.reports.findings import Finding
from heyrick_dagster.reports.quality import write_quality_reports
from heyrick_dagster.sources.registry import BY_KEY


def _finding(failing, total, id_="fhrs__establishments:postcode_missing") -> Finding:
    return Finding(
        id=id_,
        dataset="fhrs__establishments",
        dimension="completeness",
        category="usefulness",
        title="Postcode missing",
        column="postcode",
        failing=failing,
        total=total,
        what="",
        why="",
        fix="",
    )


def _run(findings: dict) -> dict:
    return {"generated_at": "2026-11-26T06:00:00+00:00", "figures": {"findings": findings}}


def test_change_gives_count_and_rate_movement_in_points():
    assert history.change(12, 100, 10, 100) == "+2 (+2.00 pts)"
    assert history.change(8, 100, 10, 100) == "-2 (-2.00 pts)"
    assert history.change(10, 100, 10, 100) == "unchanged"
    # Same count out of more records: the rate moved though the count did not.
    assert history.change(10, 200, 10, 100) == "+0 (-5.00 pts)"
    assert history.change(None, 0, 3, 10) == "n/a"


def test_a_finding_is_compared_with_the_same_finding_of_the_previous_run():
    previous = _run({"fhrs__establishments:postcode_missing": {"failing": 5, "total": 50}})
    assert history.finding_change(_finding(7, 50), previous) == "+2 (+4.00 pts)"
    assert history.finding_change(_finding(7, 50, id_="x:new_rule"), previous) == "new check"
    assert history.finding_change(_finding(7, 50), None) == history.NO_PREVIOUS


def test_history_keeps_the_last_runs_and_survives_a_damaged_file(tmp_path):
    path = tmp_path / "fsa.history.json"
    for i in range(5):
        history.append(path, "fsa", {"generated_at": str(i)}, keep=3)
    assert [r["generated_at"] for r in history.load(path)] == ["2", "3", "4"]
    assert json.loads(path.read_text())["publisher"] == "fsa"
    path.write_text("{not json")
    assert history.load(path) == []
    assert history.load(tmp_path / "missing.json") == []


def _establishments(postcodes: list[str | None]) -> pl.DataFrame:
    empty = BY_KEY["fhrs"].parse([]).tables["establishments"]
    rows = [
        {c: None for c in empty.columns}
        | {
            "fhrsid": i + 1,
            "business_name": f"Shop {i}",
            "postcode": pc,
            "rating_value": "5",
            "rating_key": "fhrs_5_en-GB",
            "rating_date": dt.date(2026, 1, 1),
            "local_authority_code": "523",
            "_source_file": "/raw/fhrs/2026-11-20/FHRS523en-GB.xml",
            "_source_row": i + 1,
            "_vintage": dt.date(2026, 11, 20),
        }
        for i, pc in enumerate(postcodes)
    ]
    return pl.DataFrame(rows, schema=empty.schema)


def test_the_second_report_says_how_each_figure_moved(tmp_path):
    db, out = tmp_path / "h.duckdb", tmp_path / "quality"
    first = dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.UTC)
    warehouse.replace_table(db, "raw", "fhrs__establishments", _establishments(["SE13 6JG", None]))
    write_quality_reports(db, out, mode="files", synthetic=False, now=first, build_docs=False)
    assert "there is no earlier run to compare with" in (out / "fsa.md").read_text()

    warehouse.replace_table(
        db, "raw", "fhrs__establishments", _establishments(["SE13 6JG", None, None, "SE13 6JH"])
    )
    run = write_quality_reports(
        db, out, mode="files", synthetic=False, now=first + dt.timedelta(days=1), build_docs=False
    )
    text = (out / "fsa.md").read_text()
    assert "against the previous report of 2026-11-26T06:00:00+00:00" in text
    row = next(line for line in text.splitlines() if line.startswith("| [Postcode missing]"))
    assert row.endswith("| 2 | 4 | 50.00% | +1 |"), row  # 1 of 2 before: same rate
    row_count = next(line for line in text.splitlines() if "the extract must contain" in line)
    assert row_count.endswith("| 2 → 4 |"), row_count
    saved = history.load(out / "fsa.history.json")
    assert len(saved) == 2
    assert saved[-1]["figures"]["findings"]["fhrs__establishments:postcode_missing"] == {
        "failing": 2,
        "total": 4,
    }
    assert saved[-1]["figures"]["datasets"]["fhrs__establishments"]["rows"] == 4
    assert [w.report.publisher.slug for w in run.reports] == ["fsa"]
