"""Prefect settings nkwatch needs before ``import prefect`` (see ../shared/FACTS.md), and for runs
started from the command line.

In ephemeral mode (no PREFECT_API_URL) Prefect 3.8.8 prints tracebacks unless its analytics and
its task-run recorder are off. Both are set only when the user has not set them.
"""

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


# Only for the temporary server a process starts for itself (no PREFECT_API_URL): it is gone with
# the process, so nobody ever reads the events it would store; writing them cost it half its CPU
# in a cycle. A lasting server (`nkwatch serve`'s own, or the user's) keeps them for its UI.
EPHEMERAL_DEFAULTS = {
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
}
_set_here: set[str] = set()  # the EPHEMERAL_DEFAULTS this process set (serve.py takes them back out)


def configure() -> None:
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    if not configured_api_url():
        for key, value in EPHEMERAL_DEFAULTS.items():
            if key not in os.environ:
                os.environ[key] = value
                _set_here.add(key)


def lasting_server_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` without the settings meant only for a temporary server."""
    return {k: v for k, v in env.items() if k not in _set_here}


def configured_api_url() -> str | None:
    """The Prefect server the user configured: PREFECT_API_URL in the environment, or in the
    active Prefect profile (`prefect config set PREFECT_API_URL=...`). None: no lasting server,
    flow runs go to a temporary one of this process's own.

    The profile file is read here rather than through Prefect: importing any part of prefect
    fixes its settings, and `nkwatch serve` decides this before it sets PREFECT_API_URL to the
    server it starts (with prefect imported first, its runs went to no server at all). A test
    harness's temporary server, set in a settings context, is not a lasting one either."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    home = Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return None  # no profile file, or one Prefect itself would refuse
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    url = profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(url) if url else None


@contextmanager
def one_off_runs() -> Iterator[None]:
    """Flow runs of this process without heartbeats, when no Prefect server is configured.

    A flow run's heartbeat lets a lasting Prefect server notice a run that died. Without
    PREFECT_API_URL the server is the process's own temporary one, gone with the process, so the
    heartbeat has no reader; and Prefect 3.8.8 joins its heartbeat thread, which sleeps in
    1-second steps, at the end of every run: 1 s of idle wall time per run (0.10 s per empty
    flow run without it, 1.1 s with it). For the same reason run logs are not sent to that
    server (they are printed as before). With PREFECT_API_URL set this changes nothing.

    The runs also share one API client. Prefect otherwise makes one per flow run, and each new
    client builds a TLS context, loading the system's CA bundle, for a server it reaches over
    plain http on 127.0.0.1: 36 ms of every run's start (profiled), before its first request."""
    if configured_api_url():
        yield
        return
    from prefect.context import SettingsContext, SyncClientContext
    from prefect.settings import get_current_settings

    current = get_current_settings()
    logging = current.logging.model_copy(update={"to_api": current.logging.to_api.model_copy(update={"enabled": False})})
    quiet = current.model_copy(update={"flows": current.flows.model_copy(update={"heartbeat_frequency": None}),
                                       "logging": logging})
    with SettingsContext(profile=SettingsContext.get().profile, settings=quiet), SyncClientContext.get_or_create():
        yield


configure()
