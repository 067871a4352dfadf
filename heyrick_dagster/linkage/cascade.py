"""The linkage cascade: identifiers, then exact keys, then the Splink model.

1. Shared identifiers. None of the seven sources publishes another's key (FHRS has
   no company number; the penalty and NMW lists name, they do not number), so this
   tier is empty today; PSC or a licensing register would enter here.
2. The exact tiers (`exact.py`): the same normalised name at the same postcode.
   Accepted with probability 1.0.
3. The probabilistic tier (`splink_model.py`): every other candidate pair that a
   blocking rule yields, scored by the trained model. A pair at or above the link
   type's `accept` threshold is `accepted` if its evidence may carry it
   (`acceptable_pairs`: a name that agrees, or for a premises and a company one
   address that nothing else shares); between `possible` and `accept`, or without
   that evidence, it is kept as `possible` ("possibly same as") and is never merged
   into a business.
4. One operator per premises (`one_company_per_premises`): of a premises' accepted
   company links, Splink's give way to an exact one or to a more probable one and
   become `possible`.

Thresholds are not chosen here: they are read from `thresholds.json`, which
`calibrate.py` derives from the precision-recall curve on the synthetic truth, with
the model it also saves as `reference_model.json`: what a true match looks like (m),
learned by EM on the sample. A run takes m from it and estimates on its own tables
what chance agreement looks like (u) and the prior (`train_models`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from heyrick_dagster.linkage import exact, splink_model
from heyrick_dagster.linkage.features import SOURCE_FIELDS, record_features
from heyrick_dagster.linkage.names import name_forms

THRESHOLDS_PATH = Path(__file__).with_name("thresholds.json")
REFERENCE_MODEL_PATH = Path(__file__).with_name("reference_model.json")
RULE_SPLINK = "splink"

# (left, right) source pairs linked by the cascade; the left of each is what is found
# in the right (an enforcement entry is looked up among premises and companies).
LINK_TYPES: tuple[tuple[str, str], ...] = (
    ("fhrs", "companies_house"),
    ("illegal_working", "fhrs"),
    ("illegal_working", "companies_house"),
    ("nmw_naming", "fhrs"),
    ("nmw_naming", "companies_house"),
)

ENFORCEMENT_SOURCES = ("illegal_working", "nmw_naming")

WEIGHT_COLUMNS = tuple(f"weight_{c}" for c in splink_model.COMPARISONS)
LINKS_SCHEMA: dict[str, pl.DataType] = {
    **exact.LINKS_SCHEMA,
    "match_weight": pl.Float64,
    **{c: pl.Float64 for c in WEIGHT_COLUMNS},
}


@dataclass(frozen=True)
class Thresholds:
    accept: float  # match_probability at or above: accepted
    possible: float  # at or above, below accept: kept as "possible"

    def __post_init__(self) -> None:
        if not 0.0 < self.possible <= self.accept < 1.0:
            raise ValueError(f"thresholds out of order: {self}")


def read_thresholds(path: Path = THRESHOLDS_PATH) -> dict[tuple[str, str], Thresholds]:
    data = json.loads(path.read_text())
    return {
        tuple(key.split("->")): Thresholds(entry["accept"], entry["possible"])
        for key, entry in data["link_types"].items()
    }


def link_type_key(left_source: str, right_source: str) -> str:
    return f"{left_source}->{right_source}"


def name_forms_of(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """`names.name_forms` of every name the features and the exact tiers read from
    `frames` (the staging frames by source): parsed once, used by both."""
    columns = [
        frame.get_column(column).cast(pl.String)
        for source, frame in frames.items()
        for column in {*SOURCE_FIELDS[source].names, *exact.NAME_COLUMNS[source]}
    ]
    return name_forms(pl.concat(columns) if columns else pl.Series(dtype=pl.String))


def features_by_source(
    frames: dict[str, pl.DataFrame], forms: pl.DataFrame | None = None
) -> dict[str, pl.DataFrame]:
    """`record_features` of each source; `forms`: `name_forms_of(frames)` when the caller
    has it."""
    forms = name_forms_of(frames) if forms is None else forms
    return {source: record_features(frame, source, forms) for source, frame in frames.items()}


def read_reference_model(path: Path = REFERENCE_MODEL_PATH) -> dict[str, Any]:
    return json.loads(path.read_text())


def train_models(
    features: dict[str, pl.DataFrame],
    base: dict[str, Any] | None = None,
    base_origin: str = "the reference model (EM on the synthetic sample)",
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The Splink model of each link type whose two sources have records, and how each
    was made: the m probabilities of `base` (default: the committed reference model,
    trained by EM on the synthetic sample by `calibrate.py`, the model the thresholds
    were derived with), u and the prior estimated on these tables (`splink_model.adapt`).

    Why not EM on the run's own tables: m is what a true match looks like, which does
    not change with the size of the tables, but EM's estimate of it does. Measured on
    the national sample (613,000 premises, 602,827 companies): EM's "match" class became
    "the same name anywhere" (chains across the country; "1 High Street" in every
    town), a premises registered under an unrelated company name got m = 0.01, and
    premises <-> company recall fell to 0.317 (precision 0.949); the same tables scored
    with the reference m gave 0.659 at precision 0.967 (ceiling 0.753). EM on two
    postcode areas of it did no better (0.319). The real files are far too few for EM
    (not one same-name pair among 228 companies)."""

    def has(source: str) -> bool:
        return source in features and not features[source].is_empty()

    base_type = LINK_TYPES[0]
    if not (has(base_type[0]) and has(base_type[1])):
        return {}, {}
    base = read_reference_model() if base is None else base
    models: dict[str, dict[str, Any]] = {}
    origins: dict[str, str] = {}
    for left_source, right_source in LINK_TYPES:
        if has(left_source) and has(right_source):
            key = link_type_key(left_source, right_source)
            models[key] = splink_model.adapt(
                base, features[left_source], features[right_source], left_source, right_source
            )
            origins[key] = (
                f"m of {base_origin}; u and prior estimated on "
                f"{features[left_source].height:,} x {features[right_source].height:,} records"
            )
    return models, origins


