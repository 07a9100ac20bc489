from pathlib import Path

import pytest
import yaml

from flows.cli import main
from flows.config import ConfigError, load_settings, parse_settings

ROOT = Path(__file__).resolve().parent.parent


def parse(text: str, env: dict[str, str] | None = None):
    return parse_settings(yaml.safe_load(text), "config.yaml", env=env or {})


def test_shipped_config_is_valid_and_lists_real_feeds():
    settings = load_settings(ROOT / "config.yaml")
    assert len(settings.enabled_feeds) >= 6
    assert all(f.url.startswith("https://") for f in settings.feeds)
    assert settings.database == (ROOT / "data" / "nkwatch.duckdb").resolve()


def test_defaults_apply_when_keys_are_missing():
    s = parse("feeds: []")
    assert s.http.max_bytes == 5_000_000 and s.dedup.near_duplicate_threshold == 0.5
    assert s.http.allow_private_addresses is False


@pytest.mark.parametrize("text, message", [
    ("bogus: 1", "config.yaml: bogus: unknown key"),
    ("http: {timout_seconds: 3}", "config.yaml: http.timout_seconds: unknown key"),
    ("feeds: [{name: a, url: ftp://x}]", "config.yaml: feeds.0.url: must be an http(s) URL (got 'ftp://x')"),
    ("http: {timeout_seconds: -1}", "config.yaml: http.timeout_seconds: Input should be greater than 0 (got -1)"),
    ("feeds: [{name: a, url: 'http://x'}, {name: a, url: 'http://y'}]", "config.yaml: feeds.1.name: duplicate feed name 'a'"),
    ("notifications: ['mailto://u:${NO_SUCH_VAR}@h']", "config.yaml: notifications.0: environment variable NO_SUCH_VAR is not set"),
    ("- just a list", "config.yaml: the top level must be a mapping of keys, not list"),
])
def test_each_mistake_is_one_line_naming_the_key(text, message):
    with pytest.raises(ConfigError) as err:
        parse(text)
    assert str(err.value) == message
    assert "\n" not in str(err.value)


def test_secrets_resolve_but_display_keeps_the_reference():
    s = parse("notifications: ['mailto://me:${PW}@mail.example.org', 'mailto://me:inline@h']", env={"PW": "hunter2"})
    assert s.notifications[0].url == "mailto://me:hunter2@mail.example.org"
    assert "hunter2" not in repr(s) and "hunter2" not in str(s.notifications[0])
    assert str(s.notifications[1]) == "mailto://me:***@h"


def test_check_config_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text("feeds: [{name: a, url: 'https://example.org/rss'}]\n")
    assert main(["check-config", "--config", str(good)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("feeds: [{name: a, url: 'https://example.org/rss', colour: red}]\n")
    assert main(["check-config", "--config", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"Error: {bad}: feeds.0.colour: unknown key"
    assert main(["check-config", "--config", str(tmp_path / "missing.yaml")]) == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text("feeds: [\n")
    assert main(["check-config", "--config", str(broken)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


def test_relative_paths_are_taken_from_the_config_folder(tmp_path):
    cfg = tmp_path / "sub" / "c.yaml"
    cfg.parent.mkdir()
    cfg.write_text("database: store/x.duckdb\nfeeds: []\n")
    assert load_settings(cfg).database == tmp_path / "sub" / "store" / "x.duckdb"


def test_an_unreadable_config_is_one_line(tmp_path, capsys):
    folder = tmp_path / "config.yaml"
    folder.mkdir()  # a folder where the file should be: unreadable as a file, even for root
    assert main(["check-config", "--config", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"Error: {folder}: cannot read:") and "\n" not in err


def test_wrong_types_are_named(tmp_path):
    with pytest.raises(ConfigError) as err:
        parse("feeds: {name: a}")
    assert str(err.value).startswith("config.yaml: feeds: Input should be a valid list")
