"""Earlier copies of the FSA's FHRS files: the ratings premises had before their latest.

FHRS publishes only each premises' latest inspection, so a rating trend needs copies of
the per-authority files taken earlier. Any number of them are read here, each dated by
its header's ExtractDate (the `_vintage` of its rows), in the FHRS layout and through
the FHRS parser (`sources/fhrs.py`: the same checks and errors). One row per
establishment per copy, with the rating fields only: the trend needs nothing else, and
the latest copy's names and addresses are in raw.fhrs__establishments.

Where copies come from:
- files mode: `<files dir>/fhrs_history/`, each under a unique name (the raw store keeps
  files by name), e.g. `FHRS523en-GB_2020-08-08.xml` for the copy of 8 August 2020
  (../shared/data/fhrs/history keeps its real copies in dated folders instead);
- live mode: the FHRS files of Heyrick's own earlier runs, in the raw store
  (`data/raw/fhrs/<earlier vintage>/`): a deployment builds its archive as it runs;
- sample mode: the sample writes six yearly copies (`sample/writers/fhrs_history.py`).
Two copies of one authority on one day would repeat its premises: refused.

Speed: a national run reads ~2,000 copies (yearly copies of 363 authorities, 3.4M
establishments), and the FHRS parser's element-by-element reading of every field took
~140 s of it. `sources/fhrs_history_fast.py` reads the rating fields alone and hands any
file it is not sure of to the FHRS parser, which names the problem; the copies are read
on one thread per core, as libxml2 and libxslt release the GIL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pandera.polars as pa
import polars as pl

from heyrick_dagster.sources import fhrs, fhrs_history_fast, raw_store
from heyrick_dagster.sources.base import CheckSpec, Connector, Emit, ParseResult, RawTable
from heyrick_dagster.sources.contract import RawContract, cast_strict, validate
from heyrick_dagster.sources.errors import ContractError, ParseError
from heyrick_dagster.sources.metadata import SourceMetadata

if TYPE_CHECKING:
    from heyrick_dagster.settings import Settings

SOURCE = "fhrs_history"
TABLE = "ratings"
FIELDS = [
    "fhrsid",
    "local_authority_code",
    "rating_value",
    "rating_key",
    "rating_date",
    "score_hygiene",
    "score_structural",
    "score_confidence_in_management",
]
COLUMNS = FIELDS + ["_source_file", "_source_row", "_vintage"]
_VINTAGE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Copies read at once: one per core this process may use.
_READERS = len(os.sched_getaffinity(0))
T = TypeVar("T")

METADATA = SourceMetadata(
    key=SOURCE,
    title="Food Hygiene Rating Scheme: earlier copies of the open-data files",
    publisher="Food Standards Agency",
    licence="Open Government Licence v3.0",
    official_url="https://ratings.food.gov.uk/open-data",
    refresh_cadence="as copies are kept (the FSA publishes no archive)",
    # The newest copy should be under about a year old: a trend over the last inspection
    # cycle (one to two years) needs a copy from within it.
    stale_after_days=400,
    coverage="the establishments of the authorities whose earlier files were kept, one row "
    "per establishment per copy: rating, rating date and scores",
    data_owner_contact="Food Standards Agency, data@food.gov.uk (open data team)",
    required=False,
)


class RatingsContract(RawContract):
    """The rating fields of each copy, typed by the FHRS parser; vocabularies and dates
    are the Great Expectations suite's."""

    fhrsid: int = pa.Field(nullable=False, ge=1)
    local_authority_code: str = pa.Field(nullable=True)
    rating_value: str = pa.Field(nullable=True)
    rating_key: str = pa.Field(nullable=True)
    rating_date: date = pa.Field(nullable=True)
    score_hygiene: int = pa.Field(nullable=True, ge=0)
    score_structural: int = pa.Field(nullable=True, ge=0)
    score_confidence_in_management: int = pa.Field(nullable=True, ge=0)


def empty_frame() -> pl.DataFrame:
    return fhrs.parse_files([])[0].select(COLUMNS)


def read_copies(paths: Sequence[Path]) -> tuple[pl.DataFrame, list[str]]:
    """The rating fields of every copy, in date order, and a note of the copies read.

    Typed and contract-checked once for all copies: per copy, polars' and pandera's
    fixed costs were most of the time of a national history's ~2,000 small files. The
    errors still name the file (and row) at fault."""
    copies = sorted(_read_all([Path(p) for p in paths]), key=lambda c: (c.extract_date, c.file))
    if not copies:
        return empty_frame(), []
    frame = cast_strict(
        pl.concat([c.frame for c in copies], how="vertical"), _DTYPES, fhrs.SOURCE, copies[0].file
    )
    try:
        validate(frame, RatingsContract, SOURCE, copies[0].file)
    except ContractError:
        for copy in copies:  # the first copy at fault, named
            validate(
                frame.filter(pl.col("_source_file") == copy.file),
                RatingsContract,
                SOURCE,
                copy.file,
            )
        raise
    authorities = (
        frame.select("local_authority_code", "_vintage", "_source_file")
        .drop_nulls("local_authority_code")
        .unique(maintain_order=True)
    )
    repeated = authorities.filter(pl.struct("local_authority_code", "_vintage").is_duplicated())
    if repeated.height:
        (code, day, first), (_, _, second) = repeated.head(2).iter_rows()
        raise ParseError(
            SOURCE,
            second,
            f"a second copy of authority {code}'s file of {day}; the first is {Path(first).name}",
            hint="keep one copy per authority and day",
        )
    days = authorities["_vintage"].sort()
    note = (
        f"{len(copies)} copies of {authorities['local_authority_code'].n_unique()} "
        f"authorities' files, dated {days[0]} to {days[-1]}"
        if days.len()
        else f"{len(copies)} copies with no rows"
    )
    return frame, [note]


