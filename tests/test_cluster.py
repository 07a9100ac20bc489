"""Past one machine: fetch and extraction on a Dask LocalCluster of 2 workers (prefect-dask), with
this process as the single DuckDB writer; the result equals a normal cycle's."""

from __future__ import annotations

import duckdb
import pytest

from flows.localsite import DEMO_EXPECTATIONS

from .conftest import demo_config

pytestmark = pytest.mark.slow
pytest.importorskip("prefect_dask")


def test_a_cycle_on_a_local_dask_cluster(prefect_harness, site, tmp_path):
    from flows.config import load_settings
    from flows.monitor import monitor_for

    config = demo_config(tmp_path, site, cluster={"local_workers": 2})
    settings = load_settings(config)
    flow = monitor_for(settings)
    assert type(flow.task_runner).__name__ == "DaskTaskRunner"
    first = flow(str(config))
    assert first["feeds_ok"] == 3 and first["new_articles"] == 6 and first["duplicates"] == 2
    with duckdb.connect(str(tmp_path / "nk.duckdb"), read_only=True) as con:
        dup = con.execute("SELECT duplicate_of IS NOT NULL FROM articles WHERE url = ?",
                          [site.url(DEMO_EXPECTATIONS.republished_seed[0])]).fetchone()
        figures = con.execute("SELECT count(*) FROM figures WHERE source = 'feed'").fetchone()[0]
    assert dup == (True,) and figures > 0
    second = flow(str(config))
    assert second["new_articles"] == second["pages_read"] == 0
