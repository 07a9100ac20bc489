"""Named points where the crash tests kill the process (SIGKILL) on purpose.

`NKWATCH_FAILPOINT=<name>` in the environment makes the process kill itself the first time it
reaches that point; unset (always, outside tests/crashtrials.py), a failpoint costs one dict look-up.
"""

from __future__ import annotations

import os
import signal

POINTS = ("fetch", "mid-save", "before-finish", "after-send", "mid-fold-postings", "mid-fold-bands")


def failpoint(name: str) -> None:
    if os.environ.get("NKWATCH_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
