"""What the Dagster UI shows of every asset: its layer, description, owners, kinds, code version
and, for raw tables, a freshness check with its source's window.

A new asset without them fails here, naming itself.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pytest

from heyrick_dagster.definitions import build_definitions
from heyrick_dagster.defs.freshness import CHECK_NAME
from heyrick_dagster.defs.sources import raw_key
from heyrick_dagster.settings import Settings
from heyrick_dagster.sources.registry import CONNECTORS

LAYERS = {"sources", "staging", "linkage", "marts", "analysis", "reports"}
# The UI's kind filter lists each spelling apart: a new tool joins this vocabulary on purpose
# (html: the reports' pages).
KINDS = {"polars", "duckdb", "dbt", "great_expectations", "splink", "html"}


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    data = tmp_path_factory.mktemp("ui-metadata")
    settings = Settings(data_dir=data, duckdb_path=data / "heyrick.duckdb")
    return build_definitions(settings).resolve_asset_graph()


def _offenders(graph, wrong) -> list[str]:
    return sorted(k.to_user_string() for k in graph.get_all_asset_keys() if wrong(graph.get(k)))


def test_every_asset_is_grouped_by_its_layer(graph):
    assert _offenders(graph, lambda node: node.group_name not in LAYERS) == []


def test_every_asset_has_a_description_of_its_own(graph):
    # dagster-dbt falls back to "dbt model <name>" when a model's yml has no description.
    def generic(node):
        return not node.description or node.description.startswith(("dbt model", "dbt seed"))

    assert _offenders(graph, generic) == []


def test_every_asset_names_its_owners(graph):
    assert _offenders(graph, lambda node: not node.owners) == []


def test_every_dbt_model_is_owned_by_the_team_that_writes_it(graph):
    dbt_nodes = [graph.get(k) for k in graph.get_all_asset_keys() if "dbt" in graph.get(k).kinds]
    assert dbt_nodes
    assert {tuple(node.owners) for node in dbt_nodes} == {("team:heyrick-data-engineering",)}


def test_every_asset_declares_its_kinds_from_the_known_tools(graph):
    assert _offenders(graph, lambda node: not node.kinds or not node.kinds <= KINDS) == []


def test_every_asset_has_a_code_version(graph):
    assert _offenders(graph, lambda node: not node.code_version) == []


@pytest.mark.parametrize("connector", CONNECTORS, ids=lambda c: c.key)
def test_every_raw_table_has_a_freshness_check_with_its_sources_window(graph, connector):
    assert connector.metadata.stale_after_days, f"{connector.key}: SourceMetadata.stale_after_days"
    window = timedelta(days=connector.metadata.stale_after_days).total_seconds()
    for table in connector.tables:
        spec = graph.get_check_spec(dg.AssetCheckKey(raw_key(connector, table), CHECK_NAME))
        assert not spec.blocking
        params = spec.metadata["dagster/freshness_params"].value
        assert params["lower_bound_delta_seconds"] == window
