"""Each Python pruning rule finds exactly what trafilatura's XPath expression finds."""

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trafilatura.xpaths as xp
from lxml import etree
from trafilatura.htmlprocessing import convert_tags, tree_cleaning
from trafilatura.settings import Extractor
from trafilatura.utils import load_html

import extractors.article  # noqa: F401  (installs the rules)
from extractors import prune_rules
from flows.localsite_content import OUTLETS, outlet_for, render_article_page

BENCHMARK = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "article-extraction" / "html"

# Edge cases of the XPath semantics the rules must keep: attribute order for @a|@b, missing and
# empty attributes, the ancestor h1 test, ol/ul lists, translate() on @role, tags after
# trafilatura's conversion (list, item), and near-misses of every pattern.
EDGE = """<html><body>
<div id="infinite-scroll"><h1>Kept: has h1</h1><p>a</p></div>
<div class="infinite_scroll other"><p>no h1</p></div>
<section id="mvp-post-add-box"><h1>h1 but mvp</h1></section>
<aside class="mvp-post-add-wrap x"></aside><span class="infinite-scroll">span is not pruned here</span>
<div id="comments"><p>c</p></div><div id="commentary">not comments</div><div id="Comment-3"></div>
<ol class="comment-list"><li>x</li></ol><ul id="disqus_thread"><li>y</li></ul><ul class="post-comments"></ul>
<details class="article-comments"></details><div class=""></div><div id=""></div>
<div class="nav-top"></div><p role="Navigation">r</p><span role="main">m</span>
<div data-lp-replacement-content="">lp</div><div data-component="xMostPopularStoriesY"></div>
<div class="cookie-bar" id="main"></div><div id="main" class="cookie-bar"></div><div id="cookie"></div>
<div class="share-this"></div><div id="sharebox"></div><div class="shared"></div><div class="social-links"></div>
<p class="x ad y"></p><p class="ad-slot"></p><p class="head-ad-top"></p><p class="road"></p>
<div class="Footer"></div><div id="Nav"></div><div class="byline"></div><div class="tag-list"></div>
<div class="related-articles"></div><div class="more-on-this"></div><div class="article-meta"></div>
<div class="comments-title"></div><div id="reply-1" class="x"></div><div class="reply-2" id="y"></div>
<div class="x" id="reply-3"></div><div id="y" class="reply-4"></div>
<div style="visibility: hidden" id="a"></div><div id="a" style="hidden"></div><div id="hidden-1"></div>
<div style="display:none"></div><div style="display: none"></div><div style="display : none"></div>
<div id="reader-comments"></div><div class="hide-print"></div><div class="foo hidden"></div><div class="hidden"></div>
<div class="noprint"></div><div aria-hidden="true"></div><div aria-hidden="True"></div>
<div class="bottom-bar"></div><div class="Padding-bottom-lg-30"></div><div class="page bottom"></div>
<div class="link"></div><div class="headline-link"></div><div id="link" class="x"></div><div style="border:1px"></div>
<table><tr><td class="hidden">cell</td></tr></table><!-- <div class="hidden"></div> -->
<ul><li class="share-this">li</li></ul><section class="widget"><div class="elementor-widget">w</div></section>
</body></html>"""


def _trees(html: bytes | str):  # type: ignore[no-untyped-def]
    """The raw tree, and the tree as trafilatura prunes it (cleaned, tags converted to list/item)."""
    raw = load_html(html)
    yield raw
    converted = convert_tags(tree_cleaning(load_html(html), Extractor()), Extractor())
    yield converted


def _pages() -> list[bytes]:
    pages = [EDGE.encode()] + [
        render_article_page(outlet_for(key), url=f"https://{key}.example/a", title="Troops sent",
                            paragraphs=["North Korea sent troops, the agency said."] * 5,
                            published=datetime(2025, 4, 28, tzinfo=UTC), author="Jane Roe").encode()
        for key in OUTLETS]
    if BENCHMARK.is_dir():
        pages += [gzip.decompress(p.read_bytes()) for p in sorted(BENCHMARK.glob("*.html.gz"))[:60]]
    return pages


def test_every_rule_is_installed_for_the_pinned_trafilatura() -> None:
    for rule in prune_rules.RULES:
        assert getattr(xp, rule.list_name)[rule.index] is rule.matcher
        assert prune_rules.source_sha256(prune_rules.ORIGINALS[(rule.list_name, rule.index)]) == rule.source_sha256


@pytest.mark.parametrize("rule", prune_rules.RULES, ids=lambda r: f"{r.list_name}[{r.index}]")
def test_rule_finds_what_the_xpath_finds(rule: prune_rules.Rule) -> None:
    original = prune_rules.ORIGINALS[(rule.list_name, rule.index)]
    found_any = False
    for page in _pages():
        for tree in _trees(page):
            expected = original(tree)
            assert rule.matcher(tree) == expected
            found_any = found_any or bool(expected)
    assert found_any, "the pages exercise the rule"


def test_a_changed_expression_keeps_trafilaturas_own(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = etree.XPath(".//div[@class='changed']")
    rule = prune_rules.RULES[0]
    expressions = getattr(xp, rule.list_name)
    monkeypatch.setattr(prune_rules, "RULES", (rule,))
    expressions[rule.index] = changed
    try:
        assert prune_rules.install() == []
        assert expressions[rule.index] is changed
    finally:
        expressions[rule.index] = rule.matcher


def test_a_pattern_that_matches_nothing_is_refused() -> None:
    with pytest.raises(ValueError):
        prune_rules._rx("x*")
