"""The probabilistic tier: a Splink (Fellegi-Sunter) model over `features.FEATURE_SCHEMA`.

Settings are data (`settings_for`), so the same model runs on DuckDB here and on
Spark elsewhere. Four comparisons, each with a null level so a missing field is
no evidence either way:

- `name`: every name of one record against every name of the other (registered and
  trading): a full form equal and unique in its postcode area on both sides > the
  registered full forms equal > a trading full form equal (both weighed by term
  frequency) > the cores equal, trades not different > Jaro-Winkler >= 0.92 > >= 0.80;
- `location`: the same address (postcode, number and street) > the same number and
  street > the same postcode > sector > district > area;
- `activity`: the same coarse activity (FSA business type vs SIC code) or not.

Candidate pairs come only from blocking rules that already demand location
agreement (postcode; number + street within a postcode area; a name within a
district), so a name alone never makes a pair, and the comparison count stays a
small multiple of the record count.

Training (`train`) is unsupervised: u by random sampling, then m by expectation
maximisation in two sessions -- pairs with the same name (frees location and activity)
and pairs at the same number and street (frees the name; it also sets the prior) -- so
each comparison is estimated in a session where it is free; `regularise` then floors m,
and the prior is set by `structural_prior`, not by EM.
The trained model is Splink's JSON settings dict (`model_store` keeps it on disk);
scoring (`score`) runs from that dict alone.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import polars as pl
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules
from splink.internals.database_api import DatabaseAPI

from heyrick_dagster.linkage.features import FEATURE_SCHEMA

MODEL_VERSION = "premises-links-2"
EM_MAX_PAIRS = 2e6
# Random pairs u is counted on, in one pass (Splink's ten chunks with early-stopping
# probes took 3x as long). Measured on the sample against 2e6 pairs: training 6.3 -> 3.6 s,
# premises <-> company precision 0.961 -> 0.958 at the same recall.
U_MAX_PAIRS = 5e5
M_FLOOR = 0.01

# Splink logs every EM iteration and sampling chunk at INFO; the pipeline reports the
# outcome itself (asset metadata), so only Splink's warnings get through.
SPLINK_LOG_LEVEL = logging.WARNING


def _any_equal(column_l: str, column_r: str) -> str:
    pairs = [
        (f"{a}_l", f"{b}_r")
        for a in (column_l, column_r.replace("name", "alt"))
        for b in (column_l, column_r.replace("name", "alt"))
    ]
    return " or ".join(f"({left} = {right})" for left, right in pairs)


def _best_similarity(column: str) -> str:
    alt = column.replace("name", "alt")
    terms = [
        f"coalesce(jaro_winkler_similarity({a}_l, {b}_r), 0)"
        for a in (column, alt)
        for b in (column, alt)
    ]
    return f"greatest({', '.join(terms)})"


def _unique_equal() -> str:
    """A full name of one record equal to a full name of the other, and each the only
    record of its source in its postcode area to carry that name (features.name_count)."""
    terms = [
        f"({a}_full_l = {b}_full_r and {a}_count_l = 1 and {b}_count_r = 1)"
        for a in ("name", "alt")
        for b in ("name", "alt")
    ]
    return " or ".join(terms)


def _core_equal_same_trade() -> str:
    """A core form of one record equal to a core form of the other, and their trades not
    different: the same trade words, or none on one side (as the exact tier's core rule)."""
    terms = [
        f"({a}_core_l = {b}_core_r and ({a}_trade_l is null or {b}_trade_r is null"
        f" or {a}_trade_l = {b}_trade_r))"
        for a in ("name", "alt")
        for b in ("name", "alt")
    ]
    return " or ".join(terms)


def _name_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="every name of one record against every name of the other",
        comparison_levels=[
            cll.CustomLevel("name_full_l is null or name_full_r is null").configure(
                is_null_level=True
            ),
            # "costa coffee" on 30 premises of an area and on 12 franchisees' trading
            # names is not evidence that this premises is that franchisee's; "hilltop
            # canteen", the only one in the area on both sides, nearly is. A name shared
            # in its area is weighed by its term frequency ("the greyhound" in two
            # districts is two pubs), the registered names as the trading names.
            cll.CustomLevel(_unique_equal(), "a full name equal, unique in its area"),
            cll.ExactMatchLevel("name_full", term_frequency_adjustments=True),
            cll.CustomLevel(_any_equal("name_full", "name_full"), "a trading name equal").configure(
                tf_adjustment_column="name_full"
            ),
            cll.CustomLevel(_core_equal_same_trade(), "a core name form equal, trades agree"),
            cll.CustomLevel(f"{_best_similarity('name_full')} >= 0.92", "Jaro-Winkler >= 0.92"),
            cll.CustomLevel(f"{_best_similarity('name_full')} >= 0.80", "Jaro-Winkler >= 0.80"),
            cll.ElseLevel(),
        ],
    )


