"""`nkwatch serve`: the monitor and digest flows on their schedules, in one process.

Prefect fires schedules only with a real API server (its ephemeral mode refuses to), so when
PREFECT_API_URL is not set, serve starts `prefect server start` as a child process, with its
database under the data folder and its UI on 127.0.0.1, waits until it is healthy, and stops it
when serve stops (SIGINT or SIGTERM). With PREFECT_API_URL set, in the environment or in the
active Prefect profile (`prefect config set PREFECT_API_URL=...`), it uses that server.

The monitor deployment has a concurrency limit of 1 with CANCEL_NEW: a cycle that is still running
when the next one is due makes the new one cancel instead of overlapping.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from flows.config import Settings, parse_schedule
from flows.prefect_env import DEFAULTS, configured_api_url, lasting_server_env

HEALTH_TIMEOUT = 120.0


class LocalPrefectServer:
    """A `prefect server start` child process, owned by this one."""

    def __init__(self, home: Path, port: int) -> None:
        self.home, self.port = home, port
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = home / "server.log"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**lasting_server_env(dict(os.environ)), **DEFAULTS, "PREFECT_HOME": str(self.home),
               "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(self.port),
               # schedule new runs within seconds of start-up rather than after the default 60 s loop
               "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "10",
               "PREFECT_UI_API_URL": self.api_url}
        env.pop("PREFECT_API_URL", None)
        prefect = Path(sys.executable).with_name("prefect")
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([str(prefect), "server", "start", "--host", "127.0.0.1",
                                          "--port", str(self.port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the local Prefect server exited at start-up; see {self.log}")
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the local Prefect server was not healthy after {HEALTH_TIMEOUT:g} s; see {self.log}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def _schedule_kwargs(value: str, timezone: str) -> dict[str, object]:
    kind, spec = parse_schedule(value)
    if kind == "interval":
        return {"interval": spec}
    from prefect.client.schemas.schedules import CronSchedule

    return {"schedule": CronSchedule(cron=str(spec), timezone=timezone)}


def _graceful_stop(runner: object, *args: object) -> None:
    """SIGTERM: schedule the runner's own async stop on its event loop (which is running in this,
    the main, thread). It cancels running flow runs (a cycle is crash-safe at any point), stops
    polling, and `prefect.serve` then returns normally."""
    import asyncio

    loop = asyncio.get_running_loop()
    loop.call_soon_threadsafe(lambda: loop.create_task(runner.astop()))  # type: ignore[attr-defined]


def serve(settings: Settings, config_path: Path, port: int = 4200) -> int:
    server = None
    if not configured_api_url():  # in the environment or the active Prefect profile
        server = LocalPrefectServer(settings.data_dir / "prefect", port)
        print(f"starting a local Prefect server (UI: http://127.0.0.1:{port}, data: {server.home})", flush=True)
        server.start()
        os.environ["PREFECT_API_URL"] = server.api_url

    try:
        from prefect import serve as prefect_serve
        from prefect.runner import Runner

        # Prefect 3.8.8's runner answers SIGTERM by calling its async stop() without awaiting it (a
        # RuntimeWarning, then sys.exit mid-loop, which prints tracebacks from its control channel).
        Runner.handle_sigterm = _graceful_stop  # type: ignore[method-assign]
        from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

        from flows.monitor import digest, monitor_for

        params = {"config_path": str(config_path.resolve())}
        tz = settings.schedule.timezone
        monitor_dep = monitor_for(settings).to_deployment(
            name="nkwatch-monitor", parameters=params, **_schedule_kwargs(settings.schedule.monitor, tz),
            concurrency_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
            description="One monitoring cycle: feeds → articles → tags → digest")
        digest_dep = digest.to_deployment(
            name="nkwatch-digest", parameters=params, **_schedule_kwargs(settings.schedule.digest, tz),
            concurrency_limit=1, description="Batched digest, heartbeat and delivery retries")
        print(f"serving: monitor {settings.schedule.monitor}, digest {settings.schedule.digest}"
              " (Ctrl-C or SIGTERM stops)", flush=True)
        prefect_serve(monitor_dep, digest_dep, print_starting_message=False)
    except KeyboardInterrupt:
        print("stopping", flush=True)
    finally:
        if server is not None:
            try:
                _send_pending()
            finally:
                server.stop()
            os.environ.pop("PREFECT_API_URL", None)
    return 0


def _send_pending() -> None:
    """Let Prefect's log and event workers send what they hold while the server is still up.
    They send in the background and, at interpreter exit, wait for their queues; with the server
    already stopped, each send is retried with backoff and the process stayed alive for over a
    minute after SIGTERM (tests/test_serve.py, twice on a fresh clone)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=10, at_exit=False)
