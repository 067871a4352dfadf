"""Audit the dependencies pinned in uv.lock with pip-audit; fail when nothing was really audited.

Why a script around pip-audit: when its vulnerability service cannot answer a package, pip-audit
marks that package "skipped", and its PyPI mode still prints "No known vulnerabilities found" and
exits 0. Measured on this project behind a registry proxy: 152 of 152 packages skipped
("Dependency not found on PyPI and could not be audited"), exit 0, the reassuring sentence. A
green audit must mean the packages were looked up, so this script reads pip-audit's JSON report
(`{"dependencies": [{"name", "version", "vulns": [...]} | {"name", "skip_reason"}], "fixes"}`,
pip-audit 2.10 `_format/json.py`) and passes only when every package uv.lock pins for this
platform was audited and none has a known vulnerability.

`make audit` runs it with the Python of a pinned pip-audit tool environment, so that pip-audit
stays out of the project's lock and the same interpreter evaluates the requirement markers as
pip-audit does:

    uv tool run --python 3.11 --from pip-audit==2.10.1 python scripts/audit.py --uv uv

The requirements come from `uv export --frozen` (hashed, every dependency group), so what is
audited is exactly what uv.lock pins. Run it where a vulnerability service is reachable (PyPI's
JSON API, or `--service osv` for api.osv.dev).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parent.parent

# Locked packages that are not audited, each with the reason. They are left out of the export
# (`--no-emit-package`) and out of the count the audit must reach.
EXCEPTIONS: dict[str, str] = {
    "heyrick": "the local project itself: it is not published, so no advisory can name it",
}

Package = tuple[str, str]  # (canonical name, version)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    lines: list[str]


def locked_packages(lock_text: str) -> set[Package]:
    """Every package uv.lock pins, as (canonical name, version)."""
    lock = tomllib.loads(lock_text)
    return {(canonicalize_name(p["name"]), str(p["version"])) for p in lock.get("package", [])}


def other_platform_packages(requirements_text: str) -> set[Package]:
    """Exported requirements whose environment marker is false here (e.g. pywin32 on Linux).

    pip-audit evaluates the same markers and leaves these out of its report without a word,
    so they are not counted as missing.
    """
    excluded: set[Package] = set()
    for line in requirements_text.splitlines():
        text = line.rstrip("\\").strip()
        if not text or text.startswith(("#", "-")):
            continue  # comments, `--hash=` continuation lines, options
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        pinned = [s.version for s in requirement.specifier if s.operator == "=="]
        if pinned and requirement.marker is not None and not requirement.marker.evaluate():
            excluded.add((canonicalize_name(requirement.name), pinned[0]))
    return excluded


def packages_to_audit(lock_text: str, requirements_text: str) -> set[Package]:
    """The locked packages minus the listed exceptions and those for other platforms."""
    return {
        package
        for package in locked_packages(lock_text) - other_platform_packages(requirements_text)
        if package[0] not in EXCEPTIONS
    }


def judge(report: Mapping, expected: set[Package]) -> Verdict:
    """Pass only when every expected package was audited and none has a known vulnerability."""
    audited: set[Package] = set()
    skipped: dict[str, str] = {}
    findings: list[str] = []
    for dep in report.get("dependencies", []):
        name = canonicalize_name(dep["name"])
        if "skip_reason" in dep:
            skipped[name] = dep["skip_reason"]
            continue
        audited.add((name, dep["version"]))
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            aliases = ", ".join(vuln.get("aliases", []))
            findings.append(
                f"  {name} {dep['version']}: {vuln['id']}"
                + (f" ({aliases})" if aliases else "")
                + f"; fixed in {fixes}"
            )
    missing = sorted(expected - audited)
    reached = len(expected & audited)
    lines = [
        f"pip-audit audited {reached} of the {len(expected)} packages uv.lock pins "
        "for this platform."
    ]
    if findings:
        lines += [f"FAIL: {len(findings)} known vulnerabilities:", *findings]
    if reached == 0:
        lines += [
            "FAIL: nothing was audited, so pip-audit's 'No known vulnerabilities found' means "
            "nothing. Is the vulnerability service reachable from here?",
            *_skip_reasons(missing, skipped, limit=3),
        ]
    elif missing:
        lines += [
            f"FAIL: {len(missing)} packages were not audited:",
            *_skip_reasons(missing, skipped, limit=20),
        ]
    passed = not findings and not missing and reached > 0
    if passed:
        lines.append("PASS: no known vulnerabilities in any locked package.")
    return Verdict(passed=passed, lines=lines)


def _skip_reasons(missing: list[Package], skipped: Mapping[str, str], limit: int) -> list[str]:
    shown = [
        f"  {name} {version}: {skipped.get(name, 'not in pip-audit report')}"
        for name, version in missing[:limit]
    ]
    if len(missing) > limit:
        shown.append(f"  ... and {len(missing) - limit} more")
    return shown


def verdict_without_report(returncode: int, stderr: str) -> Verdict:
    """pip-audit stopped before writing its report (e.g. the service's host does not resolve)."""
    # The last line is pip-audit's own message, or the exception ending a traceback.
    tail = [f"  {line}" for line in stderr.strip().splitlines()[-1:]]
    return Verdict(
        passed=False,
        lines=[
            f"FAIL: pip-audit wrote no report (exit {returncode}); nothing was audited. "
            "Is the vulnerability service reachable from here? Its last word:",
            *tail,
        ],
    )


def run(uv: str, service: str, repo: Path) -> Verdict:
    with tempfile.TemporaryDirectory(prefix="heyrick-audit-") as tmp:
        requirements, report = Path(tmp) / "requirements.txt", Path(tmp) / "report.json"
        export = [
            uv,
            "export",
            "--frozen",
            "--format",
            "requirements-txt",
            "--all-groups",
            "--no-header",
            "--output-file",
            str(requirements),
        ]
        for name in EXCEPTIONS:
            export += ["--no-emit-package", name]
        exported = subprocess.run(export, cwd=repo, capture_output=True, text=True)
        if exported.returncode != 0:
            return Verdict(False, [f"FAIL: uv export failed: {exported.stderr.strip()}"])
        # --disable-pip: the hashed export is complete and pinned, so nothing is resolved
        # or installed; pip-audit only looks each pinned version up.
        audit = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--requirement",
                str(requirements),
                "--disable-pip",
                "--format",
                "json",
                "--progress-spinner",
                "off",
                "--vulnerability-service",
                service,
                "--output",
                str(report),
            ],
            capture_output=True,
            text=True,
        )
        lock_text, requirements_text = (repo / "uv.lock").read_text(), requirements.read_text()
        scope = [
            f"uv.lock pins {len(locked_packages(lock_text))} packages; not audited by design: "
            + "; ".join(f"{name} ({why})" for name, why in EXCEPTIONS.items())
            + f"; {len(other_platform_packages(requirements_text))} for other platforms."
        ]
        try:
            findings = json.loads(report.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            verdict = verdict_without_report(audit.returncode, audit.stderr)
        else:
            verdict = judge(findings, packages_to_audit(lock_text, requirements_text))
        return Verdict(verdict.passed, scope + verdict.lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uv", default="uv", help="the uv executable (default: uv on PATH)")
    parser.add_argument(
        "--service",
        default="pypi",
        choices=("pypi", "osv"),
        help="pip-audit's vulnerability service (default: pypi)",
    )
    parser.add_argument("--repo", type=Path, default=REPO_ROOT, help="folder holding uv.lock")
    args = parser.parse_args(argv)
    verdict = run(args.uv, args.service, args.repo)
    print("\n".join(verdict.lines))
    return 0 if verdict.passed else 1


if __name__ == "__main__":
    sys.exit(main())