def _location_comparison() -> cl.CustomComparison:
    """Postcode and street address as ONE comparison: they are not independent (a pair at
    another postcode is nearly always at another street too), and Splink multiplies the
    Bayes factors of separate comparisons as if they were, counting one disagreement twice.
    """
    same_address = "house_number_l = house_number_r and street_l = street_r"
    return cl.CustomComparison(
        output_column_name="location",
        comparison_description="postcode unit, sector, district, area and street address",
        comparison_levels=[
            cll.CustomLevel(
                "(postcode_district_l is null or postcode_district_r is null)"
                " and (street_l is null or street_r is null)"
            ).configure(is_null_level=True),
            # Weighted by term frequency: an address that many records share (a tower, a
            # formation agent's office) is weak evidence that two of them are one business.
            cll.ExactMatchLevel("address_key", term_frequency_adjustments=True),
            cll.CustomLevel(same_address, "same number and street, postcode not equal"),
            cll.CustomLevel("postcode_l = postcode_r", "same postcode"),
            cll.CustomLevel("postcode_sector_l = postcode_sector_r", "same sector"),
            cll.CustomLevel("postcode_district_l = postcode_district_r", "same district"),
            cll.CustomLevel("postcode_area_l = postcode_area_r", "same area"),
            cll.ElseLevel(),
        ],
    )


def _activity_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="activity",
        comparison_description="FSA business type against SIC code, coarsely",
        comparison_levels=[
            cll.CustomLevel("activity_l is null or activity_r is null").configure(
                is_null_level=True
            ),
            cll.CustomLevel("activity_l = activity_r", "same activity"),
            cll.ElseLevel(),
        ],
    )


COMPARISONS = ("name", "location", "activity")


# Every candidate pair agrees on a location; see the module docstring.
BLOCKING_RULES = [
    block_on("postcode"),
    block_on("house_number", "street", "postcode_area"),
    block_on("name_core", "postcode_district"),
    block_on("name_full", "postcode_area"),
    "l.alt_full = r.name_full and l.postcode_area = r.postcode_area",
    "l.name_full = r.alt_full and l.postcode_area = r.postcode_area",
]


def settings_for(left_source: str, right_source: str) -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        source_dataset_column_name="source_dataset",
        comparisons=[
            _name_comparison(),
            _location_comparison(),
            _activity_comparison(),
        ],
        blocking_rules_to_generate_predictions=BLOCKING_RULES,
        retain_intermediate_calculation_columns=True,  # the mw_ columns: why a pair scored
        retain_matching_columns=True,
        additional_columns_to_retain=[],
        linker_uid=f"{MODEL_VERSION}:{left_source}:{right_source}",
    )


def _linker(
    left: pl.DataFrame,
    right: pl.DataFrame,
    settings: SettingsCreator | dict,
    db_api: DatabaseAPI | None = None,
) -> Linker:
    db = db_api or DuckDBAPI()
    tables = [
        db.register(frame.select(list(FEATURE_SCHEMA)).to_arrow(), table_name=name)
        for frame, name in ((left, "left_records"), (right, "right_records"))
    ]
    return Linker(tables, settings, log_level=SPLINK_LOG_LEVEL)


def train(
    left: pl.DataFrame, right: pl.DataFrame, left_source: str, right_source: str, seed: int = 1
) -> dict[str, Any]:
    """Train on two feature frames; the model as Splink's JSON settings dict."""
    linker = _linker(left, right, settings_for(left_source, right_source))
    linker.training.estimate_probability_two_random_records_match(
        ["l.postcode = r.postcode and l.name_full = r.name_full"], recall=0.5
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed, num_chunks=1)
    counted = with_location_u(linker.misc.save_model_to_json(), left, right)
    linker = _linker(left, right, counted)
    # Pairs with the same name anywhere: free to estimate location and activity.
    # Chains make this block large at national scale, hence the sample of pairs.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("name_full"), estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS
    )
    # Pairs at the same number and street: free to estimate the name (and again activity).
    # Not the postcode: within one postcode EM's "match" class becomes "names agree", and
    # a business registered under an unrelated company name would never link.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("house_number", "street"),
        estimate_without_term_frequencies=True,
        max_pairs=EM_MAX_PAIRS,
    )
    model = regularise(linker.misc.save_model_to_json())
    model["probability_two_random_records_match"] = structural_prior(left, right)
    return model