# The types the FHRS parser gives the history's columns (the fast reading leaves them text).
_DTYPES = {c: t for c, t in fhrs.DTYPES.items() if c in FIELDS}


def _read_all(paths: list[Path]) -> list[fhrs_history_fast.Copy]:
    """Every copy's rating fields, as text: read fast (each file's lines on one thread per
    core, then all of them by polars at once), else by the FHRS parser, which raises
    naming the file and row of anything wrong. When several files fail, the error raised
    is the first one's in the order given, as when the copies were read one by one."""
    with ThreadPoolExecutor(max_workers=_READERS) as pool:
        texts = list(pool.map(_attempt(_lines), paths))
        fast = [t for t in texts if isinstance(t, fhrs_history_fast.Lines)]
        frame, unsure = fhrs_history_fast.frames(fast, FIELDS) if fast else (None, set())
        slow = [i for i, t in enumerate(texts) if t is None or str(paths[i]) in unsure]
        attempts = pool.map(_attempt(_by_fhrs_parser), [paths[i] for i in slow])
        parsed = dict(zip(slow, attempts, strict=True))
    for i, text in enumerate(texts):
        outcome = parsed.get(i, text)
        if isinstance(outcome, Exception):
            raise outcome
    sure = [t for t in fast if t.file not in unsure]
    return [*_split(frame, sure), *parsed.values()]


def _lines(path: Path) -> fhrs_history_fast.Lines | None:
    return fhrs_history_fast.lines(path, FIELDS)


def _attempt(read: Callable[[Path], T]) -> Callable[[Path], T | Exception]:
    """`read`, returning the exception it raises instead of raising it."""

    def attempted(path: Path) -> T | Exception:
        try:
            return read(path)
        except Exception as exc:  # raised again by _read_all, in the order of the files
            return exc

    return attempted


def _split(frame: pl.DataFrame | None, copies: list[fhrs_history_fast.Lines]):
    """Each copy's rows of `frame` (which holds them in the order of `copies`)."""
    start = 0
    for copy in copies:
        yield fhrs_history_fast.Copy(frame.slice(start, copy.records), copy.file, copy.extract_date)
        start += copy.records


def _by_fhrs_parser(path: Path) -> fhrs_history_fast.Copy:
    """One copy's rating fields, as text, by the FHRS parser (which raises naming the
    file and row of anything wrong)."""
    item = fhrs.parse_file(path)
    as_text = item.frame.select(COLUMNS).with_columns(pl.col(c).cast(pl.String) for c in _DTYPES)
    return fhrs_history_fast.Copy(as_text, item.file, item.extract_date)


def _parse(paths: Sequence[Path]) -> ParseResult:
    frame, notes = read_copies(paths)
    return ParseResult({TABLE: frame}, notes)


def fetch_live(settings: Settings, folder: Path, emit: Emit | None) -> list[raw_store.RawFile]:
    """The FHRS files of the raw store's earlier vintages (Heyrick's own runs), stored
    again under names that carry their vintage (the bytes are not copied: the store is
    content-addressed); none before the first run."""
    today = datetime.now(UTC).date().isoformat()
    earlier = []
    for vintage_dir in sorted((settings.raw_dir / fhrs.SOURCE).glob("*")):
        if not _VINTAGE.match(vintage_dir.name) or vintage_dir.name >= today:
            continue  # the object store, or today's own files
        for path in sorted(vintage_dir.glob("FHRS*.xml")):
            earlier.append((path, folder / f"{path.stem}_{vintage_dir.name}.xml", str(path)))
    kept = raw_store.store_all(earlier, move=False)
    if emit:
        emit(f"{SOURCE}: {len(kept)} earlier FHRS file(s) from the raw store")
    return kept


def suite_parameters() -> dict[str, date]:
    return {"today": date.today()}


CONNECTOR = Connector(
    metadata=METADATA,
    tables=(
        RawTable(
            name=TABLE,
            description="One row per establishment per earlier copy of an authority's FHRS "
            "file: its rating, rating date and scores as they stood on the copy's date.",
            checks=(
                CheckSpec(
                    name="passes_quality_suite",
                    suite="fhrs_history__ratings",
                    description="FHRSID present, ratings in the published vocabulary, no "
                    "rating dated after its copy or in the future. Failing blocks everything "
                    "downstream.",
                    parameters=suite_parameters,
                ),
            ),
        ),
    ),
    file_patterns=("FHRS*.xml",),
    parse=_parse,
    fetch_live=fetch_live,
)
