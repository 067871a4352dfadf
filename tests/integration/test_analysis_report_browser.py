"""The analysis report in a real browser: headless Chromium renders the page offline, its
DOM holds every section, and the browser logged no console message (a script error, or a
fetch blocked by the page's Content-Security-Policy, would be one).

Chromium logs console messages to stderr as `...:CONSOLE(line)] "message"` (this Debian
build at INFO level, others at ERROR), so any `:CONSOLE` line fails the test, as does
"Uncaught". The detector itself is tested on a page that breaks both rules. A screenshot
is left in the test's temporary folder (never in the repository)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from heyrick_dagster.reports import analysis_report as report
from tests.unit.test_analysis_report import SECTIONS, tiny_inputs

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian: apt-get install -y chromium; .ci/run installs it)",
)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]


def _chromium(page: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, *FLAGS, *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def console_problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> report.WrittenReport:
    return report.write_report(tiny_inputs(), tmp_path_factory.mktemp("report") / "analysis")


def test_chromium_renders_every_section_of_the_report_with_no_console_message(written):
    rendered = _chromium(written.path, "--dump-dom")

    dom = rendered.stdout
    for section in SECTIONS:
        assert f'<section id="{section}"' in dom
    assert "SYNTHETIC SAMPLE DATA" in dom
    assert dom.count("<svg") >= 8  # maps, funnels, scatters, deciles, trend
    assert console_problems(rendered.stderr) == []


def test_chromium_takes_a_screenshot_of_the_report(written):
    shot = written.path.parent / "analysis_report.png"

    _chromium(written.path, "--hide-scrollbars", "--window-size=1280,4000", f"--screenshot={shot}")

    assert shot.stat().st_size > 10_000


def test_the_console_check_catches_a_blocked_fetch_and_a_script_error(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text(
        f'<!doctype html><html><head><meta http-equiv="Content-Security-Policy" '
        f'content="{report.CSP}"><title>broken</title></head><body>'
        '<img src="http://example.invalid/tile.png" alt="">'
        "</body></html>"
    )
    script = tmp_path / "script.html"
    script.write_text("<!doctype html><title>s</title><script>notDefined();</script>")

    assert console_problems(_chromium(page, "--dump-dom").stderr)
    assert console_problems(_chromium(script, "--dump-dom").stderr)
