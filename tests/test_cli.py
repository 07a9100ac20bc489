import re
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import _parser, main

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "usage: nkwatch " + command in out and "example" in out


def test_readme_documents_every_command():
    readme = (ROOT / "README.md").read_text()
    for command in COMMANDS:
        assert re.search(rf"`nkwatch {command}\b", readme), command


def test_extract_prints_one_json_line_per_file(tmp_path):
    import gzip
    import json

    body = "<html><body><article><h1>T</h1>" + "<p>North Korean troops arrived in Kursk in 2024.</p>" * 10
    (tmp_path / "a.html").write_text(body + "</article></body></html>")
    (tmp_path / "b.html.gz").write_bytes(gzip.compress((body + "</article></body></html>").encode()))
    out = subprocess.run([sys.executable, "-m", "flows.cli", "extract", str(tmp_path / "a.html"),
                          str(tmp_path / "b.html.gz")], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert [Path(r["path"]).name for r in rows] == ["a.html", "b.html.gz"]
    assert all(set(r) >= {"path", "title", "text", "date", "author", "sitename", "language"} for r in rows)
    assert "Kursk" in rows[1]["text"]


def test_query_is_read_only_and_formats(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"database: {tmp_path / 'x.duckdb'}\nfeeds: []\n")
    from storage.db import open_store

    with open_store(tmp_path / "x.duckdb"):
        pass
    assert main(["query", "-c", str(cfg), "SELECT 1 AS one, 'a,b' AS two"]) == 0
    assert "one  two" in capsys.readouterr().out
    assert main(["query", "-c", str(cfg), "-f", "csv", "SELECT 1 AS one, 'a,b' AS two"]) == 0
    assert capsys.readouterr().out.strip() == 'one,two\n1,"a,b"'
    assert main(["query", "-c", str(cfg), "-f", "json", "SELECT 1 AS one"]) == 0
    assert capsys.readouterr().out.strip() == '{"one": 1}'
    assert main(["query", "-c", str(cfg), "CREATE TABLE t (x INT)"]) == 1
    assert "read-only" in capsys.readouterr().err
    assert main(["query", "-c", str(cfg), "COPY (SELECT 1) TO '" + str(tmp_path / "out.csv") + "'"]) == 1
    assert not (tmp_path / "out.csv").exists()
