"""Businesses: the connected components of the accepted links, with stable ids.

Every record of the linked sources is a member of exactly one business (a record
with no accepted link is a business of one). `possible` links never merge: they stay
in `fct_record_links` for an analyst to read.

A `business_id` is derived from the business's smallest member key
("companies_house:01234567" < "fhrs:1065429"), hashed: it does not depend on the
order of rows or on any counter, so an unchanged input gives unchanged ids, and a
new record that joins a business leaves its id alone unless it sorts first.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

BRIDGE_SCHEMA: dict[str, pl.DataType] = {
    "business_id": pl.String,
    "source": pl.String,
    "record_id": pl.String,
}


def business_id(member_key: str) -> str:
    return "B" + hashlib.sha256(member_key.encode()).hexdigest()[:15]


def bridge(records: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """`records`: source, record_id (every record to place); `links`: LINKS_SCHEMA rows.
    One row per record: business_id, source, record_id, sorted by business then member."""
    members = (
        records.select(pl.col("source").cast(pl.String), pl.col("record_id").cast(pl.String))
        .drop_nulls()
        .unique()
        .sort("source", "record_id")
        .with_columns(
            (pl.col("source") + ":" + pl.col("record_id")).alias("key"),
            pl.int_range(pl.len()).alias("node"),
        )
    )
    accepted = links.filter(pl.col("link_status") == "accepted")
    edges = accepted.join(
        members.select(
            pl.col("source").alias("left_source"),
            pl.col("record_id").alias("left_record_id"),
            pl.col("node").alias("a"),
        ),
        on=["left_source", "left_record_id"],
    ).join(
        members.select(
            pl.col("source").alias("right_source"),
            pl.col("record_id").alias("right_record_id"),
            pl.col("node").alias("b"),
        ),
        on=["right_source", "right_record_id"],
    )
    n = members.height
    graph = coo_matrix(
        (np.ones(edges.height), (edges["a"].to_numpy(), edges["b"].to_numpy())), shape=(n, n)
    )
    _, component = connected_components(graph, directed=False)
    labelled = members.with_columns(pl.Series("component", component, dtype=pl.Int64))
    first_key = labelled.group_by("component").agg(pl.col("key").min().alias("first_key"))
    ids = first_key.with_columns(
        pl.col("first_key").map_elements(business_id, return_dtype=pl.String).alias("business_id")
    )
    return (
        labelled.join(ids, on="component")
        .select("business_id", "source", "record_id")
        .sort("business_id", "source", "record_id")
        .cast(BRIDGE_SCHEMA)
    )
