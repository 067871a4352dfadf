"""The analysis exports (CSV and Parquet) and their data dictionary.

An analyst who opens `premises_indications.csv` in a spreadsheet, far from this code,
must be able to tell what every column means, its type, and that the figures are
indications, not evidence (and synthetic, when they are). So every export is written with
`heyrick_dagster.exports` (CSV with spreadsheet formulas neutralised, Parquet as typed,
both atomic) beside `data_dictionary.md` and `data_dictionary.csv`, one row per file and
column. A column added to an analysis table without a meaning here is listed as
undocumented (the report's asset says so in its metadata) rather than silently exported
without one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from heyrick_dagster import exports

# Meanings of the columns shared by several exports. A table-specific meaning
# (`TABLE_MEANINGS`) wins over these.
COLUMN_MEANINGS: dict[str, str] = {
    "area_level": "Which kind of area the row describes: lsoa (Lower-layer Super Output Area, "
    "about 1,500 residents) or local_authority (the FSA authority that files the premises).",
    "area_code": "The area's code: an ONS LSOA code (E01..., W01...) or an FSA local-authority "
    "code (e.g. 523 for Lewisham), as area_level says.",
    "as_of": "The date the indicators describe: the day of the newest FHRS extract. No "
    "enforcement published after it was used.",
    "business_id": "Heyrick's business cluster: the records (premises, companies, penalties, "
    "namings) that linkage judged to be one business. Stable while the inputs do not change.",
    "business_name": "The premises' name as the FSA publishes it.",
    "caveat": "The words that must travel with the row: indication, not evidence (and "
    "synthetic, when computed from the sample).",
    "ci_low": "Lower limit of the 95% confidence interval of the estimate.",
    "ci_high": "Upper limit of the 95% confidence interval of the estimate.",
    "data_origin": "'synthetic sample' when computed from Heyrick's generated sample (not real "
    "businesses); otherwise the published data it came from.",
    "data_vintage": "The date (or dates, per source) of the data files the row was computed from.",
    "explanation": "Why the premises ranks where it does, in words: the indicators that raise "
    "its score most, each with how much it multiplies the average rate.",
    "fhrsid": "The Food Standards Agency's establishment id (FHRSID).",
    "imd_decile": "Index of Multiple Deprivation 2019 decile of the premises' LSOA: 1 is the "
    "most deprived tenth of England, 10 the least. Empty outside England.",
    "indicator": "The indicator the row is about (see the analysis report for its meaning).",
    "la_code": "FSA local-authority code of the authority that files the premises.",
    "la_name": "Name of that local authority.",
    "lsoa_code": "ONS code of the premises' LSOA (from its postcode).",
    "outcome": "The enforcement outcome counted: enforcement_events (both lists), "
    "illegal_working_penalties (Home Office), nmw_namings (DBT minimum-wage naming) or "
    "nrm_referrals_labour (National Referral Mechanism, labour exploitation).",
    "rank": "Position in the ranking, 1 first; strict (no ties).",
    "sector": "The premises' sector from its FSA business type and name: hot_food_takeaway, "
    "convenience_store, restaurant_cafe or other.",
    "suppressed": "True when the row rests on 1 to 4 events (or was hidden so that such a "
    "row cannot be recovered from a total): its counts and estimates are left empty.",
}

TABLE_MEANINGS: dict[tuple[str, str], str] = {
    ("premises_indications", "score"): "The premises' score: the natural log of its expected "
    "enforcement rate relative to an average scored premises (0 is average, 1 is e = 2.7 "
    "times the average).",
    ("premises_indications", "rank"): "Position among the scored premises (takeaways and "
    "convenience stores), 1 highest; ties broken by prior enforcement, then FHRSID.",
    ("premises_indications", "sources"): "The published datasets this premises' indicators "
    "rest on, each with its vintage.",
    ("premises_indications", "expected_events_per_year"): "Enforcement events (penalties and "
    "namings) a year expected at the premises if enforcement continued at the rate of the "
    "scorecard's fit window: where officials would look, not a count of exploitation.",
    ("premises_indications", "top_percent"): "The premises' rank as a percentage of the "
    "scored premises (0.1 = in the top 0.1%).",
    ("premises_indications", "data_vintage"): "Date of the FHRS extract the premises is from.",
    ("area_indications", "rank"): "Position among the areas of its level, 1 highest, by "
    "expected enforcement per 1,000 scored premises.",
    ("area_indications", "scored_premises"): "Takeaways and convenience stores scored in the area.",
    ("area_indications", "expected_events_per_year_per_1000"): "Mean expected enforcement "
    "events a year per 1,000 scored premises in the area (so a large area does not rank high "
    "by size alone).",
    ("area_indications", "mean_score"): "Mean score of the area's scored premises.",
    ("area_indications", "premises_in_top"): "How many of the area's premises are in the top "
    "10% of the premises ranking.",
    ("area_correlations", "method"): "spearman (rank correlation with the outcome rate per "
    "business), pearson (linear correlation with that rate), poisson or negative_binomial "
    "(rate ratio per standard deviation of the indicator, businesses as exposure).",
    ("area_correlations", "n"): "Number of areas the estimate used.",
    ("area_correlations", "estimate"): "The correlation coefficient (spearman, pearson) or "
    "the rate ratio per standard deviation of the indicator (count models).",
    ("area_correlations", "p_value"): "Two-sided p-value of no association.",
    ("area_correlations", "p_adjusted"): "Benjamini-Hochberg adjusted p-value over every row "
    "of both area levels as one family (false discovery rate).",
    ("area_enforcement_intensity", "events"): "Events published by the as-of date attributed "
    "to premises in the area (empty when suppressed).",
    ("area_enforcement_intensity", "businesses"): "Businesses (of every sector) with FHRS "
    "premises in the area: the denominator.",
    ("area_enforcement_intensity", "rate_per_1000"): "Events per 1,000 businesses: where "
    "officials looked as much as where exploitation is; not prevalence.",
    ("area_enforcement_intensity", "rate_ci_low"): "Lower limit of the exact 95% interval of "
    "the rate (Garwood).",
    ("area_enforcement_intensity", "rate_ci_high"): "Upper limit of the exact 95% interval of "
    "the rate (Garwood).",
    ("area_enforcement_intensity", "overall_rate_per_1000"): "Events per 1,000 businesses "
    "over every area of the level.",
    ("area_enforcement_intensity", "funnel_low"): "Lower 99.8% control limit of the rate for "
    "an area of this size at the overall rate (funnel plot).",
    ("area_enforcement_intensity", "funnel_high"): "Upper 99.8% control limit of the rate for "
    "an area of this size at the overall rate (funnel plot).",
    ("area_enforcement_intensity", "outside_funnel"): "True when the area's count is outside "
    "those limits: more (or less) enforcement than its size predicts.",
    ("scorecard_weights", "unit"): "What one unit of the indicator is; the weight is per unit.",
    ("scorecard_weights", "weight"): "Fitted log rate ratio per unit of the indicator, given "
    "the other indicators (Poisson model with a Normal(0, 1) prior).",
    ("scorecard_weights", "ci_low"): "Lower limit of the 95% interval of the weight.",
    ("scorecard_weights", "ci_high"): "Upper limit of the 95% interval of the weight.",
    ("scorecard_weights", "rate_ratio"): "exp(weight): how many times the rate one more unit "
    "of the indicator multiplies.",
    ("scorecard_weights", "mean"): "Mean of the indicator over the fitted premises (a premises "
    "at the mean gets no contribution from it).",
    ("scorecard_weights", "share_known"): "Share of the fitted premises whose indicator is known.",
    ("scorecard_weights", "note"): "Why a weight is 0, when it is.",
}

FILE_DESCRIPTIONS: dict[str, str] = {
    "premises_indications": "One row per scored premises (hot-food takeaways and convenience "
    "stores), ranked: where the scorecard indicates enforcement is most likely next.",
    "area_indications": "One row per LSOA and per local authority with scored premises, "
    "ranked by expected enforcement per 1,000 scored premises.",
    "area_correlations": "Association of each area indicator with each enforcement outcome, "
    "per area level and method.",
    "area_enforcement_intensity": "Enforcement events per 1,000 businesses per area and "
    "outcome, with intervals and funnel limits: where officials looked.",
    "scorecard_weights": "The scorecard's weight for each premises indicator.",
}

_TYPE_NAMES = {
    pl.String: "text",
    pl.Boolean: "true/false",
    pl.Date: "date (YYYY-MM-DD)",
    pl.Float64: "decimal number",
    pl.Float32: "decimal number",
}


def type_name(dtype: pl.DataType) -> str:
    """A column's type in words an analyst reads (the Parquet file keeps the exact type)."""
    if dtype.is_integer():
        return "whole number"
    return _TYPE_NAMES.get(dtype.base_type(), str(dtype))


