"""Each kind of finding on tiny hand-made frames: a failing and a passing case, and the
failing records named by their file and row."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from heyrick_dagster.reports.findings import (
    ACCURACY,
    CONSISTENCY,
    USEFULNESS,
    Contradiction,
    Duplicated,
    FileAge,
    LsoaNotRanked,
    Missing,
    OlderThan,
    OutOfRange,
    Pattern,
    PostcodeDirectory,
    PostcodeFormat,
    PostcodeNotCanonical,
    PostcodeTerminated,
    PostcodeUnknown,
    Reference,
    evaluate,
)

TODAY = dt.date(2026, 11, 27)
VINTAGE = dt.date(2026, 11, 20)
TEXT = {"title": "t", "problem": "fail", "why": "why", "fix": "fix"}


def records(**columns) -> pl.DataFrame:
    """Published records from two files, rows numbered as a parser numbers them."""
    n = len(next(iter(columns.values())))
    files = ["/data/raw/x/2026-11-20/A.xml"] * ((n + 1) // 2) + ["/data/raw/x/2026-11-20/B.xml"] * (
        n // 2
    )
    return pl.DataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            **columns,
            "_source_file": files,
            "_source_row": [i + 1 for i in range(n)],
            "_vintage": [VINTAGE] * n,
        }
    )


def run(rule, frame, ref=None):
    return evaluate(
        rule, frame, dataset="x__t", noun="records", keys=("id",), ref=ref or Reference(TODAY)
    )


def test_missing_counts_null_blank_and_placeholder_values_and_names_their_rows():
    frame = records(sic=["56103 - Take-away", None, "  ", "None Supplied"])
    finding = run(
        Missing(name="sic_missing", column="sic", blanks=("None Supplied",), **TEXT), frame
    )
    assert (finding.failing, finding.total) == (3, 4)
    assert finding.category == USEFULNESS and finding.dimension == "completeness"
    assert [(e.file, e.row) for e in finding.examples] == [("A.xml", 2), ("B.xml", 3), ("B.xml", 4)]
    assert finding.examples[0].values == {"id": "r1", "sic": None}
    assert finding.by_file == (("B.xml", 2), ("A.xml", 1))
    assert finding.id == "x__t:sic_missing"
    assert "3 of 4 records (75.00%) fail." == finding.what


def test_missing_passes_when_every_value_is_present():
    finding = run(Missing(name="m", column="sic", **TEXT), records(sic=["a", "b"]))
    assert (finding.failing, finding.total, finding.examples) == (0, 2, ())
    assert not finding.is_issue


def test_postcode_format_fails_a_partial_postcode_but_not_spacing_or_case():
    frame = records(postcode=["W1U", "se136jg", " SE13  6JG ", None])
    finding = run(PostcodeFormat(name="p", column="postcode", **TEXT), frame)
    assert (finding.failing, finding.total) == (1, 3)
    assert [(e.file, e.row, e.values["postcode"]) for e in finding.examples] == [
        ("A.xml", 1, "W1U")
    ]
    assert finding.category == ACCURACY


def test_postcode_format_may_accept_a_bare_district():
    frame = records(postcode=["SE13", "SE13 6JG"])
    rule = PostcodeFormat(name="p", column="postcode", allow_district=True, **TEXT)
    assert run(rule, frame).failing == 0
    assert run(PostcodeFormat(name="p", column="postcode", **TEXT), frame).failing == 1


def test_postcode_written_another_way_is_a_usefulness_finding_and_standard_form_passes():
    frame = records(postcode=["se136jg", "SE13 6JG", "W1U", "SE136JG"])
    finding = run(PostcodeNotCanonical(name="c", column="postcode", **TEXT), frame)
    # "W1U" is not a postcode at all: PostcodeFormat's business, not this rule's.
    assert (finding.failing, finding.total) == (2, 3)
    assert [e.values["postcode"] for e in finding.examples] == ["se136jg", "SE136JG"]
    assert finding.category == USEFULNESS
    assert (
        run(
            PostcodeNotCanonical(name="c", column="postcode", **TEXT),
            records(postcode=["SE13 6JG"]),
        ).failing
        == 0
    )


def test_pattern_fails_values_outside_the_published_form():
    frame = records(number=["01234567", "1234", None])
    rule = Pattern(name="n", column="number", regex=r"^\d{8}$", **TEXT)
    finding = run(rule, frame)
    assert (finding.failing, finding.total) == (1, 2)
    assert (finding.examples[0].row, finding.examples[0].values["number"]) == (2, "1234")
    assert run(rule, records(number=["01234567"])).failing == 0


def test_out_of_range_compares_with_the_records_own_file_date():
    frame = records(rated=[dt.date(2026, 11, 21), dt.date(2026, 11, 20), dt.date(2009, 5, 1)])
    after = OutOfRange(name="a", column="rated", high=pl.col("_vintage"), **TEXT)
    finding = run(after, frame)
    assert (finding.failing, finding.total) == (1, 3)
    assert (finding.examples[0].file, finding.examples[0].row) == ("A.xml", 1)
    before = OutOfRange(name="b", column="rated", low=dt.date(2010, 1, 1), **TEXT)
    assert run(before, frame).failing == 1
    assert run(after, records(rated=[VINTAGE])).failing == 0


def test_duplicated_key_names_every_record_sharing_it():
    frame = records(key=["a", "b", "a", None])
    finding = run(Duplicated(name="d", column="key", key=("key",), **TEXT), frame)
    assert (finding.failing, finding.total) == (2, 3)
    assert [(e.file, e.row) for e in finding.examples] == [("A.xml", 1), ("B.xml", 3)]
    assert finding.dimension == "uniqueness"
    assert (
        run(
            Duplicated(name="d", column="key", key=("key",), **TEXT), records(key=["a", "b"])
        ).failing
        == 0
    )


def test_older_than_measures_age_at_the_files_date():
    frame = records(rated=[dt.date(2023, 11, 19), dt.date(2023, 11, 21), None])
    finding = run(OlderThan(name="o", column="rated", days=3 * 365 + 1, **TEXT), frame)
    assert (finding.failing, finding.total) == (1, 2)
    assert finding.examples[0].values == {
        "id": "r0",
        "rated": dt.date(2023, 11, 19),
        "_vintage": VINTAGE,
    }
    assert finding.dimension == "timeliness"


def test_file_age_flags_each_old_file_once_in_its_examples():
    frame = records(x=[1, 2, 3, 4])
    finding = run(FileAge(name="f", days=5, **TEXT), frame)  # 7 days old
    assert (finding.failing, finding.total) == (4, 4)
    assert [(e.file, e.row) for e in finding.examples] == [("A.xml", 1), ("B.xml", 3)]
    assert run(FileAge(name="f", days=7, **TEXT), frame).failing == 0


def test_file_age_of_a_series_of_instalments_judges_the_newest_file_only():
    frame = records(x=[1, 2, 3]).with_columns(
        pl.Series("_vintage", [dt.date(2020, 3, 31), dt.date(2026, 9, 30), dt.date(2026, 9, 30)])
    )
    rule = FileAge(name="f", days=120, newest_only=True, **TEXT)
    finding = run(rule, frame)  # the newest list is 58 days old: in time
    assert (finding.failing, finding.total) == (0, 2)
    stale = frame.with_columns(pl.lit(dt.date(2026, 6, 30)).alias("_vintage"))
    finding = run(rule, stale)
    assert (finding.failing, finding.total) == (3, 3)
    assert finding.what.startswith("3 of 3 records in the newest file")


DIRECTORY = PostcodeDirectory.from_raw(
    pl.DataFrame(
        {
            "postcode": ["SE13 6JG", "SE13 6JH", "SE8 3DX"],
            "terminated": [None, None, dt.date(2015, 1, 1)],
        }
    )
)


def test_postcode_unknown_to_the_directory_is_judged_only_in_sectors_it_covers():
    frame = records(postcode=["se13 6jg", "SE13 6ZZ", "M1 1AA", "W1U", None])
    finding = run(
        PostcodeUnknown(name="u", column="postcode", **TEXT), frame, Reference(TODAY, DIRECTORY)
    )
    # M1 1AA is in a sector the directory does not hold: out of its reach, not unknown.
    assert (finding.failing, finding.total) == (1, 2)
    assert [(e.file, e.row, e.values["postcode"]) for e in finding.examples] == [
        ("A.xml", 2, "SE13 6ZZ")
    ]
    assert finding.dimension == CONSISTENCY and finding.category == ACCURACY
    known = records(postcode=["SE13 6JH"])
    assert (
        run(
            PostcodeUnknown(name="u", column="postcode", **TEXT), known, Reference(TODAY, DIRECTORY)
        ).failing
        == 0
    )


def test_postcode_terminated_in_the_directory_is_named():
    frame = records(postcode=["SE8 3DX", "SE13 6JG", "SE99 9ZZ"])
    finding = run(
        PostcodeTerminated(name="t", column="postcode", **TEXT), frame, Reference(TODAY, DIRECTORY)
    )
    assert (finding.failing, finding.total) == (1, 2)
    assert (finding.examples[0].file, finding.examples[0].row) == ("A.xml", 1)
    live = records(postcode=["SE13 6JG"])
    assert (
        run(
            PostcodeTerminated(name="t", column="postcode", **TEXT),
            live,
            Reference(TODAY, DIRECTORY),
        ).failing
        == 0
    )


def test_cross_source_rules_without_their_reference_say_not_checked():
    frame = records(postcode=["SE13 6JG"], lsoa=["E01000001"])
    for rule in (
        PostcodeUnknown(name="u", column="postcode", **TEXT),
        PostcodeTerminated(name="t", column="postcode", **TEXT),
        LsoaNotRanked(name="l", column="lsoa", **TEXT),
    ):
        finding = run(rule, frame)
        assert finding.failing is None and not finding.checked and not finding.is_issue
        assert finding.what.startswith("not checked:")


def test_lsoa_not_ranked_by_the_imd_looks_at_english_lsoas_only():
    frame = records(lsoa=["E01000001", "E01999999", "W01000001", None])
    ref = Reference(TODAY, imd_lsoas=frozenset({"E01000001"}))
    finding = run(LsoaNotRanked(name="l", column="lsoa", **TEXT), frame, ref)
    assert (finding.failing, finding.total) == (1, 2)
    assert finding.examples[0].values["lsoa"] == "E01999999"
    assert (
        run(
            LsoaNotRanked(name="l", column="lsoa", **TEXT), records(lsoa=["E01000001"]), ref
        ).failing
        == 0
    )


def test_contradiction_between_two_fields_of_a_record():
    frame = records(penalty=[200_000, 20_000, 90_000], workers=[1, 1, None])
    rule = Contradiction(
        name="c",
        column="penalty",
        needs=("penalty", "workers"),
        expr=pl.col("penalty") > 60_000 * pl.col("workers"),
        **TEXT,
    )
    finding = run(rule, frame)
    assert (finding.failing, finding.total) == (1, 2)
    assert finding.examples[0].values == {"id": "r0", "penalty": 200_000, "workers": 1}
    assert run(rule, records(penalty=[60_000], workers=[1])).failing == 0


def test_where_restricts_the_records_a_rule_looks_at():
    frame = records(value=["5", "AwaitingInspection", "4"], rated=[None, None, VINTAGE])
    rule = Missing(
        name="m",
        column="rated",
        where=pl.col("value").is_in(["4", "5"]),
        scope="rated records",
        **TEXT,
    )
    finding = run(rule, frame)
    assert (finding.failing, finding.total) == (1, 2)
    assert finding.what.startswith("1 of 2 rated records")


def test_a_column_the_table_lacks_is_not_checked_rather_than_passed():
    finding = run(Missing(name="m", column="nope", **TEXT), records(x=[1]))
    assert finding.failing is None


@pytest.mark.parametrize(
    "lineage", [("_source_file", "_source_row"), ("source_file", "source_row")]
)
def test_examples_name_file_and_row_in_raw_and_staging_tables(lineage):
    frame = pl.DataFrame(
        {"id": ["a"], "v": [None], lineage[0]: ["/x/y/F.csv"], lineage[1]: [7]},
        schema_overrides={"v": pl.String},
    )
    finding = run(Missing(name="m", column="v", **TEXT), frame)
    assert [(e.file, e.row) for e in finding.examples] == [("F.csv", 7)]
