"""MHCLG: English Indices of Deprivation 2019 (IoD2019), LSOA level.

Two of the published files are read, both for the 32,844 English LSOAs (2011):
- File 1, `File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx`: sheet `IMD2019`
  with LSOA and local-authority (2019) codes and names, IMD rank and decile;
- File 7, `File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv`:
  57 columns, every domain's score, rank and decile and the mid-2015 population
  denominators. Heyrick keeps the IMD score, the income and employment rates
  and the total population; the other 47 columns are named in a parse note.
Either file alone is accepted; given both, File 1 is the base and File 7 adds
its scores, and the two must agree on every LSOA, rank and decile.

Facts of the real files (see ../shared/data/PROVENANCE.md):
- File 1's first sheet is `Notes`, whose text sits in a drawing (no cell values);
- ranks run 1 (most deprived) to 32,844 and decile = ceil(rank / 3,284.4) for
  every LSOA of the real File 1; ranks have ties (32,818 distinct values), so
  the rank is not a key;
- File 7 names the rank and decile columns differently from File 1
  ("... Rank (where 1 is most deprived)"); its header list here is the
  published one as quoted by several public projects, because no copy of the
  file itself could be obtained: a real File 7 has not been parsed yet;
- both belong to one release, published 26 September 2019 and not revised, so
  `_vintage` is that date.
`_source_row` is the 1-based data record: the spreadsheet row is one more,
the CSV line number one more.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import fastexcel
import pandera.polars as pa
import polars as pl

from heyrick_dagster.sources import files, http, raw_store
from heyrick_dagster.sources.base import CheckSpec, Connector, Emit, ParseResult, RawTable
from heyrick_dagster.sources.contract import RawContract, cast_strict, validate
from heyrick_dagster.sources.errors import ContractError, ParseError
from heyrick_dagster.sources.metadata import SourceMetadata

if TYPE_CHECKING:
    import pandas as pd

    from heyrick_dagster.settings import Settings

SOURCE = "imd"
TABLE = "lsoa_deprivation"
VINTAGE = date(2019, 9, 26)
N_LSOAS = 32_844
SHEET = "IMD2019"

_ASSETS = "https://assets.publishing.service.gov.uk/government/uploads/system/uploads"
FILE_1_URL = (
    f"{_ASSETS}/attachment_data/file/833970/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"
)
FILE_7_URL = (
    f"{_ASSETS}/attachment_data/file/845345/"
    "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
)

METADATA = SourceMetadata(
    key=SOURCE,
    title="English Indices of Deprivation 2019 (LSOA level)",
    publisher="Ministry of Housing, Communities and Local Government (MHCLG)",
    licence="Open Government Licence v3.0",
    official_url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
    refresh_cadence="one release (26 September 2019); the next is the IoD2025",
    stale_after_days=6 * 365,  # a release every four to six years (2010, 2015, 2019, 2025)
    coverage="England: 32,844 LSOAs (2011 boundaries), local authority districts as of 2019",
    data_owner_contact="MHCLG deprivation statistics team (indices.deprivation@communities.gov.uk)",
)

_RANK_NOTE = " (where 1 is most deprived)"
_DECILE_NOTE = " (where 1 is most deprived 10% of LSOAs)"
_DOMAINS = (
    ("Index of Multiple Deprivation (IMD)", "Score"),
    ("Income", "Score (rate)"),
    ("Employment", "Score (rate)"),
    ("Education, Skills and Training", "Score"),
    ("Health Deprivation and Disability", "Score"),
    ("Crime", "Score"),
    ("Barriers to Housing and Services", "Score"),
    ("Living Environment", "Score"),
    ("Income Deprivation Affecting Children Index (IDACI)", "Score (rate)"),
    ("Income Deprivation Affecting Older People (IDAOPI)", "Score (rate)"),
    ("Children and Young People Sub-domain", "Score"),
    ("Adult Skills Sub-domain", "Score"),
    ("Geographical Barriers Sub-domain", "Score"),
    ("Wider Barriers Sub-domain", "Score"),
    ("Indoors Sub-domain", "Score"),
    ("Outdoors Sub-domain", "Score"),
)
_AREA_HEADER = (
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2019)",
    "Local Authority District name (2019)",
)
POPULATION_HEADER = (
    "Total population: mid 2015 (excluding prisoners)",
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
    "Population aged 16-59: mid 2015 (excluding prisoners)",
    "Older population aged 60 and over: mid 2015 (excluding prisoners)",
    "Working age population 18-59/64: for use with Employment Deprivation Domain "
    "(excluding prisoners)",
)
# The 57 published columns of File 7, in order.
FILE_7_HEADER: tuple[str, ...] = (
    _AREA_HEADER
    + tuple(
        header
        for domain, score in _DOMAINS
        for header in (
            f"{domain} {score}",
            f"{domain} Rank{_RANK_NOTE}",
            f"{domain} Decile{_DECILE_NOTE}",
        )
    )
    + POPULATION_HEADER
)
_AREA_COLUMNS = dict(
    zip(_AREA_HEADER, ("lsoa_code", "lsoa_name", "lad_code", "lad_name"), strict=True)
)
FILE_1_COLUMNS = _AREA_COLUMNS | {
    "Index of Multiple Deprivation (IMD) Rank": "imd_rank",
    "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
}
FILE_7_COLUMNS = _AREA_COLUMNS | {
    "Index of Multiple Deprivation (IMD) Score": "imd_score",
    f"Index of Multiple Deprivation (IMD) Rank{_RANK_NOTE}": "imd_rank",
    f"Index of Multiple Deprivation (IMD) Decile{_DECILE_NOTE}": "imd_decile",
    "Income Score (rate)": "income_score",
    "Employment Score (rate)": "employment_score",
    POPULATION_HEADER[0]: "population",
}
SCORE_COLUMNS = ["imd_score", "income_score", "employment_score", "population"]
DTYPES: dict[str, pl.DataType] = {
    "imd_rank": pl.Int64,
    "imd_decile": pl.Int64,
    "imd_score": pl.Float64,
    "income_score": pl.Float64,
    "employment_score": pl.Float64,
    "population": pl.Int64,
}
LINEAGE_COLUMNS = ["_source_file", "_source_row", "_vintage"]
COLUMNS = [
    "lsoa_code",
    "lsoa_name",
    "lad_code",
    "lad_name",
    "imd_rank",
    "imd_decile",
    *SCORE_COLUMNS,
    *LINEAGE_COLUMNS,
]


class LsoaDeprivationContract(RawContract):
    """Structure, types, the key and the published ranges at ingest; rank/decile
    consistency and completeness are the Great Expectations suites' job."""

    lsoa_code: str = pa.Field(nullable=False, unique=True, str_matches=r"^E01\d{6}$")
    lsoa_name: str = pa.Field(nullable=True)
    lad_code: str = pa.Field(nullable=False)
    lad_name: str = pa.Field(nullable=True)
    imd_rank: int = pa.Field(nullable=False, ge=1, le=N_LSOAS)
    imd_decile: int = pa.Field(nullable=False, ge=1, le=10)
    imd_score: float = pa.Field(nullable=True, ge=0, le=100)
    income_score: float = pa.Field(nullable=True, ge=0, le=1)
    employment_score: float = pa.Field(nullable=True, ge=0, le=1)
    population: int = pa.Field(nullable=True, ge=0)


