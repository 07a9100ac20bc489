"""`nkwatch demo`: monitoring cycles against the built-in local news site, fully offline.

It starts the site of flows/localsite.py on 127.0.0.1, writes a config for it under the demo's data
folder (article links on loopback are allowed there, and only there), runs the monitor flow and
shows what the store now holds.
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from flows import prefect_env
from flows.config import load_settings
from flows.localsite import build_demo_site
from flows.output import run_summary, table
from storage.query import run_readonly

PROJECT = Path(__file__).resolve().parent.parent
DEMO_FEEDS = [("Demo Wire", "/wire/rss.xml"), ("Demo Herald", "/herald/atom.xml"), ("Demo Daily", "/daily/rss.xml")]


def write_demo_config(data: Path, base_url: str, seeds: Path) -> Path:
    data.mkdir(parents=True, exist_ok=True)
    config = {
        "database": str((data / "nkwatch.duckdb").resolve()),
        "seeds": str(seeds.resolve()),
        "feeds": [{"name": name, "url": base_url + path} for name, path in DEMO_FEEDS],
        "http": {"allow_private_addresses": True, "retries": 0, "timeout_seconds": 5},
    }
    path = data / "config.yaml"
    path.write_text("# written by `nkwatch demo` for its local site; not for real feeds\n"
                    + yaml.safe_dump(config, sort_keys=False))
    return path


def run_demo(data: Path, cycles: int = 2, serve: bool = False) -> int:
    from flows.monitor import monitor

    site = build_demo_site(PROJECT / "seeds")
    site.start()
    try:
        config = write_demo_config(data, site.base_url, PROJECT / "seeds")
        print(f"local news site on {site.base_url} (feeds: {', '.join(p for _, p in DEMO_FEEDS)})")
        for n in range(1, cycles + 1):
            print(f"\n== cycle {n} ==", flush=True)
            with prefect_env.one_off_runs():
                print(run_summary(monitor(str(config))))
        settings = load_settings(config)
        result = run_readonly(settings.database,
                              "SELECT source, feed, title, duplicate_of IS NOT NULL AS duplicate, similarity,"
                              " extraction FROM articles ORDER BY source DESC, fetched_at, title")
        print("\nWhat the store holds (nkwatch query --config " + str(config) + " \"SELECT ... FROM articles\"):")
        print(table(result.columns, result.rows, max_cell=50))
        if serve:
            print(f"\nserving {site.base_url} until Ctrl-C")
            while True:
                time.sleep(3600)
    finally:
        site.stop()
    return 0
