"""config.yaml: one validated tree, loaded once at the entry point and passed down.

Every key has a default and a description; unknown keys are refused. Strings may reference
environment variables as ``${VAR}``: they are resolved here, and a missing variable is a config
error. Secrets resolved this way never leave this module in printable form: notification targets
keep the *template* (``mailto://me:${SMTP_PASSWORD}@host``) for display and logs.

Errors are one line: ``config.yaml: http.timeout_seconds: must be > 0 (got -1)``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConfigError(Exception):
    """A configuration problem, already phrased as one line for the user."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an http(s) URL (got {value!r})")
    return value


class Feed(_Strict):
    name: str = Field(min_length=1, description="Label shown in summaries and digests.")
    url: str = Field(description="RSS or Atom URL (http or https).")
    enabled: bool = Field(True, description="Set false to keep a feed listed but not polled.")

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _http_url(value)


class HttpSettings(_Strict):
    timeout_seconds: float = Field(20.0, gt=0, description="Connect/read/write timeout of one request.")
    total_timeout_seconds: float = Field(60.0, gt=0, description="Wall-clock limit of one request, body included.")
    max_bytes: int = Field(5_000_000, gt=0, description="Largest response body read; larger ones are refused.")
    max_redirects: int = Field(5, ge=0, description="Redirects followed per request.")
    user_agent: str = Field(
        "nkwatch/0.1 (news monitor; +https://github.com/nkwatch/nkwatch)",
        min_length=1,
        description="Sent with every request; say who you are.",
    )
    per_host_concurrency: int = Field(2, ge=1, description="Requests in flight to one host at a time.")
    concurrency: int = Field(16, ge=1, description="Requests in flight in total.")
    retries: int = Field(2, ge=0, description="Retries of a transient failure (timeout, 5xx), with backoff.")
    allow_private_addresses: bool = Field(
        False,
        description="Allow article links to loopback/private/link-local addresses (test sites only).",
    )


class DedupSettings(_Strict):
    near_duplicate_threshold: float = Field(
        0.5, gt=0, le=1, description="Jaccard similarity of word shingles at or above which a text is a copy."
    )
    shingle_words: int = Field(5, ge=1, le=12, description="Words per shingle.")


class ExtractionSettings(_Strict):
    workers: int = Field(2, ge=1, description="Processes extracting pages in parallel.")
    timeout_seconds: float = Field(30.0, gt=0, description="Longest time one page may take to extract.")
    min_text_chars: int = Field(
        200, ge=0, description="Shorter extractions fall back to the feed entry's content."
    )


class TaggingSettings(_Strict):
    lexicon: Path | None = Field(
        None, description="Your own vocabulary file (same schema as extractors/lexicon.yaml); empty: the built-in one.")


class DigestSettings(_Strict):
    mode: Literal["immediate", "batched"] = Field(
        "immediate", description="immediate: send at the end of a cycle that found something new; "
        "batched: only on the digest schedule.")
    alert_on_corroboration: bool = Field(
        False, description="Send a digest for corroborations alone (a known figure from a new claimant).")
    heartbeat: bool = Field(False, description="Send an 'all quiet' digest on the digest schedule when nothing is new.")
    event_window_days: int = Field(7, ge=0, description="An event is new when no event of its type falls this close.")
    failing_feed_runs: int = Field(3, ge=1, description="A feed failing this many runs in a row is reported.")
    silent_feed_days: int = Field(7, ge=1, description="A feed with no new entry for this long is reported.")
    retry_minutes: float = Field(5.0, gt=0, description="First retry delay of a failed delivery; doubles, up to 6 h.")
    max_attempts: int = Field(10, ge=1, description="Delivery attempts before a target is given up for that digest.")
    attach_report: bool = Field(False, description="Attach the HTML timeline report (nkwatch report) to digest emails.")


class ScheduleSettings(_Strict):
    monitor: str = Field("every 30 minutes", description="'every N minutes|hours' or a cron expression.")
    digest: str = Field("0 7 * * *", description="When batched digests (and heartbeats) go out; cron or 'every ...'.")
    timezone: str = Field("UTC", description="Time zone of cron expressions.")

    @field_validator("monitor", "digest")
    @classmethod
    def _check_schedule(cls, value: str) -> str:
        parse_schedule(value)
        return value


_EVERY = re.compile(r"^every\s+(\d+(?:\.\d+)?)\s*(seconds?|minutes?|hours?)$", re.IGNORECASE)


def parse_schedule(value: str) -> tuple[str, float | str]:
    """("interval", seconds) for 'every N minutes', ("cron", expr) for a 5-field cron expression."""
    value = value.strip()
    match = _EVERY.match(value)
    if match:
        n, unit = float(match.group(1)), match.group(2).lower()
        seconds = n * {"s": 1, "m": 60, "h": 3600}[unit[0]]
        if seconds < 10:
            raise ValueError("an interval must be at least 10 seconds")
        return "interval", seconds
    fields = value.split()
    if len(fields) != 5 or not all(re.fullmatch(r"[\d*/,\-A-Za-z?LW#]+", f) for f in fields):
        raise ValueError(f"must be 'every N minutes|hours' or a 5-field cron expression (got {value!r})")
    return "cron", value