def exact_tier(frames: dict[str, pl.DataFrame], forms: pl.DataFrame | None = None) -> pl.DataFrame:
    """The exact tiers' links, in LINKS_SCHEMA (no Splink weights); `forms` as
    `features_by_source` takes it."""
    enforcement = {s: frames[s] for s in ENFORCEMENT_SOURCES if s in frames}
    links = exact.exact_links(frames["fhrs"], frames["companies_house"], enforcement, forms)
    return links.with_columns(
        pl.lit(None, dtype=pl.Float64).alias(c) for c in ("match_weight", *WEIGHT_COLUMNS)
    ).cast(LINKS_SCHEMA)


def acceptable_pairs(
    scored: pl.DataFrame, left: pl.DataFrame, right: pl.DataFrame, left_source: str
) -> pl.Series:
    """Whether each scored pair's evidence may make it an accepted link, whatever its
    probability. A name that agrees (positive name weight) always may. Without one:
    - an enforcement entry never: a shop unit changes hands, and a penalty must never be
      pinned on the next tenant because the address matches (measured on the real labels:
      every address-only penalty link was a later or earlier operator of the same unit);
    - a premises and a company only at one full address (postcode, number and street)
      that pairs them alone: no other premises and no other company of the scored pairs
      share it without a name. A postcode is not an address: on the real files one
      Shipley postcode holds a dozen premises and one registered office, and an
      address-only link made that company the operator of six of them (every one labelled
      a non-match by hand). On the synthetic sample, of the accepted address-only links
      1,157 of 1,163 at the full address that pairs them alone were true, 1 of 24 at any
      lesser location. A unit ("Level 37") is part of the address (`features.address_key`).
    The pair stays "possible" when its evidence may not carry it."""
    named = scored["weight_name"].fill_null(0.0) > 0
    if left_source in ENFORCEMENT_SOURCES or scored.is_empty():
        return named
    key = pl.col("address_key")
    with_addresses = scored.with_columns(_named=named).join(
        left.select(left_record_id="unique_id", _left_address=key),
        on="left_record_id",
        how="left",
    )
    with_addresses = with_addresses.join(
        right.select(right_record_id="unique_id", _right_address=key),
        on="right_record_id",
        how="left",
    )
    address_only = ~pl.col("_named") & pl.col("_left_address").eq(pl.col("_right_address"))
    alone = (address_only.sum().over("left_record_id") == 1) & (
        address_only.sum().over("right_record_id") == 1
    )
    return with_addresses.select(
        pl.col("_named") | (address_only.fill_null(False) & alone.fill_null(False))
    ).to_series()


def score_link_type(
    left: pl.DataFrame,
    right: pl.DataFrame,
    left_source: str,
    right_source: str,
    model: dict[str, Any],
    thresholds: Thresholds,
) -> pl.DataFrame:
    """Splink pairs of one link type at or above `possible`, as LINKS_SCHEMA rows."""
    scored = splink_model.score(left, right, model, thresholds.possible)
    acceptable = acceptable_pairs(scored, left, right, left_source)
    return (
        scored.with_columns(_acceptable=acceptable)
        .select(
            pl.lit(left_source).alias("left_source"),
            "left_record_id",
            pl.lit(right_source).alias("right_source"),
            "right_record_id",
            "match_probability",
            pl.lit(RULE_SPLINK).alias("match_rule"),
            pl.when((pl.col("match_probability") >= thresholds.accept) & pl.col("_acceptable"))
            .then(pl.lit("accepted"))
            .otherwise(pl.lit("possible"))
            .alias("link_status"),
            "match_weight",
            *WEIGHT_COLUMNS,
        )
        .cast(LINKS_SCHEMA)
    )


