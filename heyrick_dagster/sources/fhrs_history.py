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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandera.polars as pa
import polars as pl

from heyrick_dagster.sources import fhrs, raw_store
from heyrick_dagster.sources.base import CheckSpec, Connector, Emit, ParseResult, RawTable
from heyrick_dagster.sources.contract import RawContract, validate
from heyrick_dagster.sources.errors import ParseError
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
    """The rating fields of every copy, in date order, and a note of the copies read."""
    parsed = [fhrs.parse_file(Path(p)) for p in paths]
    if not parsed:
        return empty_frame(), []
    seen: dict[tuple[str, date], str] = {}
    frames = []
    for item in sorted(parsed, key=lambda p: (p.extract_date, p.file)):
        frame = item.frame.select(COLUMNS)
        validate(frame, RatingsContract, SOURCE, item.file)
        for code in frame["local_authority_code"].drop_nulls().unique().to_list():
            if (code, item.extract_date) in seen:
                raise ParseError(
                    SOURCE,
                    item.file,
                    f"a second copy of authority {code}'s file of {item.extract_date}; the "
                    f"first is {Path(seen[(code, item.extract_date)]).name}",
                    hint="keep one copy per authority and day",
                )
            seen[(code, item.extract_date)] = item.file
        frames.append(frame)
    days = sorted({day for _, day in seen})
    note = (
        f"{len(parsed)} copies of {len({code for code, _ in seen})} authorities' files, "
        f"dated {days[0]} to {days[-1]}"
        if days
        else f"{len(parsed)} copies with no rows"
    )
    return pl.concat(frames, how="vertical"), [note]


def _parse(paths: Sequence[Path]) -> ParseResult:
    frame, notes = read_copies(paths)
    return ParseResult({TABLE: frame}, notes)


def fetch_live(settings: Settings, folder: Path, emit: Emit | None) -> list[raw_store.RawFile]:
    """The FHRS files of the raw store's earlier vintages (Heyrick's own runs), stored
    again under names that carry their vintage (the bytes are not copied: the store is
    content-addressed); none before the first run."""
    today = datetime.now(UTC).date().isoformat()
    kept = []
    for vintage_dir in sorted((settings.raw_dir / fhrs.SOURCE).glob("*")):
        if not _VINTAGE.match(vintage_dir.name) or vintage_dir.name >= today:
            continue  # the object store, or today's own files
        for path in sorted(vintage_dir.glob("FHRS*.xml")):
            dest = folder / f"{path.stem}_{vintage_dir.name}.xml"
            kept.append(raw_store.store(path, dest, str(path), move=False))
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
