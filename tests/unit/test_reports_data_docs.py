"""Great Expectations Data Docs built offline from a copy of the committed context."""

from __future__ import annotations

import gc
import hashlib
from datetime import date

import pandas as pd

from heyrick_dagster.quality.gx_runner import DEFAULT_EXPECTATIONS_DIR
from heyrick_dagster.reports.data_docs import SuiteRun, build


def _digest(root) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


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
    docs = build([SuiteRun("imd__lsoa_deprivation_drift", frame)], out)
    assert docs.built, docs.reason
    assert docs.index == "data_docs/index.html" and (out / "index.html").is_file()
    page = docs.validations["imd__lsoa_deprivation_drift"]
    assert page.startswith("data_docs/validations/imd__lsoa_deprivation_drift/")
    assert (out.parent / page).is_file()
    # Every committed suite gets its page; the site holds this run only.
    assert (out.parent / docs.expectations["fhrs__establishments"]).is_file()
    assert not (out / "stale.html").exists()
    assert _digest(DEFAULT_EXPECTATIONS_DIR) == before


def test_a_context_that_cannot_be_built_gives_a_reason_not_an_exception(tmp_path):
    docs = build([], tmp_path / "data_docs", expectations_dir=tmp_path / "no_such_context")
    assert not docs.built
    assert docs.reason.startswith("Great Expectations could not build them")


def test_every_committed_suite_renders_its_data_docs_page_without_an_error(tmp_path, caplog):
    # Great Expectations' page renderer reads a suite's meta notes as a dict when the text
    # merely contains the word "format", and then logs an error and drops the page.
    suites = sorted(p.stem for p in (DEFAULT_EXPECTATIONS_DIR / "expectations").glob("*.json"))
    dates = {name: date(2026, 1, 1) for name in ("today", "scheme_start", "register_start")}
    runs = [SuiteRun(suite, pd.DataFrame({"unrelated": [1]}), dates) for suite in suites]
    with caplog.at_level("ERROR", logger="great_expectations"):
        docs = build(runs, tmp_path / "data_docs")
    assert docs.built, docs.reason
    assert sorted(docs.validations) == suites
    errors = [r.getMessage()[:300] for r in caplog.records if r.levelname == "ERROR"]
    assert errors == []


def _live_frames(lengths) -> list[int]:
    gc.collect()
    return sorted(
        len(o) for o in gc.get_objects() if isinstance(o, pd.DataFrame) and len(o) in lengths
    )


def test_data_docs_hold_one_suites_frame_at_a_time_and_none_once_built(tmp_path):
    # One data source for every suite kept every table's frame until the site was built
    # (a national run's quality report peaked at 10.6 GB).
    suites = ("imd__lsoa_deprivation_drift", "nrm__referrals_drift", "postcodes__postcodes_drift")
    lengths = (1001, 1002, 1003)
    alive_before = []

    def runs():
        for suite, rows in zip(suites, lengths, strict=True):
            alive_before.append(_live_frames(lengths))
            yield SuiteRun(suite, pd.DataFrame({"unrelated": range(rows)}))

    docs = build(runs(), tmp_path / "data_docs")
    assert docs.built, docs.reason
    # Before each suite at most the one just validated (the loop's own variable) is alive.
    assert alive_before == [[], [1001], [1002]]
    assert _live_frames(lengths) == []
