"""Issue 4 end to end: seeds loaded, a local site with an article repeating the seeds' figures and one
with a new figure; digests go to a real SMTP server and a real webhook on 127.0.0.1."""

from __future__ import annotations

import re

import duckdb
import pytest

from flows.localsite import DEMO_EXPECTATIONS

from .conftest import demo_config
from .receivers import SmtpReceiver, WebhookReceiver

pytestmark = pytest.mark.slow


def write_config(tmp_path, site, targets, **digest):
    return demo_config(tmp_path, site, notifications=targets, digest={"retry_minutes": 0.0001, **digest})


def deliveries(tmp_path):
    with duckdb.connect(str(tmp_path / "nk.duckdb"), read_only=True) as con:
        return con.execute("SELECT target, status, attempts, last_error FROM store.deliveries ORDER BY target").fetchall()


def latest_artifact_markdown() -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["news-digest"])))
    assert found, "no news-digest artifact"
    return str(max(found, key=lambda a: a.created).data)


def section(html: str, heading: str) -> str:
    match = re.search(rf"<h2[^>]*>{heading}</h2>(.*?)(<h2|$)", html, re.S)
    return match.group(1) if match else ""


def test_one_email_names_the_new_figure_and_a_second_cycle_sends_nothing(prefect_harness, site, tmp_path):
    from flows.monitor import monitor

    smtp = SmtpReceiver().start()
    hook = WebhookReceiver().start()
    try:
        config = write_config(tmp_path, site, [smtp.url(), hook.url()])
        first = monitor(str(config))
        assert first["digest"] and [d["ok"] for d in first["deliveries"]] == [True, True]
        assert len(smtp.messages) == 1 and len(hook.bodies) == 1
        html = SmtpReceiver.html_of(smtp.messages[0])
        new = section(html, "New figures")
        path, details = DEMO_EXPECTATIONS.new_figure
        assert "2,000" in new and "NIS" in new and site.url(path) in new
        for repeated in ("4,700", "15,000", "12,000"):  # the seeds' figures, repeated by another article
            assert repeated not in new
        assert "about 2,000" in hook.bodies[0]["message"] and hook.bodies[0]["title"].startswith("nkwatch: ")
        assert "2,000" in latest_artifact_markdown()  # published on the flow run as well

        second = monitor(str(config))
        assert second["digest"] is None and second["deliveries"] == []
        assert len(smtp.messages) == 1 and len(hook.bodies) == 1
    finally:
        smtp.stop()
        hook.stop()


def test_smtp_down_digest_stays_pending_and_goes_out_exactly_once(prefect_harness, site, tmp_path):
    from flows.config import load_settings
    from flows.monitor import monitor
    from flows.notify import deliver_due

    smtp = SmtpReceiver()  # not started: connection refused
    hook = WebhookReceiver().start()
    try:
        config = write_config(tmp_path, site, [smtp.url(), hook.url()])
        first = monitor(str(config))
        outcome = {d["target"].split(":")[0]: d for d in first["deliveries"]}
        assert outcome["json"]["ok"] and not outcome["mailto"]["ok"]
        assert outcome["mailto"]["error"]
        rows = {t.split(":")[0]: (status, attempts) for t, status, attempts, _ in deliveries(tmp_path)}
        assert rows == {"json": ("sent", 1), "mailto": ("failed", 1)}

        smtp.start()
        reports = deliver_due(load_settings(config))
        assert [(r.target.split(":")[0], r.ok) for r in reports] == [("mailto", True)]
        assert len(smtp.messages) == 1 and len(hook.bodies) == 1
        assert deliver_due(load_settings(config)) == []  # sent is sent: never again
        again = monitor(str(config))
        assert again["deliveries"] == [] and len(smtp.messages) == 1 and len(hook.bodies) == 1
    finally:
        smtp.stop()
        hook.stop()


def test_heartbeat_when_nothing_is_new(prefect_harness, site, tmp_path):
    from flows.monitor import digest, monitor

    hook = WebhookReceiver().start()
    try:
        config = write_config(tmp_path, site, [hook.url()], heartbeat=True)
        monitor(str(config))
        assert len(hook.bodies) == 1
        quiet = digest(str(config))  # nothing new since: a heartbeat says so
        assert quiet["digest"] and len(hook.bodies) == 2
        assert hook.bodies[1]["title"].startswith("nkwatch: all quiet")
    finally:
        hook.stop()


def test_batched_mode_waits_for_the_digest_flow_and_reports_failing_sources(prefect_harness, site, tmp_path):
    import yaml as _yaml

    from flows.monitor import digest, monitor

    smtp = SmtpReceiver().start()
    try:
        config = write_config(tmp_path, site, [smtp.url()], mode="batched", failing_feed_runs=1,
                              attach_report=True)
        cfg = _yaml.safe_load(config.read_text())
        cfg["feeds"].append({"name": "Gone Feed", "url": site.url("/gone.xml")})
        config.write_text(_yaml.safe_dump(cfg))
        first = monitor(str(config))
        assert first["digest"] is None and smtp.messages == []  # batched: the cycle sends nothing
        sent = digest(str(config))
        assert sent["digest"] and len(smtp.messages) == 1
        message = smtp.messages[0]
        html = SmtpReceiver.html_of(message)
        assert "Gone Feed" in section(html, "Sources needing attention") and "HTTP 404" in html
        names = [part.get_filename() for part in message.walk() if part.get_filename()]
        assert names == ["report.html"]  # the timeline report rides along
    finally:
        smtp.stop()


def test_a_fold_due_runs_after_the_digest_went_out(prefect_harness, site, tmp_path, monkeypatch):
    """Folding a full recent tier takes about 18 s at 1M articles: the news goes out first."""
    from flows import cycle
    from flows.monitor import monitor
    from storage import tiers

    monkeypatch.setattr(tiers, "TIERED", {"article_bands": tiers.Tiered(tiers.BANDS.main, tiers.BANDS.recent, 10**9),
                                          "search_terms": tiers.Tiered(tiers.POSTINGS.main, tiers.POSTINGS.recent, 100)})
    hook = WebhookReceiver().start()
    sent_before_fold = []
    fold = cycle.fold_tiers
    monkeypatch.setattr(cycle, "fold_tiers", lambda settings: (sent_before_fold.append(len(hook.bodies)), fold(settings))[1])
    try:
        first = monitor(str(write_config(tmp_path, site, [hook.url()])))
    finally:
        hook.stop()
    assert first["digest"] and len(hook.bodies) == 1
    assert sent_before_fold == [1] and first["folded"]["search_terms"] > 100
