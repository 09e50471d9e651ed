"""What a resident types into the site's search finds the page it names first (issue 22): a drug
name the drugs page, a page's title that page, a village's name its page, a township's name its
section of the villages page.

The browser does not segment a query with jieba. Material's search worker (9.x) cuts each run of
Chinese characters in the query into words it already has in the index: at each place it takes
the longest indexed word that ends *before* the run's last character, and drops what it cannot
reach. With 二 and 甲 in the index (from other pages), 二甲双胍 is searched as "二* 甲*", which the
drugs page does not hold: another page comes first and the drugs page shows "缺少: 甲". 门诊统筹
is searched as "门诊*" (统筹 dropped), which the program 门诊普通病报销（门诊统筹） matches better
than the line 门诊统筹; 高阜镇莒洲村 as "高阜镇*", which every village page of 高阜镇 matches. A run
that has no indexed word at its start is searched whole ("黄连素*").

The rule: each page's entry in search_index.json gets as `tags` the names it should be found by
(`page_names`: its title, a village also by its name alone, a township's section by the
township's name, the drugs page by every drug name and common name), and for each run of three
or more Chinese characters in a name that ends it or comes before a separator, that run without
its last character (`stems`: 门诊统, 高阜镇莒洲, 二甲双). That stem is then the longest word the
worker can find at the start of the run, whatever else the index holds, so the run is searched
as exactly "stem*": it matches this page's name and little else. Tags weigh ten times the text
(a hundredth of a title; the tags row is hidden in the results by site.css), and a township's
section weighs 3 times (`weigh_townships`). `query_terms` repeats the worker's steps in Python so
the build can check each name. A name still out of reach is usually a run a digit or letter
follows (自付不超过10%, cut into "自付* 不10%"): its stem and the word the worker then glues
(自付不超10%) become tags too (`_tag_glued_runs`); what is out of reach after that is reported
by `build` (nothing in the samples).
This is written against mkdocs-material 9.8's worker; tests/web/test_site_browser.py checks it
in Chromium over every drug name and the titles that failed before, and
tests/web/test_search_terms.py runs the worker itself (in Node) over every name of the samples.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")  # what \p{sc=Han} matches here


def tokens(text: str, separator: str) -> list[str]:
    """The worker's tokenizer: split on the configured separator, lower case (no jieba, no stemming)."""
    return [t.lower() for t in re.split(separator, text) if t]


def index_vocabulary(index: dict) -> set[str]:
    separator = _separator(index)
    vocab: set[str] = set()
    for doc in index["docs"]:
        for field in ("title", "text"):
            vocab.update(tokens(doc.get(field) or "", separator))
        for tag in doc.get("tags") or ():
            vocab.update(tokens(tag, separator))
    return vocab


def _separator(index: dict) -> str:
    # The config holds a JavaScript pattern; \u200b and the Chinese punctuation read the same in Python.
    return index["config"]["separator"]


def segment(run: str, vocab: set[str]) -> list[str]:
    """Material's segmenter (the worker's `fe`) on one run of Chinese characters, as written there."""
    longest = [0] * len(run)
    for s in range(len(run)):
        for o in range(s + 1, len(run)):  # `o < t.length`: never the whole rest of the run
            if run[s:o] in vocab:
                longest[s] = o - s
    pieces: list[str] = []
    stack = [0]
    while stack:
        o = stack.pop()
        for u in range(1, longest[o]):
            if longest[o + u] > longest[o] - u:
                pieces.append(run[o:o + u])
                stack.append(o + u)
        a = o + longest[o]
        if a < len(run) - 1 and longest[a]:
            stack.append(a)
        pieces.append(run[o:a])
    if "" in pieces:
        return [run]
    return list(dict.fromkeys(pieces))


def query_terms(query: str, vocab: set[str], separator: str) -> list[str]:
    """The prefixes the worker looks up for `query` (each is searched as "term*").

    A run the worker cuts into several pieces is joined as "自付* 不", and the worker then adds a
    "*" to every term and takes one off: every piece but a run's last keeps a "*" (自付*). Such a
    term still finds its words, but no word begins with it, so the result shows it as missing
    ("缺少: 自付*"): it is returned with its "*", and reaches nothing (`_reaches`)."""
    text = HAN.sub(lambda m: "* ".join(segment(m.group(0), vocab)), query)
    terms = []
    for word in text.split():
        terms += [t for t in tokens(word, separator) if t.rstrip("*")]
    return terms


