"""Great Expectations suites under expectations/ and the runner that applies them.

Each suite has a passing and a failing frame built here; the committed JSON is
checked for severity and notes; running a suite must leave expectations/ untouched.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from heyrick_dagster.quality import gx_runner  # noqa: E402
from heyrick_dagster.quality.fhrs_frames import establishments_per_authority  # noqa: E402
from heyrick_dagster.quality.gx_runner import (  # noqa: E402
    DEFAULT_EXPECTATIONS_DIR,
    SEVERITIES,
    SuiteError,
    SuiteOutcome,
    list_suites,
    load_suite_json,
    run_suite,
)

REPO = Path(__file__).resolve().parents[2]
REAL_FHRS = REPO.parent / "shared" / "data" / "fhrs"
TODAY = dt.date(2025, 6, 30)
PARAMS = {"today": TODAY}
MAIN, PER_LA, DRIFT = (
    "fhrs__establishments",
    "fhrs__establishments_per_authority",
    "fhrs__establishments_drift",
)

RATINGS = [
    ("5", "fhrs_5_en-GB"),
    ("4", "fhrs_4_cy-GB"),
    ("3", "FHRS_3_EN-GB"),
    ("2", "fhrs_2"),
    ("1", "fhrs_1_en-gb"),
    ("0", "fhrs_0_en-GB"),
    ("Exempt", "fhrs_exempt_en-GB"),
    ("AwaitingInspection", "fhrs_awaitinginspection_en-GB"),
    ("Awaiting Inspection", "fhrs_awaitinginspection_cy-GB"),
    ("AwaitingPublication", "fhrs_awaitingpublication_en-GB"),
    ("Awaiting Publication", "fhrs_AwaitingPublication_en-GB"),
    ("Pass", "fhis_pass_en-GB"),
    ("Pass and Eat Safe", "fhis_pass_and_eat_safe_en-GB"),
    ("Improvement Required", "fhis_improvement_required_en-GB"),
    ("AwaitingInspection", "fhis_awaiting_inspection_en-GB"),
    ("AwaitingPublication", "FHIS_AWAITING_PUBLICATION"),
    ("Exempt", "fhis_exempt_cy-GB"),
]
# As published: case, spacing and missing spaces vary; all are valid UK postcodes.
MESSY_POSTCODES = [
    "BD3 0EQ",
    "bd3 0eq",
    "BD30EQ",
    "  BD21 3HH ",
    "se13  6ld",
    "W1A 1AA",
    "EC1A1BB",
    "m1 1ae",
    "CR2 6XH",
    "GIR 0AA",
    "sw1a 2aa",
    "B33 8TH",
]


def _str(values) -> pd.Series:
    return pd.Series(values, dtype="str")


def _int(values) -> pd.arrays.IntegerArray:
    return pd.array(values, dtype="Int64")


def valid_establishments(per_authority: int = 30, authorities=("404", "523")) -> pd.DataFrame:
    """A frame shaped like DuckDB's .df() of raw.fhrs__establishments, every rule met."""
    n = per_authority * len(authorities)
    rng = range(n)
    rating = [RATINGS[i % len(RATINGS)] for i in rng]
    awaiting = [v.startswith("Awaiting") for v, _ in rating]
    fhis = [k.lower().startswith("fhis") for _, k in rating]
    codes = [authorities[i // per_authority] for i in rng]
    dates = [
        None if a else dt.date(2015, 1, 1) + dt.timedelta(days=37 * i)
        for i, a in enumerate(awaiting)
    ]
    return pd.DataFrame(
        {
            "fhrsid": _int([100_000 + i for i in rng]),
            "local_authority_business_id": _str([f"LA{i}" for i in rng]),
            "business_name": _str([f"Business {i}" for i in rng]),
            "business_type": _str(["Takeaway/sandwich shop"] * n),
            "business_type_id": _int([7844] * n),
            "address_line_1": _str([f"{i} High Street" for i in rng]),
            "address_line_2": _str([None] * n),
            "address_line_3": _str(["Bradford"] * n),
            "address_line_4": _str([None] * n),
            "postcode": _str([MESSY_POSTCODES[i % len(MESSY_POSTCODES)] for i in rng]),
            "rating_value": _str([v for v, _ in rating]),
            "rating_key": _str([k for _, k in rating]),
            "rating_date": pd.Series(pd.to_datetime(dates)).astype("datetime64[us]"),
            "local_authority_code": _str(codes),
            "local_authority_name": _str([f"Council {c}" for c in codes]),
            "local_authority_website": _str(["http://example.gov.uk"] * n),
            "local_authority_email_address": _str(["eh@example.gov.uk"] * n),
            "score_hygiene": _int(
                [None if a else [0, 5, 10, 15, 20, 25][i % 6] for i, a in enumerate(awaiting)]
            ),
            "score_structural": _int(
                [None if a else [0, 5, 10, 15, 20, 25][i % 6] for i, a in enumerate(awaiting)]
            ),
            "score_confidence_in_management": _int(
                [None if a else [0, 5, 10, 20, 30][i % 5] for i, a in enumerate(awaiting)]
            ),
            "scheme_type": _str(["FHIS" if f else "FHRS" for f in fhis]),
            "new_rating_pending": pd.array([False] * n, dtype="boolean"),
            "longitude": [-1.74 + i / 1000 for i in rng],
            "latitude": [53.79 + i / 1000 for i in rng],
            "right_to_reply": _str([None] * n),
            "_source_file": _str([f"FHRS{c}en-GB.xml" for c in codes]),
            "_source_row": pd.array([i % per_authority + 1 for i in rng], dtype="int64"),
            "_vintage": pd.Series(pd.to_datetime([dt.date(2025, 6, 1)] * n)).astype(
                "datetime64[us]"
            ),
        }
    )


def outcome(result: SuiteOutcome, expectation: str, column: str | None = None):
    found = [o for o in result.outcomes if o.expectation == expectation and o.column == column]
    assert len(found) == 1, (expectation, column, result.to_markdown())
    return found[0]


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    } | {str(p.relative_to(root)) + "/": "dir" for p in root.rglob("*") if p.is_dir()}


# --------------------------------------------------------------------- committed suites


def test_committed_suites_exist_with_severity_and_notes():
    assert set(list_suites()) >= {MAIN, PER_LA, DRIFT}
    for name in list_suites():
        doc = load_suite_json(name)
        assert doc["meta"].get("notes"), f"{name}: suite meta needs notes"
        for exp in doc["expectations"]:
            meta = exp["meta"]
            assert meta["severity"] in SEVERITIES, (name, exp["type"])
            assert meta.get("notes"), f"{name}/{exp['type']}: meta.notes must say why it exists"
            assert exp.get("description"), f"{name}/{exp['type']}: needs a description"
            # GX 1.24 has its own severity field; keep it in step with ours.
            assert (
                exp.get("severity", "critical")
                == {"error": "critical", "warn": "warning"}[meta["severity"]]
            ), (name, exp["type"])


def test_suite_severities_match_their_gate():
    def severities(name):
        return {e["meta"]["severity"] for e in load_suite_json(name)["expectations"]}

    assert severities(MAIN) == {"error"}
    assert severities(PER_LA) == {"error"}
    assert severities(DRIFT) == {"warn"}
    assert gx_runner.suite_parameter_names(load_suite_json(MAIN)) == {"today"}


def test_committed_suites_load_in_a_gx_file_context(tmp_path):
    import great_expectations as gx

    root = tmp_path / "expectations"
    shutil.copytree(DEFAULT_EXPECTATIONS_DIR, root, ignore=shutil.ignore_patterns("uncommitted"))
    context = gx.get_context(mode="file", context_root_dir=root)
    for name in list_suites():
        suite = context.suites.get(name)
        doc = load_suite_json(name)
        assert len(suite.expectations) == len(doc["expectations"]), name
        assert [e.meta["severity"] for e in suite.expectations] == [
            e["meta"]["severity"] for e in doc["expectations"]
        ]


def test_gitignore_keeps_generated_files_out():
    ignored = (DEFAULT_EXPECTATIONS_DIR / ".gitignore").read_text().split()
    assert "uncommitted/" in ignored
    assert (DEFAULT_EXPECTATIONS_DIR / "great_expectations.yml").is_file()


def test_malformed_suites_are_refused(tmp_path):
    (tmp_path / "expectations").mkdir()

    def write(name, expectations):
        (tmp_path / "expectations" / f"{name}.json").write_text(
            json.dumps({"name": name, "expectations": expectations})
        )

    df = pd.DataFrame({"a": [1, 2]})
    write(
        "no_severity",
        [
            {
                "id": "1",
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "a"},
                "meta": {},
            }
        ],
    )
    with pytest.raises(SuiteError, match="severity"):
        run_suite("no_severity", df, expectations_dir=tmp_path)
    # GX itself only logs and drops an expectation it cannot build.
    write(
        "unknown_type",
        [
            {
                "id": "1",
                "type": "expect_the_unexpected",
                "kwargs": {"column": "a"},
                "meta": {"severity": "error"},
            }
        ],
    )
    with pytest.raises(SuiteError, match="could not build"):
        run_suite("unknown_type", df, expectations_dir=tmp_path)
    with pytest.raises(SuiteError, match="no suite"):
        run_suite("absent", df, expectations_dir=tmp_path)
    with pytest.raises(SuiteError, match="not a valid suite name"):
        run_suite("../great_expectations", df, expectations_dir=tmp_path)


