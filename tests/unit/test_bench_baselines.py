"""The baselines `make bench` measures Heyrick against: the plain pandas ingest reads the
same rows as Heyrick's connectors, the Record Linkage Toolkit links the obvious and
not the absurd, and each child process's memory is its own."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

from benchmarks import compare, ingest_pandas
from benchmarks.measure import Measured, run_measured, run_repeated
from heyrick_dagster import warehouse
from heyrick_dagster.linkage import baselines, report
from heyrick_dagster.linkage.prepared import prepare
from heyrick_dagster.settings import REPO_ROOT, Settings
from heyrick_dagster.sources.companies_house import FOOD_SIC
from heyrick_dagster.sources.registry import BY_KEY
from tests.support.linkage_frames import premises_and_companies, staging_frame

FIXTURES = REPO_ROOT / "tests" / "fixtures"
GOOD_FILES = {
    "fhrs": [FIXTURES / "fhrs" / "good_FHRS523en-GB.xml"],
    "companies_house": [
        FIXTURES / "companies_house" / "good_BasicCompanyData-2026-11-01-part1_1.csv"
    ],
    "imd": sorted((FIXTURES / "imd").glob("good_*")),
}


@pytest.mark.parametrize("source", sorted(GOOD_FILES))
def test_pandas_ingest_reads_as_many_rows_as_heyricks_connector(source):
    paths = GOOD_FILES[source]
    options = {"sic_codes": FOOD_SIC} if source == "companies_house" else {}
    frame = ingest_pandas.READERS[source](paths, **options)
    (table,) = BY_KEY[source].parse(paths).tables.values()
    assert len(frame) == table.height > 0


def test_pandas_ingest_coerces_the_types_heyrick_does():
    frame = ingest_pandas.fhrs(GOOD_FILES["fhrs"])
    assert str(frame["fhrsid"].dtype) == "Int64"
    assert str(frame["latitude"].dtype) == "float64"
    assert frame["new_rating_pending"].dropna().isin([True, False]).all()


def test_pandas_ingest_writes_its_rows_to_duckdb(tmp_path):
    rows = ingest_pandas.ingest("imd", GOOD_FILES["imd"], tmp_path / "p.duckdb")
    written = warehouse.query(tmp_path / "p.duckdb", "select count(*) as n from raw.imd")
    assert written["n"][0] == rows > 0


@pytest.fixture(scope="module")
def toolkit_links():
    if not baselines.BENCH_PYTHON.exists():
        pytest.skip("the bench environment is not installed (make bench-install)")
    town = premises_and_companies()
    run = baselines.recordlinkage_toolkit(
        {"fhrs": town.premises, "companies_house": _some_at_the_next_postcode(town)}
    )
    return set(run.pairs.iter_rows()), run.report


def _some_at_the_next_postcode(town) -> pl.DataFrame:
    """The town's companies, those of slot 3 registered at the other postcode of the same
    district, as real ones sometimes are. The toolkit's ECM needs that variety: when no
    true pair disagrees on the postcode it scores nothing (recordlinkage_baseline doc)."""
    postcodes = town.premises["postcode"].to_list()[::10]  # of postcode index p

    def other_postcode(number: str) -> str:
        area, k = int(number) // 10 % 3, int(number) // 10 // 3
        return postcodes[area + 3 * (k ^ 1)]  # the other sector of the same district

    slot_3 = pl.col("record_id").str.ends_with("3")
    return town.companies.with_columns(
        pl.when(slot_3)
        .then(pl.col("record_id").map_elements(other_postcode, return_dtype=pl.String))
        .otherwise(pl.col("postcode"))
        .alias("postcode"),
        pl.when(slot_3)
        .then(pl.lit("7 Ledger Yard"))
        .otherwise(pl.col("address_line_1"))
        .alias("address_line_1"),
    )


def test_toolkit_links_a_premises_to_its_same_name_company_at_the_same_address(toolkit_links):
    pairs, _ = toolkit_links
    # Slot 0 of each postcode: the same name at the same address (linkage_frames doc).
    same = {(str(100000 + 10 * p), f"{10 * p:08d}") for p in range(30)}
    assert same <= pairs


def test_toolkit_does_not_link_an_unrelated_business_down_the_street(toolkit_links):
    pairs, report = toolkit_links
    # Slots 7-9: an accountant or builder at the same postcode, another number.
    unrelated = {
        (str(100000 + 10 * p + j), f"{10 * p + j:08d}") for p in range(30) for j in (7, 8, 9)
    }
    assert not pairs & unrelated
    assert report["comparisons"] > 0 and report["links"] == len(pairs)
    assert report["unscored"] == 0


def test_toolkit_baseline_says_how_to_install_it_when_its_environment_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="make bench-install"):
        baselines.recordlinkage_toolkit({}, python=tmp_path / "no-python")


def test_a_child_process_is_measured_without_its_parents_memory():
    ballast = bytearray(400 * 2**20)  # the parent holds 400 MB while the child runs
    child = "import json; print(json.dumps({'seconds': 0.5}))"
    measured = run_measured([sys.executable, "-c", child], Path.cwd())
    assert measured.seconds == 0.5
    assert 0 < measured.peak_rss_mb < 100
    assert len(ballast) == 400 * 2**20


def test_repeated_runs_report_the_median_run_and_the_largest_peak(tmp_path):
    counter = tmp_path / "runs"
    # The n-th run says it took n seconds.
    child = (
        f"import json, pathlib; p = pathlib.Path(r'{counter}'); "
        "n = int(p.read_text()) + 1 if p.exists() else 1; p.write_text(str(n)); "
        "print(json.dumps({'seconds': float(n), 'run': n}))"
    )
    measured = run_repeated([sys.executable, "-c", child], tmp_path, 3)
    assert measured.seconds == 2.0 and measured.report["run"] == 2
    assert counter.read_text() == "3"


def _row(implementation: str, seconds: float, f1: float | None = None) -> compare.Row:
    accuracy = None if f1 is None else {"precision": f1, "recall": f1, "f1": f1}
    return compare.Row("link x", implementation, 1000, Measured(seconds, 100.0, {}), accuracy)


def test_comparison_meets_the_target_only_when_three_times_faster_and_as_accurate():
    met = compare.render([_row("heyrick", 1.0, 0.9), _row("toolkit", 3.0, 0.9)])
    slower = compare.render([_row("heyrick", 1.0, 0.9), _row("toolkit", 2.0, 0.8)])
    worse = compare.render([_row("heyrick", 1.0, 0.8), _row("toolkit", 4.0, 0.9)])
    assert "3.00x" in met and ": met" in met
    assert "2.00x" in slower and "NOT met" in slower
    assert "NOT met" in worse


def test_toolkit_pairs_join_the_accuracy_report_of_premises_and_companies_only():
    town = premises_and_companies()
    penalties = staging_frame(
        "illegal_working",
        [{"record_id": "IW1", "liable_party": "Golden Anchor Kebab House", "postcode": "LS1 1AP"}],
    )
    frames = {"fhrs": town.premises, "companies_house": town.companies}
    prepared = prepare(frames | {"illegal_working": penalties}, train=False)
    toolkit = town.true_pairs.head(3)
    empty_links = pl.DataFrame(
        schema={
            "left_source": pl.String,
            "right_source": pl.String,
            "left_record_id": pl.String,
            "right_record_id": pl.String,
            "link_status": pl.String,
        }
    )
    methods = report.method_links(empty_links, prepared, "fhrs", "companies_house", toolkit)
    assert methods[report.METHODS[3]].equals(toolkit)
    others = report.method_links(empty_links, prepared, "illegal_working", "fhrs", toolkit)
    assert report.METHODS[3] not in others and report.METHODS[0] in others


def test_linkage_subset_keeps_the_records_of_the_postcode_areas_named():
    frame = pl.DataFrame(
        {"record_id": ["1", "2", "3", "4"], "postcode_district": ["SE13", "S1", "B12", None]}
    )
    kept = compare.in_areas(frame, ("SE", "B"))
    assert kept["record_id"].to_list() == ["1", "3"]  # S1 is area S, not SE
    assert compare.in_areas(frame, None).equals(frame)


def test_a_work_folder_keeps_its_sample_and_loses_the_rest_of_a_previous_run(tmp_path):
    (tmp_path / "sample").mkdir()
    (tmp_path / "sample" / "SAMPLE.json").write_text("{}")
    (tmp_path / "raw").mkdir()
    (tmp_path / "h.duckdb").write_text("old")
    with compare.work_folder(tmp_path) as root:
        assert root == tmp_path
        assert sorted(p.name for p in root.iterdir()) == ["sample"]
        assert (root / "sample" / "SAMPLE.json").exists()


def test_the_ingest_split_shows_the_ratio_without_heyricks_contract():
    def row(name, seconds, split):
        return compare.Row("ingest x", name, 10, Measured(seconds, 1.0, {"split": split}))

    heyrick = row("heyrick", 2.0, {"parse": 1.5, "contract": 1.0, "write": 0.5})
    pandas = row("pandas", 3.0, {"parse": 2.5, "write": 0.5})
    assert "without the contract 3.00x" in compare.ingest_split([heyrick, pandas])


def test_a_kept_national_sample_of_other_generator_code_is_refused_not_remade(tmp_path):
    settings = Settings(
        data_dir=tmp_path, duckdb_path=tmp_path / "h.duckdb", sample_scale="national"
    )
    settings.sample_dir.mkdir()
    (settings.sample_dir / "SAMPLE.json").write_text('{"generator_version": "older"}')
    with pytest.raises(SystemExit, match="made by other sample-generator code"):
        compare._refuse_stale_national_sample(settings)
