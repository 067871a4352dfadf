"""Findings about one published dataset: what is wrong, where, why it matters, how to fix it.

A rule looks at a polars frame of published records (a raw table, whose lineage columns
`_source_file` and `_source_row` say where each record came from; staging's
`source_file`/`source_row` work too) and returns a `Finding`: how many records fail out
of how many it looked at, which files hold them, and a handful of the failing records
themselves with their file and row. A publisher acts on records, not on rates.

Each finding is one of five dimensions (completeness, validity, uniqueness, timeliness,
cross-source consistency) and, as 360Giving's data-quality tool sorts them, one of two
kinds: *accuracy* (the data say something wrong: a malformed postcode, a future date, a
duplicated key) or *usefulness* (the data are right but less usable than they could be:
a missing postcode, an old rating, a superseded file).

Rules are pure functions of the frame and a `Reference` (today's date and, for
cross-source rules, the postcode directory and the IMD's LSOAs). A cross-source rule
without its reference says so ("not checked") instead of passing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import polars as pl

from heyrick_dagster.linkage.staging import canonical_postcode

ACCURACY = "accuracy"
USEFULNESS = "usefulness"

COMPLETENESS = "completeness"
VALIDITY = "validity"
UNIQUENESS = "uniqueness"
TIMELINESS = "timeliness"
CONSISTENCY = "consistency"
DIMENSIONS = (COMPLETENESS, VALIDITY, UNIQUENESS, TIMELINESS, CONSISTENCY)

MAX_EXAMPLES = 5
MAX_FILES = 5
LINEAGE = (("_source_file", "_source_row"), ("source_file", "source_row"))

_FULL_POSTCODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"
_FULL_OR_DISTRICT = r"^[A-Z]{1,2}[0-9][A-Z0-9]?(?:[0-9][A-Z]{2})?$"
# Working columns added by rules; never shown as such.
_CANONICAL = "__canonical_postcode"
_KNOWN = "__in_directory"
_TERMINATED = "__terminated"


@dataclass(frozen=True)
class Example:
    """One failing record: where it was published and the values that matter."""

    file: str | None  # the file's name (its folder is data/raw/<source>/<vintage>/)
    row: int | None  # 1-based position in that file, as the parser counts it
    values: dict[str, Any]


@dataclass(frozen=True)
class Finding:
    id: str  # "<table>:<rule>", stable across runs: the key of the history
    dataset: str  # raw table name, "fhrs__establishments"
    dimension: str
    category: str  # ACCURACY or USEFULNESS
    title: str
    column: str | None
    failing: int | None  # None: the rule could not be checked (see note)
    total: int  # records the rule looked at
    what: str  # the problem in one sentence, with its numbers
    why: str  # why it matters for using the data
    fix: str  # how the publisher can fix it
    examples: tuple[Example, ...] = ()
    by_file: tuple[tuple[str, int], ...] = ()  # files holding most failures, with counts
    note: str = ""

    @property
    def checked(self) -> bool:
        return self.failing is not None

    @property
    def is_issue(self) -> bool:
        return bool(self.failing)

    @property
    def rate(self) -> float | None:
        if self.failing is None or self.total == 0:
            return None
        return self.failing / self.total


@dataclass(frozen=True)
class PostcodeDirectory:
    """The postcode directory at hand: canonical postcodes and whether each is terminated.

    It may be an extract (a run limited to some areas, or a council's own lookup), so
    postcodes are judged only in the sectors ("SE13 6") it holds: a postcode elsewhere
    is not "unknown", merely out of its reach.
    """

    postcodes: pl.DataFrame  # columns: postcode (canonical), terminated (bool)

    @classmethod
    def from_raw(cls, frame: pl.DataFrame) -> PostcodeDirectory:
        """From raw.postcodes__postcodes (whose postcode column is canonical already)."""
        return cls(
            frame.select(
                pl.col("postcode").alias(_CANONICAL),
                pl.col("terminated").is_not_null().alias(_TERMINATED),
            ).unique(_CANONICAL, keep="first")
        )

    @property
    def sectors(self) -> pl.DataFrame:
        return self.postcodes.select(_sector(pl.col(_CANONICAL)).alias("__sector")).unique()

    @property
    def size(self) -> int:
        return self.postcodes.height


@dataclass(frozen=True)
class Reference:
    today: dt.date
    directory: PostcodeDirectory | None = None
    imd_lsoas: frozenset[str] | None = None  # LSOA codes the IMD ranks


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One check of a dataset. `problem` completes "<n> of <total> <scope> ..."."""

    name: str  # unique within the dataset, e.g. "postcode_missing"
    title: str
    column: str | None
    problem: str
    why: str
    fix: str
    category: str = ACCURACY
    where: pl.Expr | None = field(default=None, compare=False)  # rows the rule considers
    scope: str | None = None  # words for those rows ("rated establishments")
    dimension = VALIDITY

    def columns(self) -> list[str]:
        return [self.column] if self.column else []

    def shown(self) -> list[str]:
        """Columns to show in examples besides the dataset's key columns."""
        return self.columns()

    def default_scope(self, noun: str) -> str:
        return noun

    def population(self, frame: pl.DataFrame, ref: Reference) -> pl.DataFrame | str:
        """The rows the rule looks at, or why it cannot look (a sentence)."""
        return frame

    def fails(self, ref: Reference) -> pl.Expr:
        raise NotImplementedError


def _present(column: str) -> pl.Expr:
    col = pl.col(column)
    return col.is_not_null() & (col.cast(pl.String).str.strip_chars() != "")


@dataclass(frozen=True, kw_only=True)
class Missing(Rule):
    """Completeness: the value is absent, blank, or a published placeholder."""

    blanks: tuple[str, ...] = ()  # placeholders meaning "none", e.g. "None Supplied"
    category: str = USEFULNESS
    dimension = COMPLETENESS

    def fails(self, ref: Reference) -> pl.Expr:
        missing = ~_present(self.column)
        if self.blanks:
            missing = missing | pl.col(self.column).cast(pl.String).str.strip_chars().is_in(
                list(self.blanks)
            )
        return missing.fill_null(True)


@dataclass(frozen=True, kw_only=True)
class PostcodeFormat(Rule):
    """Validity: a published postcode that is not a UK postcode (spacing and case aside)."""

    allow_district: bool = False  # a list that gives "SE13" where it has no full postcode

    def default_scope(self, noun: str) -> str:
        return f"{noun} that give a {self.column}"

    def population(self, frame, ref):
        return frame.filter(_present(self.column))

    def fails(self, ref):
        compact = (
            pl.col(self.column)
            .cast(pl.String)
            .str.replace_all(r"[^A-Za-z0-9]", "")
            .str.to_uppercase()
        )
        pattern = _FULL_OR_DISTRICT if self.allow_district else _FULL_POSTCODE
        return ~compact.str.contains(pattern)


@dataclass(frozen=True, kw_only=True)
class PostcodeNotCanonical(Rule):
    """Validity (usefulness): a valid postcode written in another form ("se136jg")."""

    category: str = USEFULNESS

    def default_scope(self, noun: str) -> str:
        return f"{noun} with a valid {self.column}"

    def population(self, frame, ref):
        return frame.with_columns(canonical_postcode(self.column).alias(_CANONICAL)).filter(
            pl.col(_CANONICAL).is_not_null()
        )

    def fails(self, ref):
        return pl.col(self.column) != pl.col(_CANONICAL)


@dataclass(frozen=True, kw_only=True)
class Pattern(Rule):
    """Validity: a present value that does not match the published format."""

    regex: str

    def default_scope(self, noun: str) -> str:
        return f"{noun} that give a {self.column}"

    def population(self, frame, ref):
        return frame.filter(_present(self.column))

    def fails(self, ref):
        return ~pl.col(self.column).cast(pl.String).str.contains(self.regex)


@dataclass(frozen=True, kw_only=True)
class OutOfRange(Rule):
    """Validity: a value below `low` or above `high` (literals, or expressions such as
    the record's own file date `pl.col("_vintage")`)."""

    low: Any = field(default=None, compare=False)
    high: Any = field(default=None, compare=False)
    also_shown: tuple[str, ...] = ()

    def shown(self) -> list[str]:
        return [*self.columns(), *self.also_shown]

    def default_scope(self, noun: str) -> str:
        return f"{noun} that give a {self.column}"

    def population(self, frame, ref):
        return frame.filter(pl.col(self.column).is_not_null())

    def fails(self, ref):
        col = pl.col(self.column)
        out = pl.lit(False)
        if self.low is not None:
            out = out | (col < self.low)
        if self.high is not None:
            out = out | (col > self.high)
        return out.fill_null(False)


@dataclass(frozen=True, kw_only=True)
class Contradiction(Rule):
    """Validity: fields of one record that cannot all be true (`expr` marks those records)."""

    expr: pl.Expr = field(compare=False)
    needs: tuple[str, ...]

    def columns(self) -> list[str]:
        return list(self.needs)

    def default_scope(self, noun: str) -> str:
        return f"{noun} that give {' and '.join(self.needs)}"

    def population(self, frame, ref):
        return frame.filter(pl.all_horizontal([pl.col(c).is_not_null() for c in self.needs]))

    def fails(self, ref):
        return self.expr.fill_null(False)


@dataclass(frozen=True, kw_only=True)
class Duplicated(Rule):
    """Uniqueness: records sharing what should identify one record."""

    key: tuple[str, ...]
    dimension = UNIQUENESS

    def columns(self) -> list[str]:
        return list(self.key)

    def default_scope(self, noun: str) -> str:
        return noun

    def population(self, frame, ref):
        present = pl.all_horizontal([pl.col(c).is_not_null() for c in self.key])
        return frame.filter(present)

    def fails(self, ref):
        return pl.struct(list(self.key)).is_duplicated()


@dataclass(frozen=True, kw_only=True)
class OlderThan(Rule):
    """Timeliness: a record dated more than `days` before its own file's date."""

    days: int
    reference_column: str = "_vintage"
    category: str = USEFULNESS
    dimension = TIMELINESS

    def shown(self) -> list[str]:
        return [self.column, self.reference_column]

    def default_scope(self, noun: str) -> str:
        return f"{noun} that give a {self.column}"

    def population(self, frame, ref):
        return frame.filter(pl.col(self.column).is_not_null())

    def fails(self, ref):
        age = (pl.col(self.reference_column) - pl.col(self.column)).dt.total_days()
        return (age > self.days).fill_null(False)


@dataclass(frozen=True, kw_only=True)
class FileAge(Rule):
    """Timeliness: records in a file whose date (`_vintage`) is more than `days` before
    today, the publisher's cadence plus its usual slack.

    `newest_only` for a series of instalments (a list per quarter, a naming round): old
    instalments are history, not staleness, so only the newest file is judged."""

    days: int
    newest_only: bool = False
    column: str | None = "_vintage"
    category: str = USEFULNESS
    dimension = TIMELINESS

    def default_scope(self, noun: str) -> str:
        return f"{noun} in the newest file" if self.newest_only else noun

    def population(self, frame, ref):
        if self.newest_only and frame.height:
            return frame.filter(pl.col(self.column) == pl.col(self.column).max())
        return frame

    def fails(self, ref):
        age = (pl.lit(ref.today) - pl.col(self.column)).dt.total_days()
        return (age > self.days).fill_null(False)


@dataclass(frozen=True, kw_only=True)
class PostcodeUnknown(Rule):
    """Consistency: a valid postcode the ONS postcode directory does not hold."""

    dimension = CONSISTENCY

    def default_scope(self, noun: str) -> str:
        return f"{noun} with a valid {self.column} in a sector the directory covers"

    def population(self, frame, ref):
        if ref.directory is None or ref.directory.size == 0:
            return "no postcode directory to compare with (raw.postcodes__postcodes is empty)"
        joined = _with_directory(frame, self.column, ref.directory)
        covered = joined.with_columns(_sector(pl.col(_CANONICAL)).alias("__sector"))
        return covered.join(ref.directory.sectors, on="__sector", how="semi")

    def fails(self, ref):
        return ~pl.col(_KNOWN)


@dataclass(frozen=True, kw_only=True)
class PostcodeTerminated(Rule):
    """Consistency: a postcode the directory records as terminated (no longer in use)."""

    dimension = CONSISTENCY

    def default_scope(self, noun: str) -> str:
        return f"{noun} whose {self.column} the directory holds"

    def population(self, frame, ref):
        if ref.directory is None or ref.directory.size == 0:
            return "no postcode directory to compare with (raw.postcodes__postcodes is empty)"
        return _with_directory(frame, self.column, ref.directory).filter(pl.col(_KNOWN))

    def fails(self, ref):
        return pl.col(_TERMINATED).fill_null(False)


@dataclass(frozen=True, kw_only=True)
class LsoaNotRanked(Rule):
    """Consistency: an English LSOA code that the Index of Multiple Deprivation does not rank."""

    category: str = USEFULNESS
    dimension = CONSISTENCY

    def default_scope(self, noun: str) -> str:
        return f"{noun} with an English {self.column}"

    def population(self, frame, ref):
        if not ref.imd_lsoas:
            return "no deprivation table to compare with (raw.imd__lsoa_deprivation is empty)"
        return frame.filter(pl.col(self.column).cast(pl.String).str.starts_with("E01"))

    def fails(self, ref):
        return ~pl.col(self.column).is_in(sorted(ref.imd_lsoas or ()))


def _sector(canonical: pl.Expr) -> pl.Expr:
    return canonical.str.slice(0, canonical.str.len_chars() - 2)


def _with_directory(frame: pl.DataFrame, column: str, directory: PostcodeDirectory):
    """The frame's valid postcodes with whether the directory holds them and their status."""
    with_canonical = frame.with_columns(canonical_postcode(column).alias(_CANONICAL)).filter(
        pl.col(_CANONICAL).is_not_null()
    )
    known = directory.postcodes.with_columns(pl.lit(True).alias(_KNOWN))
    return with_canonical.join(known, on=_CANONICAL, how="left").with_columns(
        pl.col(_KNOWN).fill_null(False)
    )


# --------------------------------------------------------------------------- evaluation


def evaluate(
    rule: Rule,
    frame: pl.DataFrame,
    *,
    dataset: str,
    noun: str,
    keys: tuple[str, ...],
    ref: Reference,
) -> Finding:
    """Run one rule over a dataset's records."""
    scope = rule.scope or rule.default_scope(noun)

    def finding(failing: int | None, total: int, what: str, **extra) -> Finding:
        return Finding(
            id=f"{dataset}:{rule.name}",
            dataset=dataset,
            dimension=rule.dimension,
            category=rule.category,
            title=rule.title,
            column=rule.column,
            failing=failing,
            total=total,
            what=what,
            why=rule.why,
            fix=rule.fix,
            **extra,
        )

    missing = [c for c in rule.columns() if c not in frame.columns]
    if missing:
        return finding(None, 0, f"not checked: no column {', '.join(missing)} in this table")
    considered = frame.filter(rule.where) if rule.where is not None else frame
    population = rule.population(considered, ref)
    if isinstance(population, str):
        return finding(None, 0, f"not checked: {population}", note=population)
    bad = population.filter(rule.fails(ref))
    total, failing = population.height, bad.height
    if failing:
        what = f"{failing:,} of {total:,} {scope} ({format_rate(failing / total)}) {rule.problem}."
    elif total:
        what = f"0 of {total:,} {scope}."
    else:
        what = f"No {scope} to check."
    shown = [c for c in (*keys, *rule.shown()) if c in bad.columns]
    return finding(
        failing,
        total,
        what,
        examples=tuple(examples(bad, shown, one_per_file=isinstance(rule, FileAge))),
        by_file=tuple(failures_by_file(bad)),
    )


def lineage_columns(frame: pl.DataFrame) -> tuple[str, str] | None:
    for file_col, row_col in LINEAGE:
        if file_col in frame.columns and row_col in frame.columns:
            return file_col, row_col
    return None


def examples(
    bad: pl.DataFrame, shown: list[str], *, one_per_file: bool = False, limit: int = MAX_EXAMPLES
) -> list[Example]:
    """The first failing records in file and row order, with their file and row."""
    lineage = lineage_columns(bad)
    shown = list(dict.fromkeys(c for c in shown if lineage is None or c not in lineage))
    if lineage:
        bad = bad.sort(list(lineage))
        if one_per_file:
            bad = bad.unique(lineage[0], keep="first", maintain_order=True)
    out = []
    for record in bad.head(limit).iter_rows(named=True):
        out.append(
            Example(
                file=file_name(record[lineage[0]]) if lineage else None,
                row=record[lineage[1]] if lineage else None,
                values={c: record[c] for c in shown},
            )
        )
    return out


def failures_by_file(bad: pl.DataFrame, limit: int = MAX_FILES) -> list[tuple[str, int]]:
    lineage = lineage_columns(bad)
    if lineage is None or bad.is_empty():
        return []
    counts = bad.group_by(lineage[0]).len().sort(["len", lineage[0]], descending=[True, False])
    return [(file_name(f), n) for f, n in counts.head(limit).iter_rows()]


def file_name(path: str | None) -> str | None:
    """Reports name files, not folders: the folder is machine-specific
    (data/raw/<source>/<vintage>/ on the machine that ran)."""
    return PurePath(path).name if path else path


def format_rate(rate: float | None) -> str:
    if rate is None:
        return "n/a"
    pct = 100 * rate
    if 0 < pct < 0.01:
        return "<0.01%"
    return f"{pct:.2f}%"