# --------------------------------------------------------------------- fhrs__establishments


def test_main_suite_passes_on_valid_frame():
    result = run_suite(MAIN, valid_establishments(), PARAMS)
    assert result.success, result.to_markdown()
    assert result.failures() == []
    assert len(result.outcomes) == len(load_suite_json(MAIN)["expectations"])
    assert all(o.severity == "error" for o in result.outcomes)
    # Outcomes come back in the suite's order (GX's own order differs).
    assert [o.expectation for o in result.outcomes] == [
        e["type"] for e in load_suite_json(MAIN)["expectations"]
    ]


def _frames_of(rows: int) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, pd.DataFrame) and len(o) == rows)


def test_a_validated_frame_is_released_once_its_suite_has_run():
    # GX's global project context kept the last frame validated (on a national run, the
    # 5.4M-row PSC table in pandas) alive into the steps that followed.
    frame = pd.concat([valid_establishments()] * 7, ignore_index=True)
    frame["fhrsid"] = range(len(frame))
    rows = len(frame)
    run_suite(MAIN, frame, PARAMS)
    del frame
    assert _frames_of(rows) == 0


def test_main_suite_needs_today():
    with pytest.raises(SuiteError, match="today"):
        run_suite(MAIN, valid_establishments())


def test_duplicate_fhrsid_fails_and_names_the_id():
    df = valid_establishments()
    df.loc[5, "fhrsid"] = df.loc[9, "fhrsid"]
    result = run_suite(MAIN, df, PARAMS)
    assert not result.success
    unique = outcome(result, "expect_column_values_to_be_unique", "fhrsid")
    assert not unique.success
    assert unique.examples == [100_009]
    assert unique.unexpected_count == 2
    assert unique.description.startswith("fhrsid must be unique: 1 duplicated value (2 rows,")
    assert [o.column for o in result.failures("error")] == ["fhrsid"]