def _reaches(terms: list[str], words: list[str]) -> bool:
    """Every term of a query begins a word of the entry (a query with no term reaches nothing; a
    term with a "*" left in it reaches nothing, see `query_terms`)."""
    return bool(terms) and all("*" not in t and any(w.startswith(t) for w in words) for t in terms)


def stems(name: str, separator: str) -> list[str]:
    """Each run of three or more Chinese characters in `name`, without its last character, when
    the run ends the name or a separator follows it (门诊统筹 → 门诊统; 大病保险（二次报销） → 大病保, 二次报).

    Indexed, the stem is the longest word the worker can find at the start of that run (it never
    takes the whole run), so the run is searched as exactly "stem*", whatever else the index
    holds: it matches this name and almost nothing else. Not before a letter, digit or other
    character the separator keeps: the worker would join the stem to it (维生素C → "维生c*",
    互联网+健康 → "互联+健康*"), which no word begins with."""
    return [m.group(0)[:-1] for m in HAN.finditer(name)
            if len(m.group(0)) > 2 and (m.end() == len(name) or re.match(separator, name[m.end()]))]


TAG_BOOST = 10  # tags weigh ten times the text and a hundredth of a title (see tag_pages)


def typed_title(doc: dict) -> str:
    """A page's title as a resident types it: the <h1> without jieba's \u200b, and without the
    mark that follows the name after a space (儿童营养改善 按本县理解)."""
    return doc["title"].replace("\u200b", "").split(" ")[0].strip()


def page_names(index: dict, j=None) -> dict[str, list[str]]:
    """What a resident types to reach each page (location → names): every page by its title; a
    village page also by the village's name alone (莒洲村), the villages page's section of a
    township by the township's name; the drugs page also by every drug name (drug_queries)."""
    names = {d["location"]: [typed_title(d)] for d in index["docs"] if "#" not in d["location"]}
    for tid, t in (j.townships if j is not None else {}).items():
        for v in t["villages"]:
            names.setdefault(f"villages/{tid}/{v['id']}/", []).append(v["name"])
        names.setdefault(f"villages/#{tid}", []).append(t["name"])
    if j is not None and "drugs/" in names:
        names["drugs/"] += drug_queries(j)
    return {loc: [n for n in dict.fromkeys(ns) if n] for loc, ns in names.items()}


def tag_pages(index: dict, names: dict[str, list[str]], boost: float = TAG_BOOST) -> dict[str, list[str]]:
    """Give each entry of `names` (location → names) the tags that make each of its names reach
    it: the names themselves and their stems. Returns, per location, the names whose query would
    still miss a word of that entry (none in the samples); whether the entry then
    comes first is checked in Chromium (tests/web/test_site_browser.py).

    Tags weigh `boost`, not Material's million: at a million (or a title's thousand), a village
    query the worker cuts into "乌石镇* 黄*" found the drugs page (黄连素) first. At ten a page's
    own name lifts it above pages that only mention it (a word in the text weighs at most 2.2)
    and stays below another page's title."""
    docs = {d["location"]: d for d in index["docs"]}
    names = {loc: ns for loc, ns in names.items() if loc in docs and ns}
    if not names:
        return {}
    index["config"].setdefault("fields", {})["tags"] = {"boost": boost}
    separator = _separator(index)
    for loc, ns in names.items():
        doc = docs[loc]
        stemmed = [s for n in ns for s in stems(n, separator)]
        doc["tags"] = list(dict.fromkeys([*(doc.get("tags") or ()), *ns, *stemmed]))
    missing = _unreached(docs, names, separator, index_vocabulary(index))
    if missing:
        _tag_glued_runs(docs, missing, separator, index)
        missing = _unreached(docs, names, separator, index_vocabulary(index))
    return missing


