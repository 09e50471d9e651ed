"""builder/search_terms.py: the Python copy of how Material's search worker cuts a Chinese query,
and the drugs page's tags that make every drug name of the samples find it (issue 22). The
browser test (test_site_browser.py) checks the same names in Chromium; these run without one,
the last against Material's own search worker run in Node (search_worker.cjs) on every name."""
from __future__ import annotations

import json

import pytest
from site_helpers import names_to_pages

from builder import search_terms
from builder.search_terms import query_terms, segment

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


def test_a_run_cut_into_pieces_keeps_a_star_on_all_but_its_last():
    """Material's worker joins the pieces as "自付* 不", adds a "*" to every term and takes one off:
    "自付*" is searched, but no word begins with it, and the result shows "缺少: 自付*"."""
    assert query_terms("自付不超过10%", {"自付", "不"}, SEP) == ["自付*", "不10%"]
    assert not search_terms._reaches(["自付*", "不10%"], ["自付不超过", "不10%"])
    assert query_terms("自付不超过10%", {"自付", "不", "自付不超"}, SEP) == ["自付不超10%"]


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
    assert search_terms.tag_pages(index, {"drugs/": names}) == {}


def test_stems_only_where_the_worker_ends_a_word_at_the_run():
    assert search_terms.stems("大病保险（二次报销）", SEP) == ["大病保", "二次报"]
    assert search_terms.stems("10种大病免费救治", SEP) == ["种大病免费救"]  # searched as "10种大病免费救*"
    # Not before a letter, a digit or a character the separator keeps: the worker would join them.
    assert search_terms.stems("维生素C", SEP) == []
    assert search_terms.stems("远程医疗和“互联网+健康扶贫”", SEP) == ["远程医疗", "健康扶"]
    assert search_terms.stems("胃药", SEP) == []


def test_a_title_is_typed_without_its_mark():
    assert search_terms.typed_title({"title": "儿童营养改善\u200b \u200b按\u200b本县\u200b理解"}) == "儿童营养改善"
    assert search_terms.typed_title({"title": "高阜镇\u200b莒洲村"}) == "高阜镇莒洲村"


def _unreached(index, names):
    """The names whose query, as the worker cuts it, misses a word of their page's entry."""
    separator = index["config"]["separator"]
    vocab = search_terms.index_vocabulary(index)
    docs = {d["location"]: d for d in index["docs"]}
    out = []
    for loc, ns in names.items():
        d = docs[loc]
        fields = (d["title"], d.get("text") or "", *(d.get("tags") or ()))
        words = [w for f in fields for w in search_terms.tokens(f, separator)]
        for n in ns:
            terms = query_terms(n, vocab, separator)
            if not terms or not all(any(w.startswith(t) for w in words) for t in terms):
                out.append(n)
    return out


@pytest.mark.parametrize("jid", ["zixi", "jixian"])
def test_every_page_title_of_the_built_site_is_held_by_its_page(site, jid):
    """Every page by its title, every village page also by the village's name alone, every township
    by its name: the worker's query words are all words of that page's entry in the built index."""
    from builder.pipeline import _load
    j = _load(site[1] / jid)
    index = _index(jid, site)
    names = search_terms.page_names(index, j)
    pages = [d for d in index["docs"] if "#" not in d["location"]]
    assert all(names[d["location"]][0] == search_terms.typed_title(d) for d in pages)
    villages = [(f"villages/{tid}/{v['id']}/", v["name"]) for tid, t in j.townships.items() for v in t["villages"]]
    assert villages and all(name in names[loc] for loc, name in villages)
    assert all(names[f"villages/#{tid}"] == [t["name"]] for tid, t in j.townships.items())
    assert _unreached(index, names) == []
    # The title with a run a digit follows (自付不超过10%) holds the run's stem and the glued word.
    if jid == "zixi":
        five = next(d for d in index["docs"] if d["location"] == "programs/inpatient_five_lines/")
        assert {"自付不超", "自付不超10%"} <= set(five["tags"])
    # A name still out of reach is what build would report.
    assert search_terms.unreached_lines({"programs/x/": ["某页标题"]}, j) == [
        "搜索：搜这些页面标题时，有的词对不上本页（本页可能排不到最前，或显示“缺少”）：某页标题"]
    # Only the township sections are weighed (weigh_townships).
    assert {d["location"] for d in index["docs"] if "boost" in d} == {f"villages/#{tid}" for tid in j.townships}


