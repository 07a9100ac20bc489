"""`nkwatch` as the crash trials run it (tests/crashtrials.py): every cycle folds whatever its
recent tiers hold, so that the trials, whose stores stay small, reach the folds and their
failpoints. A real store folds once every few thousand articles (storage/tiers.py); production
code knows nothing of this."""

from __future__ import annotations

import dataclasses
import sys

from flows.cli import main
from storage import tiers

if __name__ == "__main__":
    for name, tiered in tiers.TIERED.items():
        tiers.TIERED[name] = dataclasses.replace(tiered, fold_at=1)
    sys.exit(main())
