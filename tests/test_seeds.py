from datetime import date

from extractors.seeds import parse_seed, read_seeds

from .conftest import SEEDS, SHARED


def test_date_line_is_metadata_not_text():
    doc = parse_seed("x.txt", " date 2025-08-22 North Korea has held a ceremony.\n\nMore.")
    assert doc.published == date(2025, 8, 22)
    assert doc.text.startswith("North Korea has held")
    assert "date" not in doc.title


def test_seed_without_date_line_keeps_all_text():
    doc = parse_seed("y.txt", "The deaths of 100 North Korean troops are acknowledged.\n")
    assert doc.published is None and doc.text.startswith("The deaths")


def test_project_seeds_are_the_shared_corpus():
    docs = read_seeds(SEEDS)
    assert len(docs) == 5
    assert [d.published for d in docs].count(date(2025, 8, 22)) == 3
    assert docs[2].title.startswith("Kim Jong Un decorates troops")  # not the site's "All Sections" label
    shared = SHARED / "seeds"
    if shared.is_dir():
        assert sorted(p.name for p in shared.glob("*.txt")) == [d.file for d in docs]
        for d in docs:
            assert (shared / d.file).read_bytes() == (SEEDS / d.file).read_bytes()
