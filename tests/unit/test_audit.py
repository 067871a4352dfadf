"""`make audit`'s verdict over pip-audit JSON reports (scripts/audit.py).

The fixtures in tests/fixtures/audit are a tiny lock (the local project, requests, urllib3 and
the Windows-only pywin32), its export, and pip-audit 2.10 reports over it. all_skipped.json is
what pip-audit 2.10.1 wrote here, where its vulnerability service is unreachable, while it
printed "No known vulnerabilities found" and exited 0; the others are hand-made in its shape.
"""

from __future__ import annotations

import json
import sys

import pytest

from scripts import audit
from tests.conftest import FIXTURES

AUDIT_FIXTURES = FIXTURES / "audit"


def _report(name: str) -> dict:
    return json.loads((AUDIT_FIXTURES / name).read_text())


@pytest.fixture
def expected() -> set[audit.Package]:
    return audit.packages_to_audit(
        (AUDIT_FIXTURES / "uv.lock.toml").read_text(),
        (AUDIT_FIXTURES / "requirements.txt").read_text(),
    )


@pytest.mark.skipif(sys.platform == "win32", reason="the fixture's pywin32 applies on Windows")
def test_packages_to_audit_leave_out_the_local_project_and_other_platforms_packages(expected):
    assert expected == {("requests", "2.32.3"), ("urllib3", "2.2.3")}


def test_audit_passes_when_every_locked_package_was_audited_and_is_clean(expected):
    verdict = audit.judge(_report("clean.json"), expected)

    assert verdict.passed
    assert verdict.lines[0] == (
        "pip-audit audited 2 of the 2 packages uv.lock pins for this platform."
    )


def test_audit_fails_listing_each_vulnerability_with_its_fixed_version(expected):
    verdict = audit.judge(_report("vulnerable.json"), expected)

    assert not verdict.passed
    assert "FAIL: 2 known vulnerabilities:" in verdict.lines
    assert "  urllib3 2.2.3: GHSA-test-0000-0001 (CVE-0000-00001); fixed in 2.5.0" in verdict.lines
    assert "  urllib3 2.2.3: PYSEC-0000-2; fixed in no fixed version yet" in verdict.lines


def test_audit_fails_saying_nothing_was_audited_when_pip_audit_skipped_every_package(expected):
    verdict = audit.judge(_report("all_skipped.json"), expected)

    assert not verdict.passed
    assert verdict.lines[0].startswith("pip-audit audited 0 of the 2 packages")
    assert verdict.lines[1].startswith("FAIL: nothing was audited")
    assert verdict.lines[2] == (
        "  requests 2.32.3: Dependency not found on PyPI and could not be audited: "
        "requests (2.32.3)"
    )


def test_audit_fails_naming_the_package_pip_audit_skipped_when_others_were_audited(expected):
    verdict = audit.judge(_report("partly_skipped.json"), expected)

    assert not verdict.passed
    assert verdict.lines[1:] == [
        "FAIL: 1 packages were not audited:",
        "  urllib3 2.2.3: Dependency not found on PyPI and could not be audited: urllib3 (2.2.3)",
    ]


def test_audit_fails_naming_a_locked_package_missing_from_the_report(expected):
    report = _report("clean.json")
    report["dependencies"] = [d for d in report["dependencies"] if d["name"] != "urllib3"]

    verdict = audit.judge(report, expected)

    assert not verdict.passed
    assert "  urllib3 2.2.3: not in pip-audit report" in verdict.lines


def test_audit_fails_when_the_report_audits_another_version_than_the_lock_pins(expected):
    report = _report("clean.json")
    report["dependencies"][1]["version"] = "2.5.0"

    assert not audit.judge(report, expected).passed


def test_an_empty_report_of_an_empty_lock_never_passes():
    verdict = audit.judge({"dependencies": [], "fixes": []}, set())

    assert not verdict.passed
    assert verdict.lines[1].startswith("FAIL: nothing was audited")


def test_audit_fails_with_pip_audits_last_word_when_it_wrote_no_report():
    stderr = (
        "Traceback (most recent call last):\n"
        '  File "pip_audit/_service/osv.py", line 70, in query\n'
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443)\n"
    )

    verdict = audit.verdict_without_report(1, stderr)

    assert not verdict.passed
    assert verdict.lines[0].startswith("FAIL: pip-audit wrote no report (exit 1)")
    assert verdict.lines[1:] == [
        "  requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443)"
    ]
