"""The ``nkwatch`` command. Each subcommand is a small function; errors become one ``Error:`` line.

Exit codes: 0 success, 1 a run-time failure (store, network), 2 a configuration or usage error.
Prefect is imported only by the commands that run flows, so the others start in well under a second.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from flows import prefect_env
from flows.config import ConfigError, Settings, load_settings

DEFAULT_CONFIG = os.environ.get("NKWATCH_CONFIG", "config.yaml")


class UsageError(Exception):
    """Bad command-line input; exit code 2."""


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = _settings(args)
    print(f"{args.config}: ok — {len(settings.enabled_feeds)} feed(s) enabled, database {settings.database},"
          f" {len(settings.notifications)} notification target(s)")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)  # validate before paying for Prefect's start-up
    if settings.enabled_feeds and not settings.cluster.enabled:
        from flows.workers import shared_pool

        # The extraction workers start (about a second of CPU) while Prefect starts its server.
        shared_pool(settings.extraction.workers).warm()
    from flows.monitor import monitor_for
    from flows.output import run_summary

    where = " (fetch and extraction on Dask)" if settings.cluster.enabled else ""
    print(f"nkwatch: polling {len(settings.enabled_feeds)} feed(s) into {settings.database}{where}", flush=True)
    with prefect_env.one_off_runs():
        summary = monitor_for(settings)(str(Path(args.config).resolve()))
    print(run_summary(summary))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from flows.serve import serve

    return serve(settings, Path(args.config), port=args.port)


def cmd_demo(args: argparse.Namespace) -> int:
    from flows.demo import run_demo

    return run_demo(Path(args.data), cycles=args.cycles, serve=args.serve)


def _read_html(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.name.endswith(".gz") else raw


def cmd_extract(args: argparse.Namespace) -> int:
    from extractors.article import extract_article
    from extractors.records import Skipped

    failed = 0
    for name in args.paths:
        path = Path(name)
        row: dict[str, object] = {"path": str(path)}
        try:
            result = extract_article(_read_html(path), args.url or path.resolve().as_uri())
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            result = Skipped(f"cannot read file: {exc}")
        if isinstance(result, Skipped):
            failed += 1
            row.update(title=None, text="", date=None, author=None, sitename=None, language=None,
                       error=result.reason)
            print(f"nkwatch extract: {path}: {result.reason}", file=sys.stderr)
        else:
            row.update(title=result.title, text=result.text,
                       date=result.published.isoformat() if result.published else None,
                       author=result.author, sitename=result.sitename, language=result.language)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 1 if failed and failed == len(args.paths) else 0


def cmd_tag(args: argparse.Namespace) -> int:
    from extractors.figures import tag
    from extractors.lexicon import load_lexicon
    from extractors.seeds import parse_seed

    lexicon = load_lexicon(Path(args.lexicon) if args.lexicon else None)
    for name in args.paths:
        path = Path(name)
        try:
            doc = parse_seed(path.name, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            print(json.dumps({"path": str(path), "error": f"cannot read file: {exc}"}))
            print(f"nkwatch tag: {path}: cannot read file: {exc}", file=sys.stderr)
            continue
        result = tag(doc.text, doc.published, lexicon)
        print(json.dumps({
            "path": str(path), "relevant": result.relevant, "score": round(result.score, 3),
            "evidence": list(result.evidence),
            "figures": [{"category": f.category, "low": f.low, "high": f.high, "approximate": f.approximate,
                         "qualifier": f.qualifier, "stance": f.stance, "attribution": f.attribution,
                         "as_of": f.as_of.isoformat() if f.as_of else None, "quote": f.quote}
                        for f in result.figures],
            "events": [{"type": e.type, "date": e.date.isoformat() if e.date else None, "quote": e.quote}
                       for e in result.events],
        }, ensure_ascii=False), flush=True)
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from flows import notify

    settings = _settings(args)
    if args.send:
        from flows.monitor import digest

        with prefect_env.one_off_runs():
            result = digest(str(Path(args.config).resolve()))
        made = result["digest"]
        print(f"digest {made} written to the outbox" if made else "nothing new: no digest written")
        for d in result["deliveries"]:
            print(f"  {'sent' if d['ok'] else 'FAILED'}  {d['target']}" + (f": {d['error']}" if d["error"] else ""))
        if not result["deliveries"]:
            print("no delivery was due" if settings.notifications else "no notification targets configured")
        return 1 if any(not d["ok"] for d in result["deliveries"]) else 0
    text = notify.preview(settings, args.format)
    print(text if text is not None else "nothing new since the last digest: nothing would be sent")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from flows.output import FORMATS
    from storage.query import run_readonly

    settings = _settings(args)
    result = run_readonly(settings.database,
                          "SELECT feed, consecutive_failures AS failing_runs, last_success, last_error,"
                          " backing_off_until, articles_this_week, articles, duplicate_share, mean_extracted_chars,"
                          " feed_text_only FROM sources ORDER BY consecutive_failures DESC, feed")
    if result.note:
        print(result.note, file=sys.stderr)
    print(FORMATS[args.format](result.columns, result.rows))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from flows.report import write_report

    settings = _settings(args)
    out = Path(args.out) if args.out else settings.data_dir / "report.html"
    counts = write_report(settings.database, out)
    print(f"wrote {out}: {counts['charts']} chart(s), {counts['claims']} claim(s), {counts['events']} event(s)")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from flows.textsearch import render, run_search

    settings = _settings(args)
    results, note = run_search(settings.database, " ".join(args.terms), args.limit)
    if note:
        print(note.strip(), file=sys.stderr)
    print(render(results))
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from flows.output import FORMATS
    from storage.query import export_parquet, run_readonly

    settings = _settings(args)
    if args.format == "parquet" and not args.out:
        raise UsageError("--format parquet needs --out FILE")
    if args.out:
        out = Path(args.out)
        if args.format == "parquet" or out.suffix == ".parquet":
            result = export_parquet(settings.database, args.sql, out)
            print(f"wrote {result.rows[0][0]} row(s) to {out}")
            return 0
        result = run_readonly(settings.database, args.sql)
        fmt = args.format if args.format != "table" else ("csv" if out.suffix == ".csv" else "json")
        out.write_text(FORMATS[fmt](result.columns, result.rows) + "\n", encoding="utf-8")
        print(f"wrote {len(result.rows)} row(s) to {out}")
        return 0
    result = run_readonly(settings.database, args.sql)
    if result.note:
        print(result.note, file=sys.stderr)
    print(FORMATS[args.format](result.columns, result.rows))
    return 0


def cmd_rebuild_band_keys(args: argparse.Namespace) -> int:
    from flows.repair import rebuild_band_keys

    rebuild_band_keys(_settings(args))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nkwatch",
        description="Watch news feeds on North Korea's deployment to Russia's war and keep only what is new.",
        epilog="Start with `nkwatch demo` (offline, against a local news site), then `nkwatch run`.\n"
               "Every command takes --help.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str, description: str,
            config: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=description,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        if config:
            p.add_argument("--config", "-c", default=DEFAULT_CONFIG, metavar="PATH",
                           help="configuration file (default: %(default)s, or $NKWATCH_CONFIG)")
        p.set_defaults(func=func)
        return p

    add("run", cmd_run, "run one monitoring cycle now",
        "Poll every enabled feed once (conditional GET), read new articles, de-duplicate them against\n"
        "the store (seeds included) and print a summary. Runs Prefect in local ephemeral mode unless\n"
        "PREFECT_API_URL is set (environment or Prefect profile). Running it again at once adds nothing.\n\n"
        "example:\n  nkwatch run --config config.yaml")
    p = add("serve", cmd_serve, "run the monitor and digest flows on their schedules",
            "Serve the monitor flow on `schedule.monitor` and the digest flow on `schedule.digest`\n"
            "(config.yaml) until Ctrl-C or SIGTERM. Monitor runs never overlap: a cycle due while the\n"
            "previous one still runs is cancelled. Without PREFECT_API_URL (environment or the active\n"
            "Prefect profile) a local Prefect server is started (database under the data folder, UI on\n"
            "127.0.0.1:PORT) and stopped with serve.\n\n"
            "examples:\n  nkwatch serve\n  PREFECT_API_URL=http://127.0.0.1:4200/api nkwatch serve")
    p.add_argument("--port", type=int, default=4200, help="port of the local Prefect server (default: %(default)s)")
    add("check-config", cmd_check_config, "validate config.yaml and exit",
        "Read and validate the configuration; print one line naming the key path on error (exit 2).\n\n"
        "example:\n  nkwatch check-config --config config.yaml")
    p = add("extract", cmd_extract, "print the article text of saved HTML pages as JSON lines",
            "For each .html or .html.gz file print one JSON line:\n"
            '  {"path", "title", "text", "date", "author", "sitename", "language"}\n'
            "(plus \"error\" when nothing could be extracted).\n\n"
            "example:\n  nkwatch extract page.html.gz other.html > articles.jsonl", config=False)
    p.add_argument("paths", nargs="+", metavar="PATH", help=".html or .html.gz files")
    p.add_argument("--url", help="the URL the pages came from (helps metadata); default: the file's URI")
    p = add("tag", cmd_tag, "print relevance, figures and events of text files as JSON lines",
            "For each plain-text file print one JSON line:\n"
            '  {"path", "relevant", "score", "evidence", "figures": [{"category", "low", "high", "approximate",\n'
            '   "qualifier", "stance", "attribution", "as_of", "quote"}], "events": [{"type", "date", "quote"}]}\n'
            "A first line ' date YYYY-MM-DD' (as in seeds/) is read as the article's date, not as text.\n\n"
            "example:\n  nkwatch tag seeds/*.txt", config=False)
    p.add_argument("paths", nargs="+", metavar="PATH", help="plain-text files")
    p.add_argument("--lexicon", metavar="YAML", help="vocabulary file (default: the built-in extractors/lexicon.yaml)")
    p = add("digest", cmd_digest, "show the next digest, or write and send it",
            "--dry-run (the default) prints what the next digest would say, writing and sending nothing.\n"
            "--send writes it to the outbox (only when something is new, or as a heartbeat if configured)\n"
            "and delivers every pending digest to the targets under `notifications:`; failed targets are\n"
            "retried with backoff on later runs and never block the others.\n\n"
            "examples:\n  nkwatch digest --dry-run\n  nkwatch digest --dry-run --format slack\n  nkwatch digest --send")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="print the next digest; send nothing (default)")
    mode.add_argument("--send", action="store_true", help="write the digest and deliver pending ones")
    p.add_argument("--format", choices=["text", "markdown", "html", "slack"], default="text",
                   help="with --dry-run: which rendering to print (default: %(default)s)")
    p = add("sources", cmd_sources, "show each feed's health: failures, yield, duplicates",
            "Print the `sources` view: per feed the last success, the last error, failing runs in a row,\n"
            "back-off, articles this week and in all, the share of duplicates, the mean extracted length and\n"
            "how often the feed's own text stood in for an unreadable page. Failing feeds come first.\n\n"
            "example:\n  nkwatch sources\n  nkwatch sources --format csv > sources.csv")
    p.add_argument("--format", "-f", choices=["table", "csv", "json"], default="table")
    p = add("report", cmd_report, "write a self-contained HTML timeline of the claims",
            "Write one HTML page (no network needed to open it): per category, a chart of each claimed\n"
            "value over time, coloured by claimant, ranges shown as ranges, each point linking to its\n"
            "article; below, the table of claims and the latest events.\n\n"
            "example:\n  nkwatch report --out report.html")
    p.add_argument("--out", "-o", metavar="FILE", help="where to write (default: report.html beside the store)")
    p = add("search", cmd_search, "rank stored articles for words (BM25 full-text search)",
            "Rank the stored articles (originals, not duplicates) by relevance to the words given, and\n"
            "show each one's title, date, outlet and the sentence that matches best.\n\n"
            "examples:\n  nkwatch search sappers Kursk\n  nkwatch search \"casualties NIS\" --limit 5")
    p.add_argument("terms", nargs="+", help="words to look for")
    p.add_argument("--limit", "-n", type=int, default=10, help="results to show (default: %(default)s)")
    p = add("query", cmd_query, "run read-only SQL on the store",
            "Run one SQL statement on the store, read-only (it cannot write the store or any file).\n"
            "Views: articles, figures, events, timeline, sources, deliveries, digests, runs, taggings (README).\n"
            "When a cycle is writing, the answer comes from the last snapshot and says how old it is.\n\n"
            "examples:\n"
            "  nkwatch query \"SELECT title, feed, published FROM articles ORDER BY fetched_at DESC LIMIT 10\"\n"
            "  nkwatch query --format csv \"SELECT * FROM articles WHERE duplicate_of IS NOT NULL\"\n"
            "  nkwatch query --out timeline.parquet \"SELECT * FROM timeline\"")
    p.add_argument("sql", help="one SQL statement")
    p.add_argument("--format", "-f", choices=["table", "csv", "json", "parquet"], default="table",
                   help="output format (default: %(default)s; json = one object per line; parquet needs --out)")
    p.add_argument("--out", "-o", metavar="FILE", help="write to FILE instead of the screen (.parquet, .csv, .jsonl)")
    add("rebuild-band-keys", cmd_rebuild_band_keys, "make the near-duplicate band keys again from the stored texts",
        "The band keys of all but the newest articles live in a file beside the store\n"
        "(<store>.bands.duckdb). If it was lost, cycles warn 'repair due' and cannot find near copies of\n"
        "the older articles until this has run. It makes the keys of every stored article that has\n"
        "none, a batch at a time (100k articles took 43 s here), and can be stopped and run again.\n"
        "Run it while no cycle runs (it waits for the store like a cycle).\n\n"
        "example:\n  nkwatch rebuild-band-keys --config config.yaml")
    p = add("demo", cmd_demo, "run cycles against a built-in local news site (offline)",
            "Start a local news site on 127.0.0.1 (three outlets, RSS and Atom, one republished seed,\n"
            "one near-copy, unrelated stories), run monitoring cycles against it and show what was stored.\n\n"
            "example:\n  nkwatch demo --data data/demo", config=False)
    p.add_argument("--data", default="data/demo", help="folder for the demo's store (default: %(default)s)")
    p.add_argument("--cycles", type=int, default=2, help="cycles to run; the second shows nothing is added twice")
    p.add_argument("--serve", action="store_true", help="keep the site running after the cycles (Ctrl-C stops)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    from storage.db import StoreError

    try:
        return args.func(args)
    except (ConfigError, UsageError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
