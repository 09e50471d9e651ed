"""Drug names a resident types into the site's search find the drugs page first (issue 22).

The browser does not segment a query with jieba. Material's search worker (9.x) cuts each run of
Chinese characters in the query into words it already has in the index: at each place it takes
the longest indexed word that ends *before* the run's last character, and drops what it cannot
reach. With 二 and 甲 in the index (from other pages), 二甲双胍 is searched as "二* 甲*", which the
drugs page does not hold: another page comes first and the drugs page shows "缺少: 甲". A run that
has no indexed word at its start is searched whole ("黄连素*").

So the drugs page's entry in search_index.json gets every drug name and common name as `tags`
(weighed ten times the text; the tags row is hidden in the results by site.css), and, for a name
ending in three or more Chinese characters, that run without its last one (对乙酰氨基, 二甲双): the
worker then searches that one word, which the drug's names begin with and other pages' words do
not. `query_terms` repeats the worker's steps in Python so the build can check each name; the
names it would still miss are reported by `build` (none in the samples).
This is written against mkdocs-material 9.8's worker; tests/web/test_site_browser.py checks it
in Chromium over every drug name of both samples.
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
    """The prefixes the worker looks up for `query` (each is searched as "term*")."""
    text = HAN.sub(lambda m: "* ".join(segment(m.group(0), vocab)), query)
    terms = []
    for word in text.split():
        terms += [t.rstrip("*") for t in tokens(word, separator) if t.rstrip("*")]
    return terms


def _held(term: str, tags: list[str]) -> bool:
    return any(t.startswith(term) for t in tags)


def stems(name: str) -> list[str]:
    """Each run of Chinese characters in `name` without its last character (三个字以上的).

    Indexed, it is the longest word the worker can find at the start of that run, so the query
    becomes exactly "run-less-one*": it matches this drug's names and almost nothing else."""
    # Only a run that ends the name: in 维生素C the worker would join the stem to the C ("维生c*").
    return [m.group(0)[:-1] for m in HAN.finditer(name) if len(m.group(0)) > 2 and m.end() == len(name)]


TAG_BOOST = 10  # tags weigh ten times the text and a hundredth of a title (see tag_drugs_page)


def tag_drugs_page(index: dict, names: list[str], location: str = "drugs/", boost: float = TAG_BOOST) -> list[str]:
    """Give the drugs page's entry the tags that make each of `names` find it; returns the names
    whose query would still miss it (none for the samples; the browser test checks the same).

    Tags weigh `boost`, not Material's million: at a million (or a title's thousand), a village
    query the worker cuts into "乌石镇* 黄*" finds the drugs page (黄连素) first. At ten the drug
    names still lift the drugs page above village pages that list the same drug (tried in
    Chromium over every page title of both samples: no page found first changed)."""
    doc = next((d for d in index["docs"] if d["location"] == location), None)
    if doc is None or not names:
        return []
    index["config"].setdefault("fields", {})["tags"] = {"boost": boost}
    separator = _separator(index)
    tags = list(dict.fromkeys([*names, *(s for n in names for s in stems(n))]))
    doc["tags"] = tags
    vocab = index_vocabulary(index)
    held = [t for tag in tags for t in tokens(tag, separator)]
    return [n for n in names if not all(_held(t, held) for t in query_terms(n, vocab, separator))]


def drug_queries(j) -> list[str]:
    """Every name a resident may type for the jurisdiction's drugs: name, name without the form, common names."""
    from policy.drugs import spoken_names
    return list(dict.fromkeys(q for d in (j.drugs or {}).get("drugs", ()) for q in [d["name"], *spoken_names(d)]))


def tag_site(index_file: Path, j) -> list[str]:
    """`tag_drugs_page` on a built site's search_index.json, rewritten in place (compact, as trim writes it)."""
    names = drug_queries(j)
    if not names or not index_file.is_file():
        return []
    index = json.loads(index_file.read_text(encoding="utf-8"))
    missing = tag_drugs_page(index, names)
    index_file.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return missing
