"""A planted secret, referenced as ${VAR} in notification URLs, never shows up in output, logs,
errors, the store, the snapshot, or Prefect's database and artifacts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import ROOT, demo_config

pytestmark = pytest.mark.slow
SECRET = "planted-Secret-7f3a9c"


def test_planted_secret_never_leaks(site, tmp_path):
    config = demo_config(tmp_path, site, notifications=[
        "mailto://nkwatch:${NKW_TEST_SECRET}@127.0.0.1:1?from=a@example.org&to=b@example.org",
        "json://127.0.0.1:1/hook/${NKW_TEST_SECRET}",
    ], digest={"retry_minutes": 0.0001})
    env = {**{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"},
           "NKW_TEST_SECRET": SECRET, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    outputs = []
    for args in (["run"], ["run"], ["digest", "--send"], ["digest", "--dry-run"], ["check-config"],
                 ["query", "SELECT target, last_error FROM deliveries"]):
        done = subprocess.run([sys.executable, "-m", "flows.cli", args[0], "-c", str(config), *args[1:]], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=300)
        outputs.append(done.stdout + done.stderr)
    everything = "\n".join(outputs)
    assert "failed" in everything  # the deliveries did fail and were reported...
    assert "${NKW_TEST_SECRET}" in everything  # ...naming the target by its reference
    assert SECRET not in everything
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "nk.duckdb" for p in files) and any(p.suffix == ".db" for p in files)  # store, Prefect DB
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path
