#!/usr/bin/env python3
"""The README's two commands, with nothing but Python 3.11 on the machine.

    python3 tasks.py run     set up .venv and run one monitoring cycle with config.yaml
    python3 tasks.py test    set up .venv (with test tools) and run the test suite
    python3 tasks.py demo    set up .venv and run cycles against the built-in local news site
    python3 tasks.py bench   set up .venv and run the performance benchmark (benchmarks/run.py)
    python3 tasks.py faults  set up .venv and run the fault suite, printing its table (tests/faultsuite.py)
    python3 tasks.py crash   set up .venv and run 50 SIGKILL crash trials (tests/crashtrials.py)

Set-up installs the project (pinned in pyproject.toml) into .venv once, and again only when
pyproject.toml changes. Extra arguments go to the command: `python3 tasks.py test -k config`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"


def _setup(extras: str) -> None:
    stamp = VENV / f".installed-{extras or 'base'}"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    target = f".[{extras}]" if extras else "."
    print(f"installing nkwatch{f'[{extras}]' if extras else ''} into {VENV} (first time: about a minute)", flush=True)
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                    "-e", target], cwd=ROOT, check=True)
    stamp.write_text(want)


def _run(cmd: list[str]) -> int:
    return subprocess.run(cmd, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test", "demo", "bench", "faults", "crash"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if sys.version_info[:2] != (3, 11):
        print(f"warning: nkwatch is pinned for Python 3.11; this is {sys.version.split()[0]}", file=sys.stderr)
    os.chdir(ROOT)
    if command in ("faults", "crash"):
        _setup("test")
        module = "tests.faultsuite" if command == "faults" else "tests.crashtrials"
        return _run([str(BIN / "python"), "-m", module, *rest])
    if command == "test":
        _setup("test")
        code = _run([str(BIN / "python"), "-m", "pytest", *rest])
        if code == 5:  # pytest: no test was collected; that is a failure of the suite, not a pass
            print("no tests ran", file=sys.stderr)
            return 1
        return code
    _setup("")
    if command == "bench":
        return _run([str(BIN / "python"), "benchmarks/run.py", *rest])
    if command == "demo":
        return _run([str(BIN / "nkwatch"), "demo", *rest])
    return _run([str(BIN / "nkwatch"), "run", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