def test_without_the_tags_titles_miss_their_pages(site):
    """The index before this change: 基本医疗保险 was searched as "基本* 医疗*", and its page holds
    no word beginning 基本. (门诊统筹, searched as "门诊*", was held but ranked below another
    page: what comes first is checked in Chromium, test_site_browser.py.)"""
    from builder.pipeline import _load
    j = _load(site[1] / "zixi")
    index = _index("zixi", site)
    names = search_terms.page_names(index, j)
    for d in index["docs"]:
        d.pop("tags", None)
    separator = index["config"]["separator"]
    vocab = search_terms.index_vocabulary(index)
    assert query_terms("基本医疗保险", vocab, separator) == ["基本*", "医疗"]  # 基本* shown missing
    assert query_terms("门诊统筹", vocab, separator) == ["门诊"]
    assert {"基本医疗保险", "先诊疗后付费", "高田乡高田村", "0-6岁残疾儿童康复救助"} <= set(_unreached(index, names))
    # One title has a run a digit follows: the worker cuts it into pieces, and every piece but the
    # last keeps a "*" that no word begins with (the result shows "缺少: 自付*") ...
    five = next(d for d in index["docs"] if d["location"] == "programs/inpatient_five_lines/")
    assert query_terms(search_terms.typed_title(five), vocab, separator)[-2:] == ["自付*", "不10%"]
    # ... so tagging adds the run's stem (one piece again) and the word the worker glues to the
    # digits, and leaves nothing out of reach.
    assert search_terms.tag_pages(index, names) == {}
    assert {"自付不超", "自付不超10%"} <= set(five["tags"])
    assert query_terms(search_terms.typed_title(five), search_terms.index_vocabulary(index), separator)[-1] == "自付不超10%"


def _worker_answers(site_dir, queries: list[str]) -> dict[str, list[list[dict]]]:
    """Material's own search worker, run in Node on the built site (search_worker.cjs): for each
    query, its first two result groups, each item's location and the query terms it holds."""
    import subprocess
    from pathlib import Path

    script = Path(__file__).with_name("search_worker.cjs")
    run = subprocess.run(["node", str(script), str(site_dir)], input=json.dumps(queries, ensure_ascii=False),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    assert [a["query"] for a in answers] == queries
    return {a["query"]: a["first"] for a in answers}


@pytest.mark.parametrize("jid", ["zixi", "jixian"])
def test_materials_own_worker_finds_every_name_first_and_whole(site, jid):
    """Every name `build` tags a page with (every page's title, every village's name, every
    township's, every drug name and common name), searched by Material's own worker on the built
    site: its page comes first, holding every query term (nothing shown as 缺少), a township at
    its section of the villages page. Where a township's name begins like one of its villages'
    (高阜镇, 高阜村: both searched as "高阜*"), that village comes first, as weigh_townships says.
    Checks our Python copy of the worker (query_terms, tag_pages) against the worker itself, on
    every name, not only those test_site_browser.py types in Chromium."""
    from builder.pipeline import _load

    j = _load(site[1] / jid)
    where = names_to_pages(site, jid)
    alike = {t["name"]: f"villages/{tid}/{v['id']}/" for tid, t in j.townships.items() for v in t["villages"]
             if t["name"][:-1] == v["name"][:-1]}
    assert where and (jid != "zixi" or "高阜镇" in alike)
    wrong = []
    for query, groups in _worker_answers(site[0] / jid, list(where)).items():
        if not groups:
            wrong.append((query, "no result"))
            continue
        first = groups[0]
        got = [item["location"] for item in first]
        sections = {loc for loc in where[query] if "#" in loc}
        if query in alike:
            right = got[0] == alike[query]
        elif sections:  # the villages page's group, its best item the township's section
            right = "villages/" in got and got[0] in sections
        else:
            right = got[0] in where[query]
        missing = [term for term, held in first[0]["terms"].items() if not held]
        if not right or missing:
            wrong.append((query, got[:2], missing))
    assert wrong == [], "\n".join(map(str, wrong))