def test_null_fhrsid_fails():
    df = valid_establishments()
    df.loc[3, "fhrsid"] = pd.NA
    result = run_suite(MAIN, df, PARAMS)
    assert not outcome(result, "expect_column_values_to_not_be_null", "fhrsid").success
    assert not result.success


def test_unknown_rating_value_fails():
    df = valid_establishments()
    df.loc[7, "rating_value"] = "6"
    df.loc[8, "rating_value"] = "Awaiting inspection "
    result = run_suite(MAIN, df, PARAMS)
    o = outcome(result, "expect_column_values_to_be_in_set", "rating_value")
    assert not o.success and o.unexpected_count == 2
    assert set(o.examples) == {"6", "Awaiting inspection "}
    assert "fhrsid 100007, 100008" in o.description
    assert not result.success


@pytest.mark.parametrize(
    "bad_key",
    ["fhrs_6_en-GB", "fhrs_5_fr-FR", "fhis_5_en-GB", "fhrs_pass_en-GB", "fhrs_5_en-GB.jpg"],
)
def test_rating_key_outside_vocabulary_fails(bad_key):
    df = valid_establishments()
    df.loc[11, "rating_key"] = bad_key
    result = run_suite(MAIN, df, PARAMS)
    o = outcome(result, "expect_column_values_to_match_regex", "rating_key")
    assert not o.success and o.examples == [bad_key]
    assert not result.success