def adapt(
    base: dict[str, Any],
    left: pl.DataFrame,
    right: pl.DataFrame,
    left_source: str,
    right_source: str,
    seed: int = 1,
) -> dict[str, Any]:
    """The base (premises <-> company) model carried to another pair of tables.

    An enforcement list has ~100 entries a year: too few for EM. What a true match
    looks like (m) carries over -- the same comparisons, names and addresses as
    published -- so m is kept; how often fields agree by chance (u) and how likely a
    random pair is to match (the prior) belong to the tables, so they are re-estimated:
    u by random sampling (the postcode levels counted: `with_location_u`), the prior
    as every model's (`structural_prior`).
    """
    model = json.loads(json.dumps(base))
    model["linker_uid"] = f"{MODEL_VERSION}:{left_source}:{right_source}"
    linker = _linker(left, right, model)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed, num_chunks=1)
    adapted = with_location_u(linker.misc.save_model_to_json(), left, right)
    adapted["probability_two_random_records_match"] = structural_prior(left, right)
    return adapted


def _pairs_sharing(left: pl.DataFrame, right: pl.DataFrame, columns: list[str]) -> int:
    """How many (left, right) record pairs agree on all `columns` (nulls agree on nothing)."""
    counts = [
        frame.drop_nulls(columns).group_by(columns).len(name=name)
        for frame, name in ((left, "n_left"), (right, "n_right"))
    ]
    joined = counts[0].join(counts[1], on=columns)
    return int((joined["n_left"].cast(pl.Int64) * joined["n_right"]).sum())


# Location level label -> the columns whose agreement puts a pair at that level or above.
_LOCATION_KEYS = {
    "same postcode": ["postcode"],
    "same sector": ["postcode_sector"],
    "same district": ["postcode_district"],
    "same area": ["postcode_area"],
}


def with_location_u(
    model: dict[str, Any], left: pl.DataFrame, right: pl.DataFrame
) -> dict[str, Any]:
    """`model` with the u of every level of `location` counted, not sampled: the share of
    all pairs of located records that fall at that level. At national scale two
    random records share a postcode about once in a million pairs, so a sample of 5e5
    pairs sees none and Splink fell back on default u values: the national run linked
    almost no premises to a company registered at its address. The levels are nested
    (first match wins), so each takes its count less the count of the level above (a
    pair at one number and street under two postcodes is rare enough to be counted at
    its postcode level too). A level no pair reaches gets one pair's share."""
    located_left = left.drop_nulls("postcode_district")
    located_right = right.drop_nulls("postcode_district")
    total = located_left.height * located_right.height
    if not total:
        return model
    location = next(c for c in model["comparisons"] if c["output_column_name"] == "location")
    above = _pairs_sharing(located_left, located_right, ["address_key"])
    number_street = _pairs_sharing(located_left, located_right, ["house_number", "street"])
    counted = {
        "Exact match on address_key": above,
        "same number and street, postcode not equal": number_street - above,
    }
    for level in location["comparison_levels"]:
        label = level.get("label_for_charts", "")
        if label in counted:
            level["u_probability"] = max(counted[label], 1) / total
        columns = _LOCATION_KEYS.get(label)
        if columns is None:
            continue
        sharing = _pairs_sharing(located_left, located_right, columns)
        level["u_probability"] = max(sharing - above, 1) / total
        above = sharing
    others = [lvl for lvl in location["comparison_levels"] if not lvl.get("is_null_level")]
    rest = 1.0 - sum(lvl.get("u_probability") or 0.0 for lvl in others[:-1])
    others[-1]["u_probability"] = max(rest, 1.0 / total)
    return model


