"""Sample writer: `world.nrm_referrals` as the Home Office's quarterly NRM tables ODS.

Writes one `nrm/national-referral-mechanism-statistics-uk-quarter-<q>-<yyyy>-<mon>-to-<mon>
-tables.ods` per quarter of the world, in the published GSS shape: `Cover_sheet`
(marked SYNTHETIC), `Table_of_contents`, `Notes`, then table sheets that open with
title, "This worksheet contains one table..." and source rows:
- `Table_1`: UK referrals by exploitation type and age group (not a table by area:
  the parser must skip it);
- `Table_11`: police force area x exploitation type, under a grouping row "Adult
  (18 or over)" / "Child (17 or under)", with subtotal and total columns, a UK
  "Total" row, and [c] for counts of 1 to 4;
- `Table_12`: "UK County" | "Total", counties sorted by referrals, unsuppressed
  like the real Q3 2025 Table 12.
Footnotes follow each table after a blank row. Noise of the real releases: a
varying number of note rows above the header (so the header row moves), "[note N]"
markers in titles and headers, force names spelt as forces call themselves
("Metropolitan Police Service", "Avon & Somerset") in some quarters, and a British
Transport Police row of [x] (no area of its own).

Byte-identical for the same world, whatever else the process wrote (see
`_make_reproducible`).
"""

from __future__ import annotations

import random
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import polars as pl
from odf.namespaces import nsdict

from heyrick_dagster.sample.world import World

SOURCE = "nrm"
EXPLOITATION_LABELS = {  # world value -> published column header
    "Labour": "Labour exploitation",
    "Sexual": "Sexual exploitation",
    "Criminal": "Criminal exploitation",
    "Domestic servitude": "Domestic servitude",
    "Not specified": "Not specified or unknown",
}
AGE_LABELS = {"Adult": "Adult (18 or over)", "Child": "Child (17 or under)"}
# Names some releases use instead of the ONS area name (all in the staging seed).
NAME_VARIANTS = {
    "Metropolitan Police": "Metropolitan Police Service",
    "Avon and Somerset": "Avon & Somerset",
    "Devon and Cornwall": "Devon & Cornwall",
    "Greater Manchester": "Greater Manchester Police",
    "West Midlands": "West Midlands Police",
    "Thames Valley": "Thames Valley Police",
    "Police Scotland": "Scotland",
    "Police Service of Northern Ireland": "PSNI",
}
MONTHS = {
    1: ("January", "March"),
    2: ("April", "June"),
    3: ("July", "September"),
    4: ("October", "December"),
}
SMALL_COUNT = 5  # counts 1-4 are published as [c]
_FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_XMLNS = re.compile(rb'\s+xmlns:[\w.-]+="[^"]*"')

Sheet = list[list[object]]


def file_name(period: str) -> str:
    year, quarter = period[:4], int(period[-1])
    first, last = (m[:3].lower() for m in MONTHS[quarter])
    return (
        f"national-referral-mechanism-statistics-uk-quarter-{quarter}-{year}-"
        f"{first}-to-{last}-tables.ods"
    )


def _months(period: str) -> str:
    first, last = MONTHS[int(period[-1])]
    return f"{first} to {last} {period[:4]}"


