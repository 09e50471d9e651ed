"""builder/search_terms.py: the Python copy of how Material's search worker cuts a Chinese query,
and the drugs page's tags that make every drug name of the samples find it (issue 22). The
browser test (test_site_browser.py) checks the same names in Chromium; these run without one."""
from __future__ import annotations

import json

import pytest

from builder import search_terms
from builder.search_terms import query_terms, segment, tag_drugs_page

SEP = r"[\s\u200b\-，。、；：！？（）“”]+"


def test_segment_copies_the_worker_including_its_dropped_tail():
    # With 二 and 甲 indexed (from other pages), the worker searches 二甲双胍 as "二* 甲*": 双胍 is lost.
    assert segment("二甲双胍", {"二", "甲", "二甲双胍"}) == ["二", "甲"]
    # No indexed word begins the run: searched whole.
    assert segment("黄连素", {"黄连素", "连"}) == ["黄连素"]
    # The longest indexed word that ends before the run's last character.
    assert segment("二甲双胍", {"二", "甲", "二甲双"}) == ["二甲双"]


def test_query_terms_joins_a_cut_run_to_the_latin_after_it():
    assert query_terms("维生素C", {"维生"}, SEP) == ["维生c"]
    assert query_terms("维生素C片", {"维"}, SEP) == ["维c片"]  # 生素 dropped, 维 joined to C片


def _index(jid, site):
    return json.loads((site[0] / jid / "search" / "search_index.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("jid", ["zixi", "jixian"])
def test_every_drug_name_of_the_built_site_is_held_by_the_drugs_page(site, jid):
    from builder.pipeline import _load
    j = _load(site[1] / jid)
    names = search_terms.drug_queries(j)
    index = _index(jid, site)
    doc = next(d for d in index["docs"] if d["location"] == "drugs/")
    assert set(names) <= set(doc["tags"])
    assert index["config"]["fields"]["tags"]["boost"] == search_terms.TAG_BOOST
    vocab = search_terms.index_vocabulary(index)
    held = [t.lower() for t in doc["tags"]]
    for name in names:
        terms = query_terms(name, vocab, index["config"]["separator"])
        assert terms and all(any(h.startswith(t) for h in held) for t in terms), (name, terms)


def test_without_the_tags_some_names_miss_the_drugs_page(site):
    """The old index (no tags): the check above fails for 对乙酰氨基酚 and 维生素C."""
    index = _index("zixi", site)
    for d in index["docs"]:
        d.pop("tags", None)
    from builder.pipeline import _load
    names = search_terms.drug_queries(_load(site[1] / "zixi"))
    vocab = search_terms.index_vocabulary(index)
    text = next(d for d in index["docs"] if d["location"] == "drugs/#现在的价格")["text"]
    words = search_terms.tokens(text, index["config"]["separator"])
    missing = [n for n in names
               if not all(any(w.startswith(t) for w in words) for t in query_terms(n, vocab, index["config"]["separator"]))]
    assert {"对乙酰氨基酚", "维生素C"} <= set(missing)
    # ... and tagging gives none.
    assert tag_drugs_page(index, names) == []
