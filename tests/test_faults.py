"""The fault suite (tests/faultsuite.py) under pytest: every fault of the hostile local web checked."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_every_fault_is_handled(prefect_harness, tmp_path, capsys):
    from tests.faultsuite import render, run_suite

    checks = run_suite(tmp_path)
    with capsys.disabled():
        print("\n" + render(checks))
    failed = [c for c in checks if not c.passed]
    assert len(checks) >= 40 and not failed, failed