def _tag_glued_runs(docs: dict, missing: dict[str, list[str]], separator: str, index: dict) -> None:
    """For the names still missed: a run of Chinese characters that a digit or letter follows
    (自付不超过10%) has no stem (`stems`), so the worker cuts it into pieces ("自付* 不10%"). Its
    stem as a tag makes it one piece again, which the worker joins to what follows: 自付不超10%, a
    word of no page, so that word becomes a tag too. Everything is checked again afterwards, since
    a new tag is a word other queries may now be cut into."""
    for loc, misses in missing.items():
        doc = docs[loc]
        runs = [m.group(0) for n in misses for m in HAN.finditer(n) if len(m.group(0)) > 2]
        doc["tags"] = list(dict.fromkeys([*doc["tags"], *(run[:-1] for run in runs)]))
    vocab = index_vocabulary(index)
    for loc, misses in missing.items():
        doc = docs[loc]
        glued = [t for n in misses for t in query_terms(n, vocab, separator)
                 if "*" not in t and not _reaches([t], _words(doc, separator))]
        doc["tags"] = list(dict.fromkeys([*doc["tags"], *glued]))


def _words(doc: dict, separator: str) -> list[str]:
    return [w for field in (doc["title"], doc.get("text") or "", *doc["tags"]) for w in tokens(field, separator)]


def _unreached(docs: dict, names: dict[str, list[str]], separator: str, vocab: set[str]) -> dict[str, list[str]]:
    missing = {}
    for loc, ns in names.items():
        words = _words(docs[loc], separator)
        if unreached := [n for n in ns if not _reaches(query_terms(n, vocab, separator), words)]:
            missing[loc] = unreached
    return missing


def drug_queries(j) -> list[str]:
    """Every name a resident may type for the jurisdiction's drugs: name, name without the form, common names."""
    from policy.drugs import spoken_names
    return list(dict.fromkeys(q for d in (j.drugs or {}).get("drugs", ()) for q in [d["name"], *spoken_names(d)]))


TOWNSHIP_BOOST = 3  # a township's section of the villages page against its village pages (see weigh_townships)


def weigh_townships(index: dict, j, boost: float = TOWNSHIP_BOOST) -> None:
    """Weigh each township's section of the villages page `boost` times (Material's per-entry boost).

    Its title, the township's name, also begins the title of every village page of the township
    (高阜镇​莒洲村), and Material multiplies a page whose words all match by 5, a section by 2:
    without the weight 鹤城镇 finds a village first. At 3 the section comes first (6 against 5);
    where a village's name begins like the township's (高阜镇, 高阜村) the worker searches both as
    "高阜*", and the village, whose title holds both words, stays first, as its own name needs."""
    sections = {f"villages/#{tid}" for tid in j.townships}
    for doc in index["docs"]:
        if doc["location"] in sections:
            doc["boost"] = boost


def tag_site(index_file: Path, j) -> dict[str, list[str]]:
    """`tag_pages` with `page_names` and `weigh_townships` on a built site's search_index.json,
    rewritten in place (compact, as trim writes it); returns the names search cannot reach, per location."""
    if not index_file.is_file():
        return {}
    index = json.loads(index_file.read_text(encoding="utf-8"))
    missing = tag_pages(index, page_names(index, j))
    weigh_townships(index, j)
    index_file.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return missing


def unreached_lines(missing: dict[str, list[str]], j) -> list[str]:
    """`build`'s report on what `tag_site` returned: a line for the drug names, a line for the other names."""
    drugs = set(drug_queries(j))
    names = [n for ns in missing.values() for n in ns]
    lines = []
    if unreached := [n for n in missing.get("drugs/", ()) if n in drugs]:
        lines.append(f"搜索：这些药名在网站搜索里找不到药品价格页：{'、'.join(unreached)}")
    if unreached := [n for n in names if n not in drugs]:
        # Said as it is: the page may still come first, but some typed words match nothing on it.
        lines.append(f"搜索：搜这些页面标题时，有的词对不上本页（本页可能排不到最前，或显示“缺少”）："
                     f"{'、'.join(dict.fromkeys(unreached))}")
    return lines
