import json
from datetime import UTC, date, datetime

import pytest

from extractors.novelty import PriorFigure, classify_figure, is_new_event
from flows.config import NotificationTarget
from flows.digest import SLACK_LIMIT, render_all, render_slack, value_text
from flows.notify import scrub, send_to
from storage.outbox import DigestContent, DigestEvent, DigestFigure

NOW = datetime(2025, 9, 5, tzinfo=UTC)


def fig(i=0, **kw):
    base = dict(id=f"f{i}", category="killed", low=2000.0, high=2000.0, approximate=True, qualifier="about",
                stance="fact", attribution="NIS", as_of=date(2025, 9, 1),
                quote=f"NIS said about 2,000 North Korean soldiers had been killed & <many> wounded ({i}).",
                url=f"https://wire.example/a/{i}?x=1&y=2", title="t", outlet="Wire", novelty="new")
    base.update(kw)
    return DigestFigure(**base)


def test_novelty_rules():
    earlier = [PriorFigure("a", 12000, 12000, "fact", "", 1), PriorFigure("b", 600, 600, "fact", "NIS", 2)]
    assert classify_figure(12000, 12000, "fact", "", earlier).novelty == "repeat"
    assert classify_figure(12000, 12000, "fact", "NIS", earlier).novelty == "corroboration"
    assert classify_figure(12000, 12000, "planned", "", earlier).novelty == "new"  # stance counts
    revision = classify_figure(2000, 2000, "fact", "NIS", earlier)
    assert revision.novelty == "revision" and revision.revises_id == "b"
    assert classify_figure(25000, 30000, "fact", "GUR", earlier).novelty == "new"
    assert classify_figure(12000, 12000, "fact", "", []).novelty == "new"


def test_event_window():
    assert is_new_event(date(2025, 9, 10), [date(2025, 9, 1)], 7)
    assert not is_new_event(date(2025, 9, 5), [date(2025, 9, 1)], 7)
    assert not is_new_event(None, [date(2025, 9, 1)], 7) and is_new_event(None, [], 7)


def test_value_text_forms():
    assert value_text(fig()) == "about 2,000"
    assert value_text(fig(low=25000, high=30000, qualifier="")) == "25,000–30,000"
    assert value_text(fig(category="ammo_share_percent", low=40, high=40, qualifier="up to")) == "up to 40%"
    assert value_text(fig(low=2000, high=9999, qualifier="thousands")) == "thousands"


def test_every_rendering_names_value_claimant_date_quote_and_link():
    content = DigestContent(figures=(fig(),), events=(DigestEvent("e", "return_withdrawal", date(2025, 9, 4), "q",
                                                                   "https://wire.example/e", "t", "Wire"),),
                            corroborations=(fig(1, novelty="corroboration", attribution="GUR"),),
                            sources=(("Dead feed", "failing for 3 runs in a row: HTTP 500"),), runs=2,
                            articles_scanned=40, duplicates_skipped=3)
    title, bodies = render_all(content, NOW)
    assert title == "nkwatch: 1 new figure, 1 new event (2025-09-05)"
    for name, body in bodies.items():
        assert "2,000" in body and "NIS" in body and "2025-09-01" in body, name
        assert "wire.example/a/0" in body and "Dead feed" in body and "40 feed entries scanned" in body, name
    assert "&amp;" in bodies["html"] and "&lt;many&gt;" in bodies["html"]  # escaped in HTML


def test_slack_message_stays_within_limits_and_says_what_was_left_out():
    many = DigestContent(figures=tuple(fig(i) for i in range(200)))
    text = render_slack(many, NOW)
    assert len(text) <= SLACK_LIMIT and "more line(s)" in text
    assert "<https://wire.example/a/0?x=1&y=2|Wire>" in text


def test_slack_payload_through_apprise_without_calling_slack(monkeypatch):
    import requests

    sent = []

    class Answer:
        status_code = 200
        content = b"ok"
        text = "ok"

    def fake_request(method, url, data=None, headers=None, **kw):
        assert url.startswith("https://hooks.slack.com/"), url  # Slack's own host: the one thing mocked
        sent.append(json.loads(data))
        return Answer()

    monkeypatch.setattr(requests, "request", fake_request)
    content = DigestContent(figures=tuple(fig(i) for i in range(3)))
    title, bodies = render_all(content, NOW)
    target = NotificationTarget(url="slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#nk", display="slack://…")
    assert send_to(target, title, bodies) is None
    text = sent[0]["attachments"][0]["text"] if "attachments" in sent[0] else sent[0]["text"]
    assert sent[0]["mrkdwn"] is True and len(text) < 40_000
    assert "<https://wire.example/a/0?x=1&y=2|Wire>" in text  # links survive apprise's escaping
    assert "&amp; ‹many›" in text  # & escaped as Slack requires; angle brackets cannot fake a link


def test_failure_reasons_never_carry_the_secret():
    url = "mailto://nk:s3cr3t-pass@127.0.0.1:1?from=a@example.org&to=b@example.org"
    target = NotificationTarget(url=url, display="mailto://nk:${SMTP_PASSWORD}@127.0.0.1:1")
    error = send_to(target, "t", {"html": "<p>x</p>", "text": "x", "markdown": "x", "slack": "x"})
    assert error and "s3cr3t-pass" not in error
    assert "s3cr3t-pass" not in scrub(f"failed for {url}", url)


@pytest.mark.parametrize("url", ["nonsense://x", "mailto://"])
def test_unusable_target_is_a_reason_not_a_crash(url):
    error = send_to(NotificationTarget(url=url, display=url), "t", {"html": "", "text": "", "markdown": "", "slack": ""})
    assert error
