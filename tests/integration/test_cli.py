"""`heyrick check SOURCE FILE`: a publisher's verdict on one file, and `heyrick` errors."""

from __future__ import annotations

import re
import shutil

import pytest

from heyrick_dagster.cli import main
from tests.conftest import FIXTURES


def _lewisham(sample_dir):
    return sample_dir / "fhrs" / "FHRS523en-GB.xml"


def test_check_passes_a_good_file_with_exit_code_zero(sample_dir, capsys):
    code = main(["check", "fhrs", str(_lewisham(sample_dir))])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Verdict: PASS" in out
    assert re.search(
        r"Parsed [\d,]+ records into fhrs__establishments; the ingest contract passed", out
    )
    assert "fhrs__establishments: passed" in out


def test_check_rejects_a_truncated_file_naming_file_and_row(capsys):
    path = FIXTURES / "fhrs" / "bad_truncated.xml"
    code = main(["check", "fhrs", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "Verdict: FAIL" in out
    assert f"[source fhrs, file {path}, row 2]" in out and "truncated" in out


def test_check_reports_quality_failures_with_the_failing_record(sample_dir, tmp_path, capsys):
    bad = tmp_path / "FHRS523en-GB.xml"
    shutil.copyfile(_lewisham(sample_dir), bad)
    text = bad.read_text()
    first_id = re.search(r"<FHRSID>(\d+)</FHRSID>", text).group(1)
    date = re.search(r"<RatingDate>([\d-]+)</RatingDate>", text[text.index(first_id) :]).group(1)
    bad.write_text(
        text.replace(f"<RatingDate>{date}</RatingDate>", "<RatingDate>2999-01-01</RatingDate>", 1)
    )
    code = main(["check", "fhrs", str(bad)])
    out = capsys.readouterr().out
    assert code == 1
    assert "Verdict: FAIL" in out
    line = next(x for x in out.splitlines() if "rating_date must not be in the future" in x)
    assert line.startswith("| FAIL") and "2999-01-01" in line


def test_check_of_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["check", "fhrs", str(tmp_path / "nope.xml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_bad_setting_is_a_clear_error_not_a_traceback(monkeypatch, capsys):
    monkeypatch.setenv("HEYRICK_MODE", "production")
    assert main(["sample"]) == 2
    assert "HEYRICK_MODE='production'" in capsys.readouterr().err


SOURCES = ["fhrs", "companies_house", "illegal_working", "nmw_naming", "imd", "postcodes", "nrm"]


@pytest.mark.parametrize("source", SOURCES)
def test_check_accepts_a_sample_file_of_every_source(source, sample_dir, capsys):
    path = sorted(p for p in (sample_dir / source).iterdir() if p.is_file())[0]
    code = main(["check", source, str(path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"source {source}, file {path}" in out and "Verdict: PASS" in out
    assert re.search(rf"Parsed [\d,]+ records into {source}__\w+", out)


@pytest.mark.parametrize("source", SOURCES)
def test_check_rejects_an_html_error_page_for_every_source(source, tmp_path, capsys):
    page = tmp_path / "download.html"
    page.write_text("<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1></body></html>")
    code = main(["check", source, str(page)])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "Verdict: FAIL" in out and f"source {source}" in out and str(page) in out