def test_rating_date_after_today_fails_and_today_itself_passes():
    df = valid_establishments()
    df.loc[0, "rating_date"] = pd.Timestamp(TODAY)
    assert outcome(
        run_suite(MAIN, df, PARAMS), "expect_column_values_to_be_between", "rating_date"
    ).success
    df.loc[1, "rating_date"] = pd.Timestamp(TODAY + dt.timedelta(days=1))
    result = run_suite(MAIN, df, PARAMS)
    o = outcome(result, "expect_column_values_to_be_between", "rating_date")
    assert not o.success
    assert o.examples == ["2025-07-01"]
    assert "above the maximum of 2025-06-30" in o.description
    assert not result.success
    # The same frame passes with a later run date: the bound really is the parameter.
    assert run_suite(MAIN, df, {"today": TODAY + dt.timedelta(days=1)}).success


def test_python_date_columns_are_compared_too_and_the_frame_is_not_changed():
    df = valid_establishments()
    df["rating_date"] = pd.Series(
        [None if pd.isna(v) else v.date() for v in df["rating_date"]], dtype=object
    )
    df.loc[2, "rating_date"] = dt.date(2030, 1, 1)
    before = df.copy()
    result = run_suite(MAIN, df, PARAMS)
    o = outcome(result, "expect_column_values_to_be_between", "rating_date")
    assert not o.success and o.examples == ["2030-01-01"], o.description
    pd.testing.assert_frame_equal(df, before)


def test_messy_but_valid_postcodes_pass():
    df = valid_establishments()
    df.loc[::4, "postcode"] = None  # missing postcodes are the drift suite's business
    result = run_suite(MAIN, df, PARAMS)
    o = outcome(result, "expect_column_values_to_match_regex", "postcode")
    assert o.success and o.unexpected_count == 0, o.description


def test_a_few_garbage_postcodes_pass_but_ten_percent_fail():
    df = valid_establishments(per_authority=50)  # 100 rows
    df.loc[:3, "postcode"] = ["N/A", "BD3", "12345", "unknown"]  # 4%: within mostly=0.95
    o = outcome(run_suite(MAIN, df, PARAMS), "expect_column_values_to_match_regex", "postcode")
    assert o.success and o.unexpected_count == 4

    df.loc[:9, "postcode"] = [f"garbage {i}" for i in range(10)]  # 10%
    result = run_suite(MAIN, df, PARAMS)
    o = outcome(result, "expect_column_values_to_match_regex", "postcode")
    assert not o.success
    assert o.unexpected_count == 10
    assert o.examples == [f"garbage {i}" for i in range(10)]
    assert "10.00% of non-empty values fail" in o.description
    assert not result.success


@pytest.mark.parametrize(
    "column, bad",
    [("score_hygiene", 30), ("score_structural", 7), ("score_confidence_in_management", 15)],
)
def test_scores_outside_their_sets_fail(column, bad):
    df = valid_establishments()
    df.loc[1, column] = bad
    result = run_suite(MAIN, df, PARAMS)
    o = outcome(result, "expect_column_values_to_be_in_set", column)
    assert not o.success and o.examples == [bad]
    assert not result.success


def test_missing_local_authority_code_fails_naming_the_establishment():
    df = valid_establishments()
    df.loc[4, "local_authority_code"] = None
    result = run_suite(MAIN, df, PARAMS)
    o = outcome(result, "expect_column_values_to_not_be_null", "local_authority_code")
    assert not o.success
    assert o.examples == [100_004]  # the values are all null, so the rows' fhrsid
    assert "(fhrsid 100004)" in o.description


def test_empty_frame_fails_the_row_count_floor():
    result = run_suite(MAIN, valid_establishments().iloc[0:0], PARAMS)
    o = outcome(result, "expect_table_row_count_to_be_between")
    assert not o.success and o.observed == 0
    assert not result.success


def test_missing_column_is_a_failure_not_a_crash():
    result = run_suite(MAIN, valid_establishments().drop(columns=["rating_key"]), PARAMS)
    o = outcome(result, "expect_column_values_to_match_regex", "rating_key")
    assert not o.success
    assert "could not be evaluated" in o.description and "rating_key" in o.description
    assert not result.success


def test_frame_from_duckdb_passes():
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    con.register("src", valid_establishments())
    df = con.sql("select * from src").df()
    result = run_suite(MAIN, df, PARAMS)
    assert result.success, result.to_markdown()


# --------------------------------------------------------------------- per authority