def structural_prior(left: pl.DataFrame, right: pl.DataFrame) -> float:
    """The prior of every model: at most one right record per left record (a premises has
    one operator; a listed employer is one company), so (share of left records whose
    postcode district the right table covers) / (right records).

    Not EM's estimate: EM reads it off the pairs of its blocks, and a block's mix of
    pairs changes with the size of the tables (a number and street are shared by few
    unrelated businesses in six authorities and by many in the country), so the
    probabilities of a model trained on the national sample did not mean what those of
    the model the thresholds were calibrated with meant. This prior scales with the
    right table as the chance of a random pair matching does."""
    covered = left["postcode_district"].is_in(right["postcode_district"].drop_nulls().implode())
    share = max(float(covered.mean() or 0.0), 1.0 / max(left.height, 1))
    return min(share / max(right.height, 1), 0.5)


def regularise(model: dict[str, Any], floor: float = M_FLOOR) -> dict[str, Any]:
    """Floor every trained m probability at `floor` and renormalise each comparison.

    EM drives a level it never saw among matches to m ~ 1e-50, i.e. a Bayes factor that
    vetoes the pair whatever else agrees. Matches do arrive there in the real world (a
    company registered at its accountant's postcode; a takeaway whose company declared a
    retail SIC code), so no single field is allowed to veto more strongly than
    log2(floor / u): about -6.6 bits against a level that half of non-matches share.
    """
    for comparison in model["comparisons"]:
        levels = [
            level
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level", False)
        ]
        # A level EM never saw among matches (no m at all) gets the floor too.
        low = [level for level in levels if (level.get("m_probability") or 0.0) <= floor]
        high = [level for level in levels if level not in low]
        for level in low:
            level["m_probability"] = floor
        # The rest share what is left in their trained proportions, so the floor holds
        # exactly after renormalising.
        room = 1.0 - floor * len(low)
        total = sum(level["m_probability"] for level in high)
        for level in high:
            level["m_probability"] = level["m_probability"] / total * room
    return model


def count_comparisons(left: pl.DataFrame, right: pl.DataFrame) -> int:
    """How many candidate pairs the blocking rules make (each pair counted once)."""
    db = DuckDBAPI()
    tables = [
        db.register(frame.select(list(FEATURE_SCHEMA)).to_arrow(), table_name=name)
        for frame, name in ((left, "left_records"), (right, "right_records"))
    ]
    counted = count_comparisons_from_blocking_rules(
        tables,
        blocking_rules=BLOCKING_RULES,
        link_type="link_only",
        source_dataset_column_name="source_dataset",
        record_sample_proportion=1.0,
    )
    return int(counted[-1]["cumulative_comparison_count"])


def score(
    left: pl.DataFrame,
    right: pl.DataFrame,
    model: dict[str, Any],
    threshold: float,
    db_api: DatabaseAPI | None = None,
) -> pl.DataFrame:
    """Scored pairs at or above `threshold`: left_record_id, right_record_id,
    match_probability, match_weight and one `weight_<comparison>` per comparison
    (its log2 Bayes factor: why the pair scored as it did).

    Scored in a fresh in-memory DuckDB unless `db_api` names another Splink backend
    (heyrick_dagster/spark/splink_backend.py: Spark); give each call a new one, as
    Splink caches its intermediate tables in it."""
    if left.is_empty() or right.is_empty():
        return pl.DataFrame(schema=_SCORE_SCHEMA)
    # Only ids, probabilities and the mw_ weights are kept from the predictions: without
    # each pair's compared values beside them, the national scoring took 2.4 s, not 2.6 s.
    model = {**model, "retain_matching_columns": False}
    linker = _linker(left, right, model, db_api)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    frame = pl.from_arrow(predictions.as_pyarrow_table())
    left_is_l = pl.col("source_dataset_l") == left["source_dataset"][0]
    return frame.select(
        pl.when(left_is_l)
        .then(pl.col("unique_id_l"))
        .otherwise(pl.col("unique_id_r"))
        .alias("left_record_id"),
        pl.when(left_is_l)
        .then(pl.col("unique_id_r"))
        .otherwise(pl.col("unique_id_l"))
        .alias("right_record_id"),
        "match_probability",
        "match_weight",
        *[pl.col(f"mw_{c}").alias(f"weight_{c}") for c in COMPARISONS],
    ).cast(_SCORE_SCHEMA)


_SCORE_SCHEMA: dict[str, pl.DataType] = {
    "left_record_id": pl.String,
    "right_record_id": pl.String,
    "match_probability": pl.Float64,
    "match_weight": pl.Float64,
    "weight_name": pl.Float64,
    "weight_location": pl.Float64,
    "weight_activity": pl.Float64,
}