def meaning(table: str, column: str) -> str | None:
    return TABLE_MEANINGS.get((table, column)) or COLUMN_MEANINGS.get(column)


def data_dictionary(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per exported file and column: file, column, type, meaning (empty when
    undocumented)."""
    rows = [
        {
            "file": name,
            "column": column,
            "type": type_name(dtype),
            "meaning": meaning(name, column) or "",
        }
        for name, frame in frames.items()
        for column, dtype in frame.schema.items()
    ]
    return pl.DataFrame(
        rows,
        schema={"file": pl.String, "column": pl.String, "type": pl.String, "meaning": pl.String},
    )


def dictionary_markdown(dictionary: pl.DataFrame, synthetic: bool, caveat: str) -> str:
    lines = ["# Heyrick analysis exports: data dictionary", ""]
    if synthetic:
        lines += [
            "**SYNTHETIC: every file here was computed from Heyrick's generated sample. The "
            "businesses, premises and events are not real.**",
            "",
        ]
    lines += [
        f"{caveat} Each file is written twice: `.csv` (text cells that a spreadsheet would "
        "run as a formula start with an apostrophe) and `.parquet` (typed, unchanged).",
        "",
    ]
    for name in dictionary["file"].unique(maintain_order=True):
        lines += [f"## {name}", "", FILE_DESCRIPTIONS.get(name, ""), ""]
        lines += ["| column | type | meaning |", "|---|---|---|"]
        for row in dictionary.filter(pl.col("file") == name).iter_rows(named=True):
            text = (row["meaning"] or "(not yet described)").replace("|", "\\|")
            lines.append(f"| `{row['column']}` | {row['type']} | {text} |")
        lines.append("")
    return "\n".join(lines)


def write_text(text: str, path: Path) -> Path:
    """A text file (Markdown, HTML) written atomically like every export. exports.py has
    no public writer for text yet, so its atomic writer is borrowed rather than copied."""
    return exports._write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))


@dataclass(frozen=True)
class WrittenExports:
    files: dict[str, int]  # path relative to the exports folder -> bytes
    undocumented: list[str]  # "file.column" with no meaning


DICTIONARY_FILES = ("data_dictionary.csv", "data_dictionary.md")


def export_file_names(names: list[str]) -> list[str]:
    """The files `write_exports` writes for frames of these names, in order."""
    return [f"{name}.{ext}" for name in names for ext in ("csv", "parquet")] + list(
        DICTIONARY_FILES
    )


def write_exports(
    frames: dict[str, pl.DataFrame], folder: Path, synthetic: bool, caveat: str
) -> WrittenExports:
    """Every frame as `<name>.csv` and `<name>.parquet`, and the data dictionary, in
    `folder`; everything is computed before the first file is replaced. A frame without a
    `data_origin` column gets one (the marts' words), so that a file separated from this
    folder still says where its figures come from."""
    origin = "synthetic sample" if synthetic else "official open data"
    stamped = {
        name: frame
        if "data_origin" in frame.columns
        else frame.with_columns(pl.lit(origin).alias("data_origin"))
        for name, frame in frames.items()
    }
    dictionary = data_dictionary(stamped)
    markdown = dictionary_markdown(dictionary, synthetic, caveat)
    paths = []
    for name, frame in stamped.items():
        paths.append(exports.write_csv(frame, folder / f"{name}.csv"))
        paths.append(exports.write_parquet(frame, folder / f"{name}.parquet"))
    paths.append(exports.write_csv(dictionary, folder / DICTIONARY_FILES[0]))
    paths.append(write_text(markdown, folder / DICTIONARY_FILES[1]))
    undocumented = [
        f"{row['file']}.{row['column']}"
        for row in dictionary.filter(pl.col("meaning") == "").iter_rows(named=True)
    ]
    return WrittenExports({p.name: p.stat().st_size for p in paths}, undocumented)
