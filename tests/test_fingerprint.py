from itertools import combinations

import pytest

from extractors.fingerprint import (band_keys, canonical_url, closest, content_hash, fingerprint_keys, fingerprints,
                                    jaccard, minhash, shingles)
from extractors.seeds import read_seeds

from .conftest import SEEDS


@pytest.mark.parametrize("variant", [
    "https://www.example.com/news/kim-troops?utm_source=rss&utm_medium=feed",
    "http://example.com/news/kim-troops/#comments",
    "https://m.example.com/news/kim-troops",
    "https://amp.example.com/news/kim-troops/amp/",
    "https://example.com/news/kim-troops.amp",
    "https://example-com.cdn.ampproject.org/c/s/example.com/news/kim-troops",
    "https://EXAMPLE.com:443/news/kim-troops?fbclid=abc",
])
def test_variants_of_one_page_share_a_canonical_url(variant):
    assert canonical_url(variant) == "https://example.com/news/kim-troops"


def test_control_characters_in_a_url_path_stay_escaped():
    assert canonical_url("https://example.com/a%00b%0Ac") == "https://example.com/a%00b%0Ac"
    assert canonical_url("https://example.com/caf%C3%A9") == "https://example.com/café"


def test_meaningful_query_parameters_stay():
    assert canonical_url("https://example.com/view?id=42&utm_campaign=x") == "https://example.com/view?id=42"
    assert canonical_url("https://example.com/view?id=42") != canonical_url("https://example.com/view?id=43")


def test_content_hash_ignores_case_spacing_and_punctuation():
    assert content_hash("Kim said: 'heroes'.\n\nMore") == content_hash("kim said heroes more")
    assert content_hash("600 killed") != content_hash("700 killed")


@pytest.mark.parametrize("text", ["", "Two words", "Kim said: 'heroes'.\n\nMore of it, and more and more."])
def test_fingerprints_in_one_pass_equal_the_hash_and_band_keys_apart(text):
    for doc in [text, *(d.text for d in read_seeds(SEEDS))]:
        assert fingerprints(doc, 5) == (content_hash(doc), fingerprint_keys(doc, 5)[1])
    assert fingerprints("a b c d e f g", 3) == (content_hash("a b c d e f g"), fingerprint_keys("a b c d e f g", 3)[1])


def test_signatures_are_datasketchs_own_so_stored_band_keys_stay_valid():
    from datasketch import MinHash

    from extractors.fingerprint import NUM_PERM, words

    for doc in [*(d.text for d in read_seeds(SEEDS)), "Ça déjà vu: Kim’s ‘heroes’ — 600 soldats tués, 한국어 텍스트 sample"]:
        tokens = words(doc)
        sliced = {" ".join(tokens[i:i + 5]) for i in range(len(tokens) - 4)}
        assert shingles(doc) == sliced
        plain = MinHash(num_perm=NUM_PERM, seed=1)  # what the store's band keys were made with
        plain.update_batch([s.encode("utf-8") for s in sliced])
        assert band_keys(minhash(sliced)) == band_keys(plain)


def test_separately_written_seed_articles_are_far_apart_and_copies_close():
    docs = read_seeds(SEEDS)
    sets = [shingles(d.text) for d in docs]
    assert max(jaccard(a, b) for a, b in combinations(sets, 2)) < 0.05
    original = docs[0].text
    republished = "Kim hails 'heroes' at ceremony\nShare this\n" + original + "\nSubscribe to our newsletter."
    assert jaccard(shingles(republished), sets[0]) > 0.9


def test_lsh_band_keys_collide_for_near_copies_only():
    docs = read_seeds(SEEDS)
    a = set(band_keys(minhash(shingles(docs[0].text))))
    edited = docs[0].text.replace("great heroes and patriots", "heroes of the fatherland", 1)
    b = set(band_keys(minhash(shingles(edited))))
    c = set(band_keys(minhash(shingles(docs[1].text))))
    assert len(a) == 32 and len(a & b) >= 8 and not (a & c)


def test_closest_picks_the_best_candidate_over_the_threshold():
    docs = read_seeds(SEEDS)
    text = docs[2].text + " One more line."
    cands = [(d.file, d.text) for d in docs]
    best = closest(text, cands, threshold=0.5)
    assert best is not None and best[0] == docs[2].file and best[1] > 0.9
    assert closest(docs[2].text, cands[:2], threshold=0.5) is None