def _published(period: str, extract_date: date) -> date:
    """About five weeks after the quarter, never after the world's extract date."""
    year, quarter = int(period[:4]), int(period[-1])
    end = date(year + quarter // 4, quarter % 4 * 3 + 1, 1) - timedelta(days=1)
    return min(end + timedelta(days=37), extract_date)


def write(world: World, out_dir: Path) -> list[Path]:
    referrals = world.nrm_referrals
    if referrals.is_empty():
        return []  # an optional source: no files means "absent"
    folder = Path(out_dir) / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{world.seed}-{SOURCE}")
    extract_date = date.fromisoformat(world.extract_date)
    counties = _county_of_force(world.authorities)
    paths = []
    for period in sorted(referrals["period"].unique().to_list()):
        quarter = referrals.filter(pl.col("period") == period)
        path = folder / file_name(period)
        sheets = {
            "Cover_sheet": _cover(period, _published(period, extract_date), world.seed),
            "Table_of_contents": _contents(period),
            "Notes": _notes(),
            "Table_1": _by_type_table(quarter, period, rng),
            "Table_11": _force_table(quarter, period, rng),
        }
        county_rows = _county_totals(quarter, counties)
        if county_rows:
            sheets["Table_12"] = _county_table(county_rows, period, rng)
        write_ods(path, sheets)
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- sheets


def _cover(period: str, published: date, seed: int) -> Sheet:
    return [
        [
            "Modern Slavery: National Referral Mechanism and Duty to Notify statistics UK, "
            f"Quarter {period[-1]} {period[:4]} – {_months(period)[:-5]}"
        ],
        [
            f"SYNTHETIC DATA – made by Heyrick's sample generator (seed {seed}). These are not "
            "Home Office statistics; they only imitate the layout of the published tables."
        ],
        ["This spreadsheet contains the data tables published alongside the release."],
        [f"Publication date: {published.day} {published:%B %Y}"],
        ["Source: Home Office, National Referral Mechanism case working system"],
        ["Contact: synthetic-sample@example.invalid"],
    ]


def _contents(period: str) -> Sheet:
    return [
        ["Table of contents"],
        ["This worksheet contains one table."],
        ["Table number", "Table title"],
        ["Table_1", f"Referrals by exploitation type and age group, {_months(period)}"],
        ["Table_11", f"Referrals by police force area of exploitation, {_months(period)}"],
        ["Table_12", f"Referrals by UK county of exploitation, {_months(period)}"],
    ]


def _notes() -> Sheet:
    return [
        ["Notes"],
        ["This worksheet contains one table."],
        ["Note number", "Note text"],
        ["[note 1]", "Age group and exploitation type are as claimed at referral."],
        ["[note 2]", "Police force area where the exploitation was reported to take place."],
        ["[note 3]", "[c] marks counts under 5, withheld to protect individuals."],
    ]


def _preamble(title: str, rng: random.Random) -> Sheet:
    rows: Sheet = [
        [title],
        [
            "This worksheet contains one table. Some cells refer to notes which can be "
            "found in the notes worksheet."
        ],
    ]
    extra = [
        ["Counts under 5 are shown as [c]; [x] means not available. [note 3]"],
        ["Figures for the latest quarter are provisional and may be revised."],
    ]
    rows += extra[: rng.randint(0, len(extra))]
    rows.append(["Source: Home Office, National Referral Mechanism (SYNTHETIC sample)"])
    return rows


def _footnotes() -> Sheet:
    return [
        [],
        ["[c] confidential: a count from 1 to 4; [x] not available; [z] not applicable."],
        ["SYNTHETIC sample data: not real referrals."],
    ]


def _shown(count: int) -> object:
    return "[c]" if 0 < count < SMALL_COUNT else count


def _grid(quarter: pl.DataFrame) -> dict[tuple[str, str, str], int]:
    """(pfa name, exploitation type, age group) -> referrals."""
    return {
        (r["pfa_name"], r["exploitation_type"], r["age_group"]): r["referrals"]
        for r in quarter.iter_rows(named=True)
    }


def _force_table(quarter: pl.DataFrame, period: str, rng: random.Random) -> Sheet:
    counts = _grid(quarter)
    names = sorted(quarter["pfa_name"].unique().to_list())
    types = list(EXPLOITATION_LABELS)
    group: list[object] = [None]
    header: list[object] = ["Police force area [note 2]"]
    for age in AGE_LABELS.values():
        group += [age] + [None] * len(types)
        header += [EXPLOITATION_LABELS[t] for t in types] + ["Total"]
    group.append("Total")
    header.append(None)
    rows = _preamble(
        f"Table 11: Number of potential victims referred to the NRM, by police force area of "
        f"exploitation, exploitation type and age group at exploitation, {_months(period)} "
        "[note 1]",
        rng,
    )
    rows += [group, header]
    for name in names:
        shown_name = NAME_VARIANTS.get(name, name) if rng.random() < 0.5 else name
        row: list[object] = [shown_name]
        for age in AGE_LABELS:
            values = [counts.get((name, t, age), 0) for t in types]
            row += [_shown(v) for v in values] + [sum(values)]
        row.append(sum(v for (n, _, _), v in counts.items() if n == name))
        rows.append(row)
    rows.append(["British Transport Police"] + ["[x]"] * (len(header) - 1))
    rows.append(["Total"] + _total_row(counts, types))
    return rows + _footnotes()


def _total_row(counts: dict[tuple[str, str, str], int], types: list[str]) -> list[object]:
    row: list[object] = []
    for age in AGE_LABELS:
        values = [sum(v for (_, t, a), v in counts.items() if (t, a) == (ty, age)) for ty in types]
        row += values + [sum(values)]
    return row + [sum(counts.values())]


def _by_type_table(quarter: pl.DataFrame, period: str, rng: random.Random) -> Sheet:
    counts = _grid(quarter)
    rows = _preamble(
        f"Table 1: Number of potential victims referred to the NRM, by exploitation type and "
        f"age group at exploitation, UK, {_months(period)}",
        rng,
    )
    rows.append(["Exploitation type", *AGE_LABELS.values(), "Total"])
    for world_type, label in EXPLOITATION_LABELS.items():
        values = [
            sum(v for (_, t, a), v in counts.items() if (t, a) == (world_type, age))
            for age in AGE_LABELS
        ]
        rows.append([label, *values, sum(values)])
    return rows + _footnotes()


def _county_of_force(authorities: pl.DataFrame) -> dict[str, str]:
    """Each force's county: that of its alphabetically first authority, so that every
    force is counted in exactly one county."""
    county: dict[str, str] = {}
    for row in authorities.sort("name").iter_rows(named=True):
        if row["pfa_code"] and row["county"]:
            county.setdefault(row["pfa_code"], row["county"])
    return county


def _county_totals(quarter: pl.DataFrame, counties: dict[str, str]) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for row in quarter.iter_rows(named=True):
        county = counties.get(row["pfa_code"])
        if county:
            totals[county] = totals.get(county, 0) + row["referrals"]
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def _county_table(totals: list[tuple[str, int]], period: str, rng: random.Random) -> Sheet:
    rows = _preamble(
        f"Table 12: Number of potential victims referred to the NRM, by UK county of "
        f"exploitation, {_months(period)}",
        rng,
    )
    rows.append(["UK County", "Total"])
    rows += [[county, total] for county, total in totals]
    return rows + _footnotes()


# --------------------------------------------------------------------------- ODS


def write_ods(path: Path, sheets: dict[str, Sheet]) -> None:
    """Each sheet's rows from A1; None is an empty cell, numbers are numeric cells."""
    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in sheets.items():
            width = max(len(r) for r in rows)
            padded = [list(r) + [None] * (width - len(r)) for r in rows]
            frame = pd.DataFrame(padded, dtype=object)
            frame.to_excel(writer, sheet_name=name, header=False, index=False)
    _make_reproducible(path)


def _make_reproducible(path: Path) -> None:
    """Rewrite the zip so that the same sheets always give the same bytes. odfpy stamps
    members with the current time, and declares on each document every namespace any
    earlier document of the process used (a class attribute); both are fixed here. The
    uncompressed `mimetype` member stays first, as ODS requires."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            if info.filename.endswith(".xml"):
                data = _all_namespaces(data)
            archive.writestr(fixed, data)


def _all_namespaces(xml: bytes) -> bytes:
    """The root element declaring all of odfpy's namespaces, sorted (valid whatever the
    document uses, and independent of what the process wrote before)."""
    root = xml.index(b"<", xml.index(b"?>") + 2)
    end = xml.index(b">", root)
    tag = _XMLNS.sub(b"", xml[root:end])
    name, _, rest = tag.partition(b" ")
    declarations = b"".join(
        f' xmlns:{prefix}="{url}"'.encode()
        for url, prefix in sorted(nsdict.items(), key=_by_prefix)
    )
    return xml[:root] + name + declarations + (b" " + rest if rest else b"") + xml[end:]


def _by_prefix(item: tuple[str, str]) -> str:
    return item[1]
