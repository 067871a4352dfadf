"""Indicators from the people who control companies, as of a date, never naming them.

Read from `marts.fct_company_controls`: one row per person with significant control (PSC)
of a company, the person replaced at ingest by `controller_id`, a keyed hash of name and
birth month (sources/psc_pseudonyms.py). Two rows with the same controller_id are the
same controller; nothing here can say who that is.

Time: a control counts at `as_of` when it was notified on or before `as_of` and had not
ceased by then. Whether a predecessor has been dissolved is read from the latest
snapshot (the PSC snapshot keeps dissolved companies' records; the live register drops
them, and neither dates the dissolution).
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl


def controls_in_force(controls: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The controls known and lasting at `as_of` (an unknown notification date is not known)."""
    return controls.filter(
        pl.col("notified_on").is_not_null()
        & (pl.col("notified_on") <= as_of)
        & (pl.col("ceased_on").is_null() | (pl.col("ceased_on") > as_of))
        & (pl.col("incorporation_date").is_null() | (pl.col("incorporation_date") <= as_of))
    )


def shared_food_companies(
    linked: pl.DataFrame, controls: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """fhrsid -> `companies_sharing_a_controller`: the other food-sector companies on the
    register that a controller of one of the premises' linked companies also controls at
    `as_of`. `linked`: fhrsid, company_number (the premises' companies existing at as_of)."""
    active = controls_in_force(controls, as_of).select(
        "company_number", "controller_id", "company_on_register", "is_food_sector"
    )
    food = (
        active.filter(pl.col("company_on_register") & pl.col("is_food_sector").fill_null(False))
        .select("controller_id", pl.col("company_number").alias("other_company"))
        .unique()
    )
    own = linked.select("fhrsid", pl.col("company_number").alias("other_company"))
    return (
        linked.join(active.select("company_number", "controller_id"), on="company_number")
        .join(food, on="controller_id")
        .join(own, on=["fhrsid", "other_company"], how="anti")
        .group_by("fhrsid")
        .agg(pl.col("other_company").n_unique().alias("companies_sharing_a_controller"))
    )


def phoenix_successors(
    linked: pl.DataFrame, controls: pl.DataFrame, as_of: date, window_days: int
) -> pl.DataFrame:
    """fhrsid -> `phoenix_predecessors`: failed companies (dissolved: absent from the live
    register; or distressed) whose controller, notified before the linked company's
    incorporation and at most `window_days` before it, controls the linked company at
    `as_of`, and whose address (the controller's service postcode or the failed company's
    registered postcode) is the linked company's registered postcode. `linked`: fhrsid,
    company_number, incorporation_date, postcode (the premises' companies at as_of)."""
    successors = linked.filter(pl.col("postcode").is_not_null()).join(
        controls_in_force(controls, as_of).select("company_number", "controller_id"),
        on="company_number",
    )
    failed = controls.filter(
        (~pl.col("company_on_register") | pl.col("is_distressed").fill_null(False))
        & pl.col("notified_on").is_not_null()
        & (pl.col("notified_on") <= as_of)
    ).select(
        "controller_id",
        pl.col("company_number").alias("predecessor"),
        pl.col("notified_on").alias("predecessor_notified_on"),
        "address_postcode",
        "company_postcode",
    )
    incorporated = pl.col("incorporation_date")
    before = pl.col("predecessor_notified_on")
    same_address = (pl.col("address_postcode") == pl.col("postcode")).fill_null(False) | (
        pl.col("company_postcode") == pl.col("postcode")
    ).fill_null(False)
    return (
        successors.join(failed, on="controller_id")
        .filter(
            (pl.col("predecessor") != pl.col("company_number"))
            & (before <= incorporated)
            & (before > incorporated - timedelta(days=window_days))
            & same_address
        )
        .group_by("fhrsid")
        .agg(pl.col("predecessor").n_unique().alias("phoenix_predecessors"))
    )