def test_per_authority_frame_counts_each_authority():
    df = valid_establishments(per_authority=25, authorities=("404", "523", "878"))
    frame = establishments_per_authority(df)
    assert list(frame.columns) == ["local_authority_code", "establishments"]
    assert frame["local_authority_code"].tolist() == ["404", "523", "878"]
    assert frame["establishments"].tolist() == [25, 25, 25]
    result = run_suite(PER_LA, frame)
    assert result.success, result.to_markdown()


def test_a_five_row_authority_fails_the_floor():
    df = pd.concat(
        [valid_establishments(per_authority=25), valid_establishments(5, authorities=("999",))],
        ignore_index=True,
    )
    result = run_suite(PER_LA, establishments_per_authority(df))
    assert not result.success
    o = outcome(result, "expect_column_values_to_be_between", "establishments")
    assert not o.success and o.examples == [5] and o.unexpected_count == 1
    assert "(local_authority_code 999)" in o.description
    assert "below the minimum of 20" in o.description


def test_no_authorities_fails():
    result = run_suite(PER_LA, establishments_per_authority(valid_establishments().iloc[0:0]))
    assert not result.success


# --------------------------------------------------------------------- drift (warn)


def test_drift_suite_passes_on_valid_frame():
    result = run_suite(DRIFT, valid_establishments())
    assert result.success and result.failures() == [], result.to_markdown()
    assert all(o.severity == "warn" for o in result.outcomes)


def test_drift_failures_warn_but_do_not_fail_the_suite():
    df = valid_establishments(per_authority=50)  # 100 rows
    df.loc[:59, "longitude"] = None  # 40% geocoded
    df.loc[:29, "postcode"] = None  # 70% with a postcode
    df["rating_date"] = pd.NaT  # none dated
    result = run_suite(DRIFT, df)
    assert result.success  # warn failures never fail the suite
    warned = result.failures("warn")
    assert {o.column for o in warned} == {"longitude", "postcode", "rating_date"}
    assert result.failures("error") == []
    lon = outcome(result, "expect_column_values_to_not_be_null", "longitude")
    assert lon.description.startswith(
        "a geocode (longitude) should be present for at least 50% of establishments: "
        "40.00% present (60 of 100 missing)"
    )
    assert "WARN" in result.to_markdown()


def test_row_count_ceiling_warns():
    # One cheap column is enough for the table-level check; the column checks then
    # fail to evaluate, which for this suite is a warning too.
    big = pd.DataFrame({"fhrsid": pd.RangeIndex(1_500_001)})
    result = run_suite(DRIFT, big)
    assert result.success
    o = outcome(result, "expect_table_row_count_to_be_between")
    assert not o.success and o.observed == 1_500_001
    assert "1,500,001 rows, expected at most 1,500,000" in o.description


# --------------------------------------------------------------------- reporting / purity


def test_failures_filter_and_markdown():
    df = valid_establishments()
    df.loc[5, "fhrsid"] = df.loc[9, "fhrsid"]
    df.loc[6, "rating_value"] = "bad | value"
    result = run_suite(MAIN, df, PARAMS)
    assert len(result.failures()) == len(result.failures("error")) == 2
    assert result.failures("warn") == []
    with pytest.raises(ValueError):
        result.failures("fatal")
    md = result.to_markdown()
    lines = md.strip().splitlines()
    assert lines[0].startswith("**fhrs__establishments: FAILED (2 of 11 error checks failed)")
    assert lines[2] == "| result | severity | expectation | column | observed | detail |"
    assert len(lines) == 4 + len(result.outcomes)
    # Six cells on every row: a pipe inside a value is escaped.
    assert all(line.replace("\\|", "").count("|") == 7 for line in lines[4:])
    assert "'bad \\| value'" in md
    json.dumps(result.to_dict())  # kept for the quality report: must serialise


def test_running_suites_writes_nothing_under_expectations(tmp_path):
    before = tree_digest(DEFAULT_EXPECTATIONS_DIR)
    cwd_before = set(Path.cwd().iterdir())
    df = valid_establishments()
    run_suite(MAIN, df, PARAMS)
    run_suite(PER_LA, establishments_per_authority(df))
    run_suite(DRIFT, df)
    assert tree_digest(DEFAULT_EXPECTATIONS_DIR) == before
    assert set(Path.cwd().iterdir()) == cwd_before  # no stray gx/ folder either


