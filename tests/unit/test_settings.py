"""Configuration comes from the environment through Settings, with clear errors."""

from __future__ import annotations

import pytest

from heyrick_dagster.settings import REPO_ROOT, Settings, SettingsError


def test_defaults_are_offline_sample_mode_under_the_repo_data_folder():
    settings = Settings.from_env({})
    assert settings.mode == "sample" and settings.is_synthetic
    assert settings.data_dir == REPO_ROOT / "data"
    assert settings.duckdb_path == REPO_ROOT / "data" / "heyrick.duckdb"
    assert settings.areas == ()


def test_environment_sets_folder_areas_and_the_duckdb_path_follows_the_folder(tmp_path):
    settings = Settings.from_env(
        {
            "HEYRICK_DATA_DIR": str(tmp_path),
            "HEYRICK_AREAS": " 523, 525,",
            "HEYRICK_MODE": "LIVE",
            "HEYRICK_DUCKDB_MEMORY_LIMIT": "3GB",
        }
    )
    assert settings.mode == "live" and not settings.is_synthetic
    assert settings.duckdb_path == tmp_path / "heyrick.duckdb"
    assert settings.areas == ("523", "525")
    assert settings.dbt_vars() == {
        "duckdb_path": str(tmp_path / "heyrick.duckdb"),
        "duckdb_memory_limit": "3GB",
        "synthetic": False,
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HEYRICK_MODE": "prod"}, "HEYRICK_MODE='prod'"),
        ({"HEYRICK_AREAS": "E09000023"}, "FSA local-authority codes"),
        ({"HEYRICK_AREAS": "523;DROP TABLE"}, "FSA local-authority codes"),
        ({"HEYRICK_SAMPLE_SEED": "abc"}, "not an integer"),
        ({"HEYRICK_SAMPLE_SCALE": "huge"}, "small, national"),
        ({"HEYRICK_DUCKDB_MEMORY_LIMIT": "lots"}, "such as 2GB"),
    ],
)
def test_bad_values_raise_a_settings_error_naming_the_variable(env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_force_recompute_is_off_unless_the_environment_asks_for_it():
    assert Settings.from_env({}).force_recompute is False
    assert Settings.from_env({"HEYRICK_FORCE_RECOMPUTE": "1"}).force_recompute is True
    assert Settings.from_env({"HEYRICK_FORCE_RECOMPUTE": "0"}).force_recompute is False


def test_the_pseudonymisation_key_is_read_and_kept_out_of_repr():
    key = "0123456789abcdef" * 4
    settings = Settings.from_env({"HEYRICK_PSEUDONYM_KEY": f" {key} "})
    assert settings.pseudonym_key == key
    assert key not in repr(settings)
    assert Settings.from_env({}).pseudonym_key is None


def test_a_short_pseudonymisation_key_is_refused_without_echoing_it():
    with pytest.raises(SettingsError, match="HEYRICK_PSEUDONYM_KEY is too short") as failure:
        Settings.from_env({"HEYRICK_PSEUDONYM_KEY": "secret-but-short"})
    assert "secret-but-short" not in str(failure.value)


def test_every_warehouse_connection_gets_the_configured_memory_limit(tmp_path, monkeypatch):
    from heyrick_dagster import warehouse

    monkeypatch.setattr(warehouse, "_config", {})
    warehouse.configure("300MB")
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert limit == "286.1 MiB"  # DuckDB reports 300 MB in MiB
