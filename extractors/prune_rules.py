"""trafilatura's costliest pruning searches, answered in Python with the same result.

trafilatura 2.3.1 finds boilerplate to delete with XPath expressions whose ``re:test(...)`` calls
are EXSLT regular expressions, which lxml answers by calling back into Python once per element and
attribute. On the 181 benchmark pages those searches took about 8 ms of a page's 28: more than
a third of trafilatura's own time. The same tests written as a loop over the elements, with the
same compiled patterns, return the same elements in the same (document) order several times faster.

Each rule below translates one expression of ``trafilatura.xpaths`` and names it. ``install()``
puts a rule in place of its expression only when the expression's text is still the one it
translates (its SHA-256), so a trafilatura upgrade that edits an expression keeps trafilatura's own;
``tests/test_prune_rules.py`` checks every rule against its XPath on real pages and edge cases.

XPath semantics kept: ``.//*`` is the element's descendants (itself excluded, comments excluded);
a missing attribute reads as ``''``; ``re:test(@a|@b, p)`` tests the one of the two that comes
first in the element's attribute order (XPath's string of a node-set is its first node);
``re:test`` is ``re.search``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import trafilatura.xpaths as xp
from lxml import etree

Matcher = Callable[[etree._Element], list[etree._Element]]


def _first_of(element: etree._Element, a: str, b: str) -> str | None:
    """String of ``@a|@b``: the value of whichever of the two comes first on the element."""
    value_a, value_b = element.get(a), element.get(b)
    if value_a is None or value_b is None:
        return value_a if value_b is None else value_b
    keys = element.keys()
    return value_a if keys.index(a) < keys.index(b) else value_b


def _rx(pattern: str) -> re.Pattern[str]:
    compiled = re.compile(pattern)
    # Every rule skips a missing attribute instead of testing '' against the pattern: exact only
    # for patterns that cannot match ''.
    if compiled.search(""):
        raise ValueError(f"pattern matches the empty string: {pattern}")
    return compiled


def _test(rx: re.Pattern[str], value: str | None) -> bool:
    return rx.search(value) is not None if value else False


def _below(tree: etree._Element, tags: tuple[str, ...] | None) -> Iterable[etree._Element]:
    return tree.iterdescendants(*tags) if tags else tree.iterdescendants(etree.Element)


# RAW_TREE_PRUNE_XPATH[0]: infinite-scroll containers of appended articles.
_SCROLL = _rx("mvp-post-add-(?:box|wrap)|infinite-?scroll")
_MVP = _rx("mvp-post-add-(?:box|wrap)")


def raw_tree_scroll(tree: etree._Element) -> list[etree._Element]:
    found = []
    for el in _below(tree, ("div", "section", "aside")):
        id_, cls = el.get("id"), el.get("class")
        if not (_test(_SCROLL, id_) or _test(_SCROLL, cls)):
            continue
        if _test(_MVP, id_) or _test(_MVP, cls) or next(el.iterdescendants("h1"), None) is None:
            found.append(el)
    return found


# REMOVE_COMMENTS_XPATH[0] and REMOVE_COMMENTS_AND_LISTS_XPATH[0]: comment sections.
_COMMENTS_ID = "[Cc]omment(?!ary)|comol"
_COMMENT_ID = _rx(f"^(?:{_COMMENTS_ID}|disqus_thread|dsq-comments)")
_COMMENT_LIST_ID = _rx(f"^(?:{_COMMENTS_ID})")
_COMMENT_CLASS = _rx("^[Cc]omment(?!ary)|(?:article|post)-comments")


def comments(tree: etree._Element) -> list[etree._Element]:
    return [el for el in _below(tree, ("div", "list", "section", "details"))
            if _test(_COMMENT_ID, el.get("id")) or _test(_COMMENT_CLASS, el.get("class"))]


def comments_and_lists(tree: etree._Element) -> list[etree._Element]:
    found = []
    for el in _below(tree, ("div", "list", "section", "details", "ol", "ul")):
        id_, cls = el.get("id"), el.get("class")
        if not (_test(_COMMENT_ID, id_) or _test(_COMMENT_CLASS, cls)):
            continue
        if el.tag not in ("ol", "ul") or _test(_COMMENT_LIST_ID, id_) or _test(_COMMENT_CLASS, cls):
            found.append(el)
    return found


# OVERALL_DISCARD_XPATH[0]: navigation, share, ad, footer, related... blocks. The token lists are
# trafilatura's own (its private names), so the patterns are the very strings its XPath tests.
_CONSENT = _rx(xp._alt(xp._CONSENT_ID_CLASS_TOKENS))
_DISCARD_ID = _rx(xp._alt(xp._OVERALL_DISCARD_BOTH_TOKENS + xp._OVERALL_DISCARD_ID_TOKENS))
_DISCARD_CLASS = _rx(xp._alt(xp._OVERALL_DISCARD_BOTH_TOKENS + xp._OVERALL_DISCARD_CLASS_TOKENS))
_BLOCKS = ("div", "item", "list", "p", "section", "span")


def overall_blocks(tree: etree._Element) -> list[etree._Element]:
    found = []
    for el in _below(tree, _BLOCKS):
        if not el.attrib:
            continue
        role = el.get("role")
        if (el.get("data-lp-replacement-content") is not None
                or (role is not None and "nav" in role.replace("N", "n"))
                or "MostPopularStories" in (el.get("data-component") or "")
                or _test(_CONSENT, _first_of(el, "id", "class"))
                or _test(_DISCARD_ID, el.get("id"))
                or _test(_DISCARD_CLASS, el.get("class"))):
            found.append(el)
    return found


# OVERALL_DISCARD_XPATH[1]: hidden elements, reply and comment-title furniture.
_HIDDEN_ID = _rx("reader-comments|akismet")
_HIDDEN_CLASS = _rx("^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-|hide-print"
                    "| hidden| hide|noprint|notloaded")
_HIDDEN = _rx("hidden")


def overall_hidden(tree: etree._Element) -> list[etree._Element]:
    found = []
    for el in _below(tree, None):
        if not el.attrib:
            continue
        cls, style = el.get("class"), el.get("style") or ""
        if (cls == "comments-title"
                or (_first_of(el, "id", "class") or "").startswith("reply-")
                or _test(_HIDDEN, _first_of(el, "id", "style"))
                or "display:none" in style or "display: none" in style
                or _test(_HIDDEN_ID, el.get("id"))
                or _test(_HIDDEN_CLASS, cls)
                or el.get("aria-hidden") == "true"):
            found.append(el)
    return found


# PRECISION_DISCARD_XPATH[1]: page-bottom chrome and bare link blocks.
_BOTTOM = _rx(r"(^|\s)bottom|bottom(\s|$)")
_LINK = _rx(r"(^|\s)link(\s|$)")


def precision_bottom(tree: etree._Element) -> list[etree._Element]:
    found = []
    for el in _below(tree, _BLOCKS):
        if not el.attrib:
            continue
        first = _first_of(el, "id", "class")
        if _test(_BOTTOM, first) or _test(_LINK, first) or "border" in (el.get("style") or ""):
            found.append(el)
    return found


@dataclass(frozen=True)
class Rule:
    list_name: str  # the list in trafilatura.xpaths
    index: int
    source_sha256: str  # of the expression's text (``XPath.path``) this rule translates
    matcher: Matcher


RULES = (
    Rule("RAW_TREE_PRUNE_XPATH", 0, "01e7c660fd6406f29932819d2dbd7530e2f3bdac11dde83565e977e391303444",
         raw_tree_scroll),
    Rule("REMOVE_COMMENTS_XPATH", 0, "5d97216ca15d05582de538174e876b27626b7a166810320152081c7e26bb5ca2",
         comments),
    Rule("REMOVE_COMMENTS_AND_LISTS_XPATH", 0, "9cc18d34e6e2d258172b5df02bc44e578c95ef709b8e06722846c7a410c3a46f",
         comments_and_lists),
    Rule("OVERALL_DISCARD_XPATH", 0, "a837e58a1b1ea116ce1dada53d856dec093fe9f64b37dc503698e30f96a87dd3",
         overall_blocks),
    Rule("OVERALL_DISCARD_XPATH", 1, "c1d5b70b8cd03783545d6b715c69062ae6967c222b2d8f4e2399762362d426c0",
         overall_hidden),
    Rule("PRECISION_DISCARD_XPATH", 1, "53d31ea1df47920acee695b26b87b1ce36f16913686e547edc2ae0ba6efab5f7",
         precision_bottom),
)


def source_sha256(expression: etree.XPath) -> str:
    return hashlib.sha256(expression.path.encode()).hexdigest()


# trafilatura's own expressions, kept for comparison (tests) once their rules are installed.
ORIGINALS: dict[tuple[str, int], etree.XPath] = {}


def install() -> list[Rule]:
    """Swap each rule in for its expression (in place: trafilatura's modules hold the same lists).
    Returns the rules installed; an expression whose text changed keeps trafilatura's XPath."""
    installed = []
    for rule in RULES:
        expressions = getattr(xp, rule.list_name)
        current = expressions[rule.index]
        if isinstance(current, etree.XPath) and source_sha256(current) == rule.source_sha256:
            ORIGINALS[(rule.list_name, rule.index)] = current
            expressions[rule.index] = rule.matcher
            installed.append(rule)
    return installed
