"""A store written by nkwatch opens in the official DuckDB CLI (registry package duckdb-cli)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cycle import prepare
from flows.config import parse_settings

from .conftest import SEEDS

CLI = shutil.which("duckdb", path=str(Path(sys.executable).parent)) or shutil.which("duckdb")


@pytest.mark.skipif(CLI is None, reason="duckdb-cli is not installed (pip install -e .[test])")
def test_the_duckdb_cli_reads_the_store_and_its_views(tmp_path):
    settings = parse_settings({"database": str(tmp_path / "nk.duckdb"), "seeds": str(SEEDS), "feeds": []})
    prepare(settings, "run-1")  # migrations, views, the seeds, their figures and search terms
    out = subprocess.run([CLI, "-readonly", "-csv", str(settings.database), "-c",
                          "SELECT count(*) AS n FROM articles WHERE source = 'seed';"
                          " SELECT count(*) > 0 AS has_figures FROM figures;"
                          " SELECT count(*) AS views FROM duckdb_views() WHERE view_name IN"
                          " ('articles','figures','events','timeline','sources','deliveries','runs');"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["n", "5", "has_figures", "true", "views", "7"]
    version = subprocess.run([CLI, "--version"], capture_output=True, text=True).stdout
    import duckdb

    assert version.startswith(f"v{duckdb.__version__}")
