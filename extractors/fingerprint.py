"""What makes two articles "the same": canonical URLs, an exact text hash, and word-shingle MinHash.

Three levels, cheapest first:
- ``canonical_url``: the same page reached with tracking parameters, a fragment, an AMP or mobile
  variant is one URL.
- ``content_hash``: the same text (after case, whitespace and punctuation are normalised).
- ``minhash`` + ``band_keys``: near-copies. A wire story republished under another headline, with a
  paragraph edited or a line of boilerplate added, shares most of its 5-word shingles. MinHash
  estimates Jaccard similarity; LSH band keys (32 bands of 4 rows) turn "find similar" into exact
  look-ups that a database index can answer. Candidates are then confirmed with the exact Jaccard
  similarity of their shingle sets (``jaccard``).
"""

from __future__ import annotations

import hashlib
import re
import struct
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS  # 4 rows per band: a pair at Jaccard 0.5 shares a band with p = 0.87, at 0.6 p = 0.99
_SEED = 1  # fixed, so signatures computed today match those stored last year

# Query parameters that only say how a reader arrived.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid|ocid|cmpid|cmp|"
    r"ref|ref_src|referrer|src|source|smid|smtyp|at_\w+|ito|spm|s_cid|sr_share|share|"
    r"__twitter_impression|guccounter|guce_\w+|ncid|rss|feed|partner|amp|outputtype|output)$",
    re.IGNORECASE,
)
_HOST_PREFIX = re.compile(r"^(www|m|mobile|amp)\.")
_AMP_PATH = re.compile(r"(/amp)+/?$|\.amp(?=\.html?$|$)|^/amp(?=/)", re.IGNORECASE)
_AMP_CACHE = re.compile(r"^/[cv]/(s/)?(?P<rest>.+)$")
_WORD = re.compile(r"\w+", re.UNICODE)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

def canonical_url(url: str) -> str:
    """One spelling per page: lower-case host without www/m/amp, no fragment, no tracking query,
    sorted query, no AMP path marker, no trailing slash. Non-http(s) URLs are returned unchanged."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url.strip()
    host = (parts.hostname or "").lower()
    if host.endswith(".cdn.ampproject.org"):  # Google AMP cache: /c/s/example.com/path
        match = _AMP_CACHE.match(parts.path)
        if match:
            inner = ("https://" if match.group(1) else "http://") + match.group("rest")
            return canonical_url(inner + (f"?{parts.query}" if parts.query else ""))
    host = _HOST_PREFIX.sub("", host)
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    # Control characters stay escaped: a NUL or newline in a stored URL helps nobody.
    path = _CONTROL.sub(lambda m: f"%{ord(m.group()):02X}", _AMP_PATH.sub("", unquote(parts.path))) or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    # Both schemes name the same article; https is what a reader would share.
    return urlunsplit(("https", netloc, path, urlencode(query), ""))


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def content_hash(text: str) -> str:
    """Hash of the text's words: insensitive to case, whitespace, punctuation and markup leftovers."""
    return _hash_of(words(text))


def _hash_of(tokens: list[str]) -> str:
    return hashlib.sha256(" ".join(tokens).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = 5) -> set[str]:
    """The set of ``size``-word windows; a text shorter than ``size`` words is one shingle."""
    return _shingles_of(words(text), size)


def _shingles_of(tokens: list[str], size: int) -> set[str]:
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    # zip over shifted views: the same windows as slicing tokens[i:i + size], without a list each
    return {" ".join(window) for window in zip(*(tokens[i:] for i in range(size)))}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


# datasketch draws a MinHash's permutations from its seed each time one is made (a third of the
# cost of fingerprinting a page); they depend only on the seed, so they are drawn once.
_PROTOTYPE = MinHash(num_perm=NUM_PERM, seed=_SEED)


_first_word = struct.Struct("<I").unpack


def _sha1_32(shingle: str) -> int:
    """datasketch's default hash (``sha1_hash32``) of the shingle's UTF-8 bytes, taking the str
    itself: one call a shingle instead of encoding them all into a list first (a page has ~700)."""
    return _first_word(hashlib.sha1(shingle.encode("utf-8")).digest()[:4])[0]


def minhash(shingle_set: set[str]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=_sha1_32, permutations=_PROTOTYPE.permutations,
                scheme=_PROTOTYPE.scheme)
    if shingle_set:
        m.update_batch(shingle_set)
    return m


def band_keys(signature: MinHash) -> list[int]:
    """One signed 64-bit key per band: a hash of (band number, the band's rows of the signature)."""
    values = np.asarray(signature.hashvalues, dtype=np.uint64)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(struct.pack("<H", band) + chunk, digest_size=8).digest()
        keys.append(struct.unpack("<q", digest)[0])
    return keys


def fingerprint_keys(text: str, shingle_size: int = 5) -> tuple[set[str], list[int]]:
    """The shingles of ``text`` and its LSH band keys (empty for a text with no words)."""
    sh = shingles(text, shingle_size)
    return sh, (band_keys(minhash(sh)) if sh else [])


def fingerprints(text: str, shingle_size: int = 5) -> tuple[str, list[int]]:
    """``content_hash`` and the band keys of ``fingerprint_keys`` from one pass over the words
    (splitting a page's text into words twice cost a third of a millisecond)."""
    tokens = words(text)
    sh = _shingles_of(tokens, shingle_size)
    return _hash_of(tokens), (band_keys(minhash(sh)) if sh else [])


def closest(text: str, candidates: list[tuple[str, str]], threshold: float, shingle_size: int = 5) -> tuple[str, float] | None:
    """The candidate ``(id, text)`` most similar to ``text`` if its Jaccard similarity reaches
    ``threshold``; ties go to the earliest candidate (the caller lists originals first)."""
    mine = shingles(text, shingle_size)
    best: tuple[str, float] | None = None
    for cand_id, cand_text in candidates:
        score = jaccard(mine, shingles(cand_text, shingle_size))
        if score >= threshold and (best is None or score > best[1]):
            best = (cand_id, score)
    return best