class ClusterSettings(_Strict):
    address: str | None = Field(
        None, description="Dask scheduler address (tcp://host:8786): fetch and extract on that cluster.")
    local_workers: int = Field(
        0, ge=0, description="Start a local Dask cluster with this many worker processes (0: no Dask).")

    @property
    def enabled(self) -> bool:
        return bool(self.address) or self.local_workers > 0


class NotificationTarget(_Strict):
    """An apprise URL. ``url`` is resolved (may hold secrets); ``display`` is safe to print."""

    url: str = Field(repr=False)
    display: str

    def __str__(self) -> str:
        return self.display


class Settings(_Strict):
    database: Path = Field(Path("data/nkwatch.duckdb"), description="Path of the DuckDB file.")
    store_wait_seconds: float = Field(
        120.0, gt=0, description="How long a writer waits for another nkwatch writer (or a program that "
        "opened the store for writing) before giving up.")
    snapshot_every_minutes: float | None = Field(
        None, ge=0, description="Publish the readers' snapshot (a full copy of the store) after a cycle at "
        "most this often; unset: after every cycle while the store is under 1 GiB, else hourly.")
    seeds: Path = Field(Path("seeds"), description="Folder of the seed corpus loaded as the baseline.")
    feeds: list[Feed] = Field(default_factory=list, description="Feeds to poll.")
    http: HttpSettings = HttpSettings()
    dedup: DedupSettings = DedupSettings()
    extraction: ExtractionSettings = ExtractionSettings()
    cluster: ClusterSettings = ClusterSettings()
    notifications: list[NotificationTarget] = Field(default_factory=list, description="apprise URLs.")
    tagging: TaggingSettings = TaggingSettings()
    digest: DigestSettings = DigestSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    source: Path | None = Field(None, description="The file this was read from (set by load_settings).")

    @model_validator(mode="after")
    def _unique_feed_names(self) -> Settings:
        seen: set[str] = set()
        for i, feed in enumerate(self.feeds):
            if feed.name in seen:
                raise ValueError(f"feeds.{i}.name: duplicate feed name {feed.name!r}")
            seen.add(feed.name)
        return self

    @property
    def data_dir(self) -> Path:
        return self.database.parent

    @property
    def enabled_feeds(self) -> list[Feed]:
        return [f for f in self.feeds if f.enabled]


def _resolve_env(value: Any, path: str, env: dict[str, str]) -> Any:
    """Replace ``${VAR}`` in every string, recursively; a missing variable is an error at ``path``."""
    if isinstance(value, str):

        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in env:
                raise ConfigError(f"{path}: environment variable {name} is not set")
            return env[name]

        return ENV_REF.sub(sub, value)
    if isinstance(value, list):
        return [_resolve_env(v, f"{path}.{i}", env) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _resolve_env(v, f"{path}.{k}" if path else str(k), env) for k, v in value.items()}
    return value


def _notification_targets(raw: Any) -> Any:
    if not isinstance(raw, list):
        return raw
    out = []
    for item in raw:
        if isinstance(item, str):
            out.append({"url": item, "display": _redact(item)})
        else:
            out.append(item)
    return out


def _redact(template: str) -> str:
    """What may be printed of an apprise URL template: ${VAR} stays as written, inline passwords go."""
    parts = urlsplit(template)
    if parts.password and not ENV_REF.fullmatch(parts.password):
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return template.replace(parts.netloc, netloc)
    return template


def _format_error(err: dict[str, Any], source: str) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return f"{source}: {loc}: unknown key"
    if msg.startswith("feeds.") and ":" in msg:  # model-level checks already carry their own path
        return f"{source}: {msg}"
    got = err.get("input")
    shown = "" if isinstance(got, (dict, list)) or got is None or "got" in msg else f" (got {got!r})"
    return f"{source}: {loc}: {msg}{shown}"


def parse_settings(data: Any, source: str = "config.yaml", env: dict[str, str] | None = None,
                   base_dir: Path | None = None) -> Settings:
    """Validate a parsed YAML document. Relative paths are taken from ``base_dir``."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of keys, not {type(data).__name__}")
    env = dict(os.environ) if env is None else env
    raw_notifications = data.get("notifications")
    try:
        resolved = _resolve_env(data, "", env)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    if raw_notifications is not None:
        templates = raw_notifications if isinstance(raw_notifications, list) else []
        targets = _notification_targets(resolved.get("notifications"))
        if isinstance(targets, list):
            for target, template in zip(targets, templates):
                if isinstance(target, dict) and isinstance(template, str):
                    target["display"] = _redact(template)
        resolved["notifications"] = targets
    try:
        settings = Settings.model_validate(resolved)
    except ValidationError as exc:
        raise ConfigError(_format_error(exc.errors()[0], source)) from None
    base = base_dir or Path.cwd()
    tagging = settings.tagging
    if tagging.lexicon is not None:
        tagging = TaggingSettings(lexicon=(base / tagging.lexicon).resolve())
    return settings.model_copy(update={
        "tagging": tagging,
        "database": (base / settings.database).resolve(),
        "seeds": (base / settings.seeds).resolve(),
        "source": Path(source).resolve() if base_dir else None,
    })


def load_settings(path: Path | str) -> Settings:
    """Read and validate ``path``; any problem becomes a one-line ConfigError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}:{where}: not valid YAML: {problem}") from None
    return parse_settings(data, str(path), base_dir=path.resolve().parent)
