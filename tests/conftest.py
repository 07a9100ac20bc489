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

    from flows.prefect_env import one_off_runs

    with prefect_test_harness(server_startup_timeout=120), one_off_runs():
        yield


@pytest.fixture()
def site():
    """The demo news site (flows/localsite.py) on 127.0.0.1, started for one test."""
    from flows.localsite import build_demo_site

    s = build_demo_site(SEEDS)
    s.start()
    yield s
    s.stop()


def demo_config(tmp_path: Path, site, **sections) -> Path:  # type: ignore[no-untyped-def]
    """A config.yaml in ``tmp_path`` polling the demo site's feeds into ``tmp_path/nk.duckdb``.
    Keyword arguments add or replace top-level keys; dict values are merged into the defaults."""
    import yaml

    from flows.localsite import DEMO_EXPECTATIONS

    cfg: dict = {"database": str(tmp_path / "nk.duckdb"), "seeds": str(SEEDS),
                 "feeds": [{"name": n, "url": site.url(p)} for n, p in DEMO_EXPECTATIONS.feeds.items()],
                 "http": {"allow_private_addresses": True, "retries": 0}}
    for key, value in sections.items():
        cfg[key] = {**cfg.get(key, {}), **value} if isinstance(value, dict) else value
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path
