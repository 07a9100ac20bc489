"""Shared fixtures: real DuckDB files in temporary folders, the project's paths, a Prefect harness."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows import prefect_env  # noqa: F401  (Prefect settings before any prefect import)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "nkwatch.duckdb"


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the session (it costs seconds to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