@dataclass(frozen=True)
class ParsedFile:
    frame: pl.DataFrame
    file: str
    kind: str  # "file_1" | "file_7"
    unmapped: tuple[str, ...]  # published columns Heyrick does not keep


# --------------------------------------------------------------------------- fetch


def fetch_live(
    urls: Sequence[str],
    folder: Path,
    policy: http.RetryPolicy,
    emit: Callable[[str], None] | None = None,
) -> list[raw_store.RawFile]:
    """Download File 1 and File 7 (or whatever `urls` name) into the raw-store folder."""
    downloads = [http.Download(url, url.rstrip("/").rsplit("/", 1)[-1]) for url in urls]
    return http.download_all(SOURCE, downloads, folder, policy, emit)


# --------------------------------------------------------------------------- parse


def parse_file(path: Path) -> ParsedFile:
    """Read one File 1 workbook (.xlsx) or File 7 CSV into typed, lineage-tagged rows."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return _read_file_1(path)
    if path.suffix.lower() == ".csv":
        return _read_file_7(path)
    raise ParseError(
        SOURCE,
        path,
        "not an IoD2019 file: expected File 1 (.xlsx) or File 7 (.csv)",
    )


def _read_file_1(path: Path) -> ParsedFile:
    files.check_archive(path, SOURCE, "an IoD2019 File 1 workbook", "xl/workbook.xml")
    try:
        reader = fastexcel.read_excel(str(path))
        if SHEET not in reader.sheet_names:
            raise ParseError(
                SOURCE,
                path,
                f"the workbook has no sheet {SHEET!r} (sheets: {reader.sheet_names}): "
                "this is not File 1 of the IoD2019",
            )
        raw = reader.load_sheet_by_name(SHEET, dtypes="string").to_polars()
    except (fastexcel.CalamineError, fastexcel.FastExcelError) as exc:
        raise ParseError(SOURCE, path, f"the workbook cannot be read: {exc}") from exc
    frame = _to_frame(raw, FILE_1_COLUMNS, str(path), f"sheet {SHEET!r}")
    return ParsedFile(frame, str(path), "file_1", ())


def _read_file_7(path: Path) -> ParsedFile:
    files.sniff(path, SOURCE, "IoD2019 data")
    data = path.read_bytes()  # about 11 MB: small enough to check the encoding whole
    # Checked whole, so that a bad byte is named at its record (polars only says "invalid
    # utf-8"); polars itself drops a byte-order mark.
    text = files.decode_text(data, SOURCE, path, row_of=_data_record_at)
    width = len(next(csv.reader(io.StringIO(text)), []))
    files.require_whole_last_line(
        path, SOURCE, str(path), width, lambda: _data_record_at(text.rstrip("\r\n"))
    )
    try:
        raw = pl.read_csv(data, infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise ParseError(SOURCE, path, f"the CSV cannot be read: {exc}") from exc
    raw = raw.rename(lambda c: c.strip())
    frame = _to_frame(raw, FILE_7_COLUMNS, str(path), "the CSV header")
    unmapped = tuple(c for c in raw.columns if c not in FILE_7_COLUMNS)
    return ParsedFile(frame, str(path), "file_7", unmapped)


def _data_record_at(text: str) -> int | None:
    """The data record (the header is record 1 of the file, and row None)."""
    return files.csv_record_at(text) - 1 or None


def _to_frame(raw: pl.DataFrame, columns: dict[str, str], file: str, where: str) -> pl.DataFrame:
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise ParseError(
            SOURCE,
            file,
            f"{where} lacks column(s) {missing}; it has {raw.columns}",
            hint="a renamed or re-ordered release needs the column map in sources/imd.py",
        )
    frame = raw.select([pl.col(k).str.strip_chars().alias(v) for k, v in columns.items()])
    frame = frame.with_columns(
        # Integers re-saved by some spreadsheet programs come back as "123.0".
        pl.col(c).str.replace(r"\.0+$", "")
        for c in ("imd_rank", "imd_decile", "population")
        if c in frame.columns
    )
    frame = frame.with_columns(
        [pl.lit(None, pl.String).alias(c) for c in SCORE_COLUMNS if c not in frame.columns]
        + [
            pl.lit(file).alias("_source_file"),
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_source_row"),
            pl.lit(VINTAGE).alias("_vintage"),
        ]
    )
    frame = cast_strict(frame, DTYPES, SOURCE, file)
    return frame.select(COLUMNS)


def parse_files(paths: Sequence[Path]) -> tuple[pl.DataFrame, list[ParsedFile]]:
    """Parse and contract-check File 1 and/or File 7; merged on lsoa_code when both are given."""
    parsed = [parse_file(Path(p)) for p in paths]
    for item in parsed:
        validate(item.frame, LsoaDeprivationContract, SOURCE, item.file)
    by_kind: dict[str, ParsedFile] = {}
    for item in parsed:
        if item.kind in by_kind:
            raise ParseError(
                SOURCE,
                item.file,
                f"a second {item.kind.replace('_', ' ')} was given "
                f"(the first is {by_kind[item.kind].file}): give one of each at most",
            )
        by_kind[item.kind] = item
    if not by_kind:
        return _empty(), parsed
    if len(by_kind) == 1:
        return next(iter(by_kind.values())).frame, parsed
    return _merge(by_kind["file_1"], by_kind["file_7"]), parsed


def _empty() -> pl.DataFrame:
    schema = {c: pl.String for c in COLUMNS} | DTYPES
    schema |= {"_source_row": pl.Int64, "_vintage": pl.Date}
    return pl.DataFrame(schema=schema).select(COLUMNS)


def _merge(file_1: ParsedFile, file_7: ParsedFile) -> pl.DataFrame:
    """File 1's rows and lineage, with File 7's scores; both files must describe the
    same LSOAs with the same ranks, or one of them is from another release."""
    scores = file_7.frame.select(
        "lsoa_code",
        pl.col("imd_rank").alias("rank_7"),
        pl.col("imd_decile").alias("decile_7"),
        pl.col("_source_row").alias("row_7"),
        *SCORE_COLUMNS,
    )
    merged = file_1.frame.drop(SCORE_COLUMNS).join(
        scores, on="lsoa_code", how="full", coalesce=True
    )
    only_7 = merged.filter(pl.col("_source_row").is_null())
    if only_7.height:
        first = only_7.row(0, named=True)
        raise ContractError(
            SOURCE,
            file_7.file,
            f"{only_7.height} LSOA(s) of File 7 are not in File 1 ({file_1.file}), the first "
            f"{first['lsoa_code']}: the two files are not from the same release",
            row=first["row_7"],
        )
    only_1 = merged.filter(pl.col("row_7").is_null())
    if only_1.height:
        first = only_1.row(0, named=True)
        raise ContractError(
            SOURCE,
            file_1.file,
            f"{only_1.height} LSOA(s) of File 1 are not in File 7 ({file_7.file}), the first "
            f"{first['lsoa_code']}: the two files are not from the same release",
            row=first["_source_row"],
        )
    disagree = merged.filter(
        (pl.col("imd_rank") != pl.col("rank_7")) | (pl.col("imd_decile") != pl.col("decile_7"))
    )
    if disagree.height:
        first = disagree.row(0, named=True)
        raise ContractError(
            SOURCE,
            file_7.file,
            f"{disagree.height} LSOA(s) have another IMD rank or decile in File 7 than in "
            f"File 1, the first {first['lsoa_code']} (rank {first['rank_7']} here, "
            f"{first['imd_rank']} in {file_1.file})",
            row=first["row_7"],
        )
    return merged.sort("_source_row").select(COLUMNS)


# --------------------------------------------------------------------------- quality frames


def decile_consistency(lsoas: pd.DataFrame) -> pd.DataFrame:
    """One row per LSOA with the decile its rank implies, for suite
    `imd__lsoa_deprivation_deciles`: decile d holds ranks (d-1)*3284.4 < rank <= d*3284.4."""
    import pandas as pd

    width = N_LSOAS / 10
    ranks = lsoas["imd_rank"]
    expected = [None if pd.isna(r) else math.ceil(int(r) / width) for r in ranks]
    return pd.DataFrame(
        {
            "lsoa_code": lsoas["lsoa_code"],
            "imd_rank": ranks,
            "imd_decile": lsoas["imd_decile"],
            "expected_decile": pd.array(expected, dtype="Int64"),
        }
    )


# --------------------------------------------------------------------------- connector


def _parse(paths: Sequence[Path]) -> ParseResult:
    frame, parsed = parse_files(paths)
    notes = [
        f"{Path(p.file).name}: {len(p.unmapped)} published columns not kept "
        f"(other domains, ranks, deciles and denominators): {list(p.unmapped)}"
        for p in parsed
        if p.unmapped
    ]
    return ParseResult({TABLE: frame}, notes)


def _fetch(settings: Settings, folder: Path, emit: Emit | None) -> list[raw_store.RawFile]:
    return fetch_live(
        (FILE_1_URL, FILE_7_URL), folder, http.RetryPolicy.for_settings(settings), emit
    )


CONNECTOR = Connector(
    metadata=METADATA,
    tables=(
        RawTable(
            name=TABLE,
            description="One row per English LSOA (2011): IMD 2019 rank and decile from "
            "File 1, scores and population from File 7 when given.",
            checks=(
                CheckSpec(
                    name="passes_quality_suite",
                    suite="imd__lsoa_deprivation",
                    description="LSOA code unique, present and E01 + 6 digits; ranks 1-32,844, "
                    "deciles 1-10, rates 0-1; at least one row. Failing blocks downstream.",
                ),
                CheckSpec(
                    name="deciles_follow_ranks",
                    suite="imd__lsoa_deprivation_deciles",
                    description="Every decile equals ceil(rank / 3,284.4), as published: "
                    "a mismatch means shifted columns or a mixed-up release.",
                    frame=decile_consistency,
                ),
                CheckSpec(
                    name="within_drift_bounds",
                    suite="imd__lsoa_deprivation_drift",
                    description="At most 32,844 LSOAs, names present, populations plausible. "
                    "Warns, never blocks.",
                    blocking=False,
                ),
            ),
        ),
    ),
    file_patterns=("File_1_*IMD2019*.xlsx", "File_7_*IoD2019*.csv"),
    parse=_parse,
    fetch_live=_fetch,
)
