"""End to end: the real monitor flow (Prefect test harness) against the local news site over HTTP,
into a real DuckDB file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest
import yaml

from flows.localsite import DEMO_EXPECTATIONS, build_demo_site
from flows.localsite_content import FeedItem

from .conftest import SEEDS

pytestmark = pytest.mark.slow


@pytest.fixture()
def site():
    s = build_demo_site(SEEDS)
    s.start()
    s.add_page("/not-a-feed.xml", "<html><body><p>This is a web page, not a feed.</p></body></html>")
    yield s
    s.stop()


def write_config(tmp_path, site):
    feeds = [{"name": name, "url": site.url(path)} for name, path in DEMO_EXPECTATIONS.feeds.items()]
    feeds += [{"name": "dead", "url": "http://127.0.0.1:1/rss.xml"},
              {"name": "html", "url": site.url("/not-a-feed.xml")}]
    cfg = {"database": str(tmp_path / "data" / "nk.duckdb"), "seeds": str(SEEDS), "feeds": feeds,
           "http": {"allow_private_addresses": True, "retries": 0, "timeout_seconds": 5},
           "extraction": {"workers": 2}}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path, tmp_path / "data" / "nk.duckdb"


def rows(db, sql, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def article(db, site, path):
    found = rows(db, "SELECT id, duplicate_of, similarity, extraction, extraction_note, version FROM articles"
                     " WHERE url = ?", [site.url(path)])
    assert len(found) == 1, (path, found)
    return found[0]


def seed_id(db, seed_file):
    return rows(db, "SELECT id FROM articles WHERE seed_file = ?", [seed_file])[0][0]


def test_one_cycle_end_to_end_then_nothing_twice(prefect_harness, site, tmp_path):
    from flows.monitor import monitor

    config, db = write_config(tmp_path, site)
    first = monitor(str(config))
    assert first["feeds_ok"] == 3 and first["feeds_failed"] == 2
    failed = {f["name"]: f["error"] for f in first["feeds"] if f["outcome"] == "failed"}
    assert failed["dead"].startswith("cannot connect to 127.0.0.1:1")
    assert failed["html"].startswith("not an RSS or Atom feed")
    assert first["seeds_loaded"] == 5

    # The seeds are the baseline, stored as source 'seed' with their dates and without the date line.
    seeds = rows(db, "SELECT seed_file, published, text FROM articles WHERE source = 'seed' ORDER BY seed_file")
    assert len(seeds) == 5 and seeds[0][1].date().isoformat() == "2025-08-22"
    assert not any(text.lstrip().startswith("date ") for _, _, text in seeds)

    path, seed_file = DEMO_EXPECTATIONS.republished_seed
    _, dup_of, similarity, *_ = article(db, site, path)
    assert dup_of == seed_id(db, seed_file) and similarity >= 0.9
    path, seed_file = DEMO_EXPECTATIONS.near_copy
    _, dup_of, similarity, *_ = article(db, site, path)
    assert dup_of == seed_id(db, seed_file) and 0.5 <= similarity < 1.0
    for path in DEMO_EXPECTATIONS.unrelated + (DEMO_EXPECTATIONS.known_figures, DEMO_EXPECTATIONS.new_figure[0]):
        assert article(db, site, path)[1] is None
    _, _, _, extraction, note, _ = article(db, site, DEMO_EXPECTATIONS.feed_only)
    assert extraction == "feed" and note == "page not fetched: HTTP 404 Not Found"

    count = rows(db, "SELECT count(*), count(DISTINCT id), count(DISTINCT canonical_url) FROM articles")[0]
    assert count[0] == count[1] == count[2] == 5 + first["new_articles"] + first["duplicates"]
    assert first["duplicates"] == 2

    # A second cycle at once: every feed answers 304, nothing is fetched or stored.
    site.reset_log()
    second = monitor(str(config))
    assert second["new_articles"] == second["duplicates"] == second["pages_read"] == 0
    assert {f["outcome"] for f in second["feeds"] if f["name"] in DEMO_EXPECTATIONS.feeds} == {"not_modified"}
    feed_paths = set(DEMO_EXPECTATIONS.feeds.values()) | {"/not-a-feed.xml"}
    assert site.requests and all(method == "GET" and path in feed_paths for method, path, _ in site.requests)
    assert rows(db, "SELECT count(*) FROM articles")[0][0] == count[0]
    health = dict(rows(db, "SELECT name, consecutive_failures FROM store.feeds"))
    assert health["dead"] == 2 and health["html"] == 2 and health["wire"] == 0


def test_new_entries_and_updated_articles_in_later_cycles(prefect_harness, site, tmp_path):
    from flows.monitor import monitor

    config, db = write_config(tmp_path, site)
    monitor(str(config))
    # A new story appears in one feed, and an existing article is updated at the same URL.
    site.add_article("daily", "sappers-return", "North Korean sappers return from Kursk",
                     ["Around 1,000 North Korean sappers returned home after clearing mines in Kursk, state media said. "
                      "The engineers had spent four months in the region. " * 4],
                     datetime(2025, 12, 14, 8, tzinfo=UTC), feed=DEMO_EXPECTATIONS.feeds["daily"])
    path = DEMO_EXPECTATIONS.new_figure[0]
    original = article(db, site, path)
    outlet = path.split("/")[1]
    page = site.url(path)
    import httpx

    html = httpx.get(page).text
    site.add_page(path, html.replace("</article>", "<p>Update: the agency later revised the figure after new "
                                     "information from the front, officials in Seoul told reporters on Monday.</p>"
                                     "</article>"))
    site.add_feed_entry(DEMO_EXPECTATIONS.feeds[outlet],
                        FeedItem("Updated: " + path, path, guid=f"tag:{outlet}.localsite,{path.split('/')[2]}-"
                                 f"{path.split('/')[3]}-{path.split('/')[4]}:{path.split('/')[5]}",
                                 published=datetime(2025, 12, 15, tzinfo=UTC), summary="updated"))
    third = monitor(str(config))
    assert third["new_articles"] == 1 and third["new_versions"] == 1 and third["duplicates"] == 0
    versions = rows(db, "SELECT version, previous_version_id FROM articles WHERE canonical_url ="
                        " (SELECT canonical_url FROM articles WHERE id = ?) ORDER BY version", [original[0]])
    assert versions == [(1, None), (2, original[0])]
    again = monitor(str(config))
    assert again["new_articles"] == again["new_versions"] == again["pages_read"] == 0


def test_a_reissued_copy_with_an_updated_number_keeps_only_the_new_figure(prefect_harness, site, tmp_path):
    from flows.monitor import monitor

    config, db = write_config(tmp_path, site)
    body = ("South Korea's National Intelligence Service said about 2,300 North Korean soldiers had been killed "
            "fighting for Russia, lawmakers briefed on Thursday said. " + "The agency gave no breakdown by region "
            "and said its estimate relied on intercepted communications and satellite imagery. " * 4)
    when = datetime(2025, 11, 3, 8, tzinfo=UTC)
    site.add_article("wire", "nis-toll", "NIS toll", [body], when, feed=DEMO_EXPECTATIONS.feeds["wire"])
    monitor(str(config))
    site.add_article("daily", "nis-toll-updated", "NIS toll (updated)", [body.replace("2,300", "2,400")],
                     when + timedelta(hours=5), feed=DEMO_EXPECTATIONS.feeds["daily"])
    second = monitor(str(config))
    assert second["duplicates"] == 1 and second["new_figures"] == 1
    got = rows(db, "SELECT f.low, a.duplicate_of IS NOT NULL FROM figures f JOIN articles a ON a.id = f.article_id"
                   " WHERE a.url LIKE '%nis-toll%' ORDER BY f.low")
    assert got == [(2300.0, False), (2400.0, True)]  # the copy adds only what its original lacks


def test_pages_are_cut_into_a_short_first_batch_then_full_ones():
    from flows.monitor import BATCH, FIRST_BATCH, batches

    jobs = list(range(181))
    parts = batches(jobs)
    assert [len(p) for p in parts] == [FIRST_BATCH, BATCH, BATCH, BATCH, BATCH, 181 - FIRST_BATCH - 4 * BATCH]
    assert [j for p in parts for j in p] == jobs
    assert batches([]) == [] and batches([1, 2]) == [[1, 2]]
