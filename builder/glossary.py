"""The glossary (site/mkdocs/glossary.yaml): plain words for the policy terms residents meet.

The site's glossary page lists every term; on the other pages the first use of a term links to
its entry (`link_terms`, run by the MkDocs hook on each page's HTML); the leaflet prints the
entries of the terms it uses (`terms_in`).
"""
from __future__ import annotations

import html as htmllib
import re
from functools import lru_cache
from pathlib import Path

import yaml

GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "site" / "mkdocs" / "glossary.yaml"
# Text inside these is never linked: headings, titles in bold, links, buttons, code, scripts.
_SKIP = {"a", "strong", "b", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "code", "pre", "button", "summary",
         "dt", "label", "select", "option", "textarea", "svg", "title"}
_VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area", "base", "embed", "track"}
# Quotes of the source are verbatim: never changed, not even by a link.
_QUOTED = re.compile(r'class="[^"]*\b(source|quote)\b')
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")


@lru_cache(maxsize=1)
def terms() -> tuple[dict, ...]:
    return tuple(yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))["terms"])


def terms_in(text: str) -> list[dict]:
    """The glossary entries whose term the text uses, in glossary order."""
    return [t for t in terms() if t["term"] in text]


def link_terms(page_html: str, glossary_url: str) -> str:
    """Link the first use of each term in the page's running text to its glossary entry."""
    pattern = re.compile("|".join(re.escape(t["term"]) for t in terms()))
    ids = {t["term"]: t["id"] for t in terms()}
    done: set[str] = set()
    out, pos, skip = [], 0, []  # skip: the open elements since one whose text is left alone
    for m in _TAG.finditer(page_html):
        text = page_html[pos:m.start()]
        out.append(text if skip else _link(text, pattern, ids, done, glossary_url))
        closing, name, selfclosing = m[1], m[2].lower(), m[3]
        if closing:
            if skip and skip[-1] == name:
                skip.pop()
        elif not selfclosing and name not in _VOID and (skip or name in _SKIP or _QUOTED.search(m[0])):
            skip.append(name)
        out.append(m[0])
        pos = m.end()
    rest = page_html[pos:]
    out.append(rest if skip else _link(rest, pattern, ids, done, glossary_url))
    return "".join(out)


def _link(text: str, pattern: re.Pattern, ids: dict, done: set, url: str) -> str:
    def one(m):
        term = m[0]
        if term in done:
            return term
        done.add(term)
        return f'<a class="term" href="{htmllib.escape(url)}#{ids[term]}" title="词语解释">{term}</a>'
    return pattern.sub(one, text)
