"""Great Expectations Data Docs built offline from a copy of the committed context, from
the results of the suites validated through it (one validation serves the quality report
and the site)."""

from __future__ import annotations

import gc
import hashlib
from datetime import date

import pandas as pd

from heyrick_dagster.quality.gx_runner import DEFAULT_EXPECTATIONS_DIR, run_suite
from heyrick_dagster.reports.data_docs import session

DATES = {name: date(2026, 1, 1) for name in ("today", "scheme_start", "register_start")}


def _digest(root) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _suites() -> list[str]:
    return sorted(p.stem for p in (DEFAULT_EXPECTATIONS_DIR / "expectations").glob("*.json"))


def test_data_docs_are_built_for_a_suite_without_touching_the_committed_context(tmp_path):
    before = _digest(DEFAULT_EXPECTATIONS_DIR)
    frame = pd.DataFrame(
        {
            "lsoa_name": ["Lewisham 001A", None],
            "lad_name": ["Lewisham", "Lewisham"],
            "population": [1500, 150],
        }
    )
    out = tmp_path / "quality" / "data_docs"
    (out / "stale.html").parent.mkdir(parents=True)
    (out / "stale.html").write_text("from an earlier run")
    with session(out) as docs_session:
        run_suite("imd__lsoa_deprivation_drift", frame, validate=docs_session.validate)
        docs = docs_session.build()
    assert docs.built, docs.reason
    assert docs.index == "data_docs/index.html" and (out / "index.html").is_file()
    page = docs.validations["imd__lsoa_deprivation_drift"]
    assert page.startswith("data_docs/validations/imd__lsoa_deprivation_drift/")
    assert (out.parent / page).is_file()
    # Every committed suite gets its page; the site holds this run only.
    assert (out.parent / docs.expectations["fhrs__establishments"]).is_file()
    assert not (out / "stale.html").exists()
    assert _digest(DEFAULT_EXPECTATIONS_DIR) == before


def test_a_suite_validated_for_the_site_gives_the_outcome_an_ordinary_validation_gives(
    tmp_path,
):
    frame = pd.DataFrame(
        {
            "lsoa_name": ["Lewisham 001A", None, None],
            "lad_name": ["Lewisham", "Lewisham", None],
            "population": [1500, 150, -3],
        }
    )
    ordinary = run_suite("imd__lsoa_deprivation_drift", frame)
    with session(tmp_path / "data_docs") as docs_session:
        for_the_site = run_suite(
            "imd__lsoa_deprivation_drift", frame, validate=docs_session.validate
        )
        assert docs_session.build().built
    assert ordinary.failures(), "the frame must fail something for the comparison to mean much"
    assert for_the_site == ordinary


def test_a_context_that_cannot_be_built_gives_a_reason_and_suites_are_still_validated(tmp_path):
    frame = pd.DataFrame({"lsoa_name": ["Lewisham 001A"], "lad_name": ["Lewisham"]})
    with session(tmp_path / "data_docs", expectations_dir=tmp_path / "nothing") as docs_session:
        outcome = run_suite("imd__lsoa_deprivation_drift", frame, validate=docs_session.validate)
        docs = docs_session.build()
    assert outcome == run_suite("imd__lsoa_deprivation_drift", frame)
    assert not docs.built
    assert docs.reason.startswith("Great Expectations could not build them")


def test_every_committed_suite_renders_its_data_docs_page_without_an_error(tmp_path, caplog):
    # Great Expectations' page renderer reads a suite's meta notes as a dict when the text
    # merely contains the word "format", and then logs an error and drops the page.
    with caplog.at_level("ERROR", logger="great_expectations"):
        with session(tmp_path / "data_docs") as docs_session:
            for suite in _suites():
                run_suite(
                    suite, pd.DataFrame({"unrelated": [1]}), DATES, validate=docs_session.validate
                )
            docs = docs_session.build()
    assert docs.built, docs.reason
    assert sorted(docs.validations) == _suites()
    errors = [r.getMessage()[:300] for r in caplog.records if r.levelname == "ERROR"]
    assert errors == []


def _live_frames(lengths) -> list[int]:
    gc.collect()
    return sorted(
        len(o) for o in gc.get_objects() if isinstance(o, pd.DataFrame) and len(o) in lengths
    )


def test_data_docs_hold_no_validated_frame_between_suites_nor_once_built(tmp_path):
    # One data source for every suite kept every table's frame until the site was built
    # (a national run's quality report peaked at 10.6 GB).
    suites = ("imd__lsoa_deprivation_drift", "nrm__referrals_drift", "postcodes__postcodes_drift")
    lengths = (1001, 1002, 1003)
    alive_after = []
    with session(tmp_path / "data_docs") as docs_session:
        for suite, rows in zip(suites, lengths, strict=True):
            run_suite(
                suite, pd.DataFrame({"unrelated": range(rows)}), validate=docs_session.validate
            )
            alive_after.append(_live_frames(lengths))
        docs = docs_session.build()
    assert docs.built, docs.reason
    assert alive_after == [[], [], []]
    assert _live_frames(lengths) == []