# --------------------------------------------------------------------- real data


def parse_fhrs_xml(path: Path) -> pd.DataFrame:
    """Minimal reader for the columns the suites look at (the real parser is sources/fhrs.py)."""
    fields = {
        "FHRSID": "fhrsid",
        "PostCode": "postcode",
        "RatingValue": "rating_value",
        "RatingKey": "rating_key",
        "RatingDate": "rating_date",
        "LocalAuthorityCode": "local_authority_code",
        "Hygiene": "score_hygiene",
        "Structural": "score_structural",
        "ConfidenceInManagement": "score_confidence_in_management",
        "Longitude": "longitude",
        "Latitude": "latitude",
    }
    rows = []
    for _, el in ET.iterparse(path):
        if el.tag == "EstablishmentDetail":
            row = dict.fromkeys(fields.values())
            for child in el.iter():
                if child.tag in fields:
                    row[fields[child.tag]] = (child.text or "").strip() or None
            rows.append(row)
            el.clear()
    df = pd.DataFrame(rows, columns=list(fields.values()))
    for col in ("fhrsid", "score_hygiene", "score_structural", "score_confidence_in_management"):
        df[col] = pd.to_numeric(df[col]).astype("Int64")
    for col in ("longitude", "latitude"):
        df[col] = pd.to_numeric(df[col]).astype("float64")
    df["rating_date"] = pd.to_datetime(df["rating_date"]).astype("datetime64[us]")
    for col in ("postcode", "rating_value", "rating_key", "local_authority_code"):
        df[col] = df[col].astype("str")
    return df


@pytest.mark.real_data
@pytest.mark.skipif(not REAL_FHRS.is_dir(), reason=f"{REAL_FHRS} is absent")
def test_suites_pass_on_the_recorded_real_files():
    files = sorted(REAL_FHRS.glob("FHRS*.xml"))
    if not files:
        pytest.skip(f"no FHRS*.xml in {REAL_FHRS}")
    df = pd.concat([parse_fhrs_xml(f) for f in files], ignore_index=True)
    assert len(df) > 1000
    started = time.perf_counter()
    main = run_suite(MAIN, df, {"today": dt.date.today()})
    elapsed = time.perf_counter() - started
    assert main.success, main.to_markdown()
    per_la = run_suite(PER_LA, establishments_per_authority(df))
    assert per_la.success, per_la.to_markdown()
    drift = run_suite(DRIFT, df)
    assert drift.failures() == [], drift.to_markdown()
    assert elapsed < 30, f"run_suite took {elapsed:.1f}s on {len(df)} rows"


def test_a_suite_is_given_only_the_columns_it_reads_and_those_its_failures_name():
    df = valid_establishments().assign(unread=1)
    doc = load_suite_json(MAIN)
    read = {e["kwargs"]["column"] for e in doc["expectations"] if "column" in e["kwargs"]}
    checked = gx_runner._columns_read(df, doc, ["fhrsid"])
    assert set(checked.columns) == read | {"fhrsid"}
    assert "unread" not in checked.columns
    with_condition = {
        "expectations": [{"kwargs": {"column": "fhrsid", "row_condition": 'rating_value=="5"'}}]
    }
    assert gx_runner._columns_read(df, with_condition, []) is df


def test_dates_from_polars_are_compared_in_nanoseconds_and_far_dates_still_compared():
    df = valid_establishments()
    df.loc[2, "rating_date"] = pd.Timestamp(2030, 1, 1)
    df["rating_date"] = df["rating_date"].astype("datetime64[ms]")  # as polars hands them over
    assert gx_runner._dates_as_datetime64(df)["rating_date"].dtype == "datetime64[ns]"
    o = outcome(run_suite(MAIN, df, PARAMS), "expect_column_values_to_be_between", "rating_date")
    assert not o.success and o.examples == ["2030-01-01"], o.description
    # A placeholder past 2262 does not fit in nanoseconds: the column is compared as it is.
    df["rating_date"] = df["rating_date"].where(df.index != 2, pd.Timestamp("9999-12-31"))
    assert gx_runner._dates_as_datetime64(df)["rating_date"].dtype == "datetime64[ms]"
    o = outcome(run_suite(MAIN, df, PARAMS), "expect_column_values_to_be_between", "rating_date")
    assert not o.success and o.unexpected_count == 1
