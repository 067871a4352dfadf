"""Shared fixtures: settings for a temporary data folder, the real files, a local server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from heyrick_dagster.settings import REPO_ROOT, Settings
from heyrick_dagster.sources.acquire import ensure_sample
from tests.support.http_server import RecordingServer

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The recorded real files; tests that need them skip when the folder is absent."""
    if not (SHARED_DATA / "fhrs").is_dir():
        pytest.skip(f"real files not available at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    """Generate the synthetic sample once per session; tests copy what they change."""
    data_dir = tmp_path_factory.mktemp("sample-data")
    ensure_sample(Settings(data_dir=data_dir, duckdb_path=data_dir / "unused.duckdb"))
    return data_dir / "sample"


@pytest.fixture
def make_settings(tmp_path: Path):
    def make(**overrides) -> Settings:
        values = {
            "data_dir": tmp_path / "data",
            "duckdb_path": tmp_path / "data" / "heyrick.duckdb",
        } | overrides
        return Settings(**values)

    return make


@pytest.fixture
def http_server():
    with RecordingServer() as server:
        yield server