def best_company_per_premises(scored: pl.DataFrame) -> pl.DataFrame:
    """The scored premises <-> company pairs (left_record_id, right_record_id,
    match_probability; exact links at 1.0) that `one_company_per_premises` could leave
    accepted at some threshold: every exact link, else each premises' most probable
    company unless two tie. What calibration draws the curve from, so that its
    thresholds are those of what is published."""
    exact = pl.col("match_probability") == 1.0
    has_exact = exact.any().over("left_record_id")
    scored = _with_unique_best(scored, pl.col("match_probability"))
    return scored.filter(exact | (~has_exact & pl.col("_unique_best"))).drop("_unique_best")


def _with_unique_best(frame: pl.DataFrame, probability: pl.Expr) -> pl.DataFrame:
    """`frame` with `_unique_best`: the row holds its premises' highest `probability`
    and no other row of that premises holds it (null where `probability` is null).
    The premises' best is made a column before it is counted: polars evaluates a window
    over an expression holding a window group by group, 1.8 s on the national sample's
    280k links against 0.05 s so."""
    frame = frame.with_columns(_best=probability == probability.max().over("left_record_id"))
    best = pl.col("_best")
    unique_best = best & (best.sum().over("left_record_id") == 1)
    return frame.with_columns(_unique_best=unique_best).drop("_best")


def one_company_per_premises(links: pl.DataFrame) -> pl.DataFrame:
    """A premises is run by one operator: when it has several accepted company links, its
    Splink links give way -- all of them to an exact link, else all but the most
    probable -- and become "possible"; two equally probable Splink links both do. Exact
    links are left as they are (two companies registered under one name at one postcode
    are for an analyst to read), so a "possible" link never has probability 1 (a path
    through one must not look certain: dbt test assert_attributions_are_probabilities).
    Measured on the sample: a premises "Costa Coffee" agreed by name with two
    franchisees of its district, and every such second link was false."""
    is_type = (pl.col("left_source") == LINK_TYPES[0][0]) & (
        pl.col("right_source") == LINK_TYPES[0][1]
    )
    accepted = is_type & (pl.col("link_status") == "accepted")
    splink = accepted & (pl.col("match_rule") == RULE_SPLINK)
    links = _with_unique_best(links, pl.when(splink).then(pl.col("match_probability")))
    has_exact = (accepted & ~splink).any().over("left_record_id")
    keep = pl.col("_unique_best").fill_null(False) & ~has_exact
    return links.with_columns(
        pl.when(splink & ~keep)
        .then(pl.lit("possible"))
        .otherwise(pl.col("link_status"))
        .alias("link_status")
    ).drop("_unique_best")


def link_records(
    frames: dict[str, pl.DataFrame],
    models: dict[str, dict[str, Any]],
    thresholds: dict[tuple[str, str], Thresholds],
    emit: Callable[[str], None] = lambda message: None,
    features: dict[str, pl.DataFrame] | None = None,
    forms: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every link of the cascade (LINKS_SCHEMA). `frames` are the staging frames by
    source (fhrs and companies_house required; the enforcement lists optional). A pair
    found by an exact rule keeps that rule; Splink adds the pairs the exact rules miss.
    `emit` hears one line per tier and link type (progress: at national scale each
    takes seconds to minutes). `features`: `features_by_source(frames)`, and `forms`:
    `name_forms_of(frames)`, when the caller has them already (each name is parsed
    once for both the features and the exact tiers)."""
    started = time.perf_counter()
    if forms is None:
        forms = name_forms_of(frames)
    if features is None:
        features = features_by_source(frames, forms)
    emit(f"linkage: features of {sum(len(f) for f in features.values()):,} records built")
    parts = [exact_tier(frames, forms)]
    emit(f"linkage: exact tiers found {len(parts[0]):,} links")
    for left_source, right_source in LINK_TYPES:
        key = link_type_key(left_source, right_source)
        if key not in models:
            continue
        scored = score_link_type(
            features[left_source],
            features[right_source],
            left_source,
            right_source,
            models[key],
            thresholds[(left_source, right_source)],
        )
        parts.append(scored)
        emit(
            f"linkage: {key} scored, {len(scored):,} pairs at or above 'possible' "
            f"({time.perf_counter() - started:.0f} s so far)"
        )
    links = pl.concat(parts)
    # The exact tiers come first in `parts`, so `keep="first"` keeps their verdict.
    links = links.unique(
        ["left_source", "left_record_id", "right_source", "right_record_id"],
        keep="first",
        maintain_order=True,
    )
    return one_company_per_premises(links).sort(
        "left_source", "right_source", "left_record_id", "right_record_id"
    )
