"""Prefect settings nkwatch needs before ``import prefect`` (see ../shared/FACTS.md).

In ephemeral mode (no PREFECT_API_URL) Prefect 3.8.8 prints tracebacks unless its analytics and
its task-run recorder are off. Both are set only when the user has not set them.
"""

import os

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def configure() -> None:
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)


configure()
