"""After MkDocs: make the built site small and self-contained.

- Drop theme files this site never loads (source maps, search languages other than Chinese).
- Point the theme bundle's on-demand downloads from unpkg.com / api.github.com at files of our
  own: residents' networks block or throttle outside hosts, and we promise no outside request.
  The ResizeObserver polyfill (for old phone browsers) is a small local file; mermaid diagrams
  and repository facts are features this site does not use.
- Rewrite the search index without \\u escapes (Chinese text is a third of the size) and without
  the HTML markup Material leaves in it (the results show plain text anyway).
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from .pages import ASSETS

KEEP_LUNR = {"lunr.stemmer.support.min.js", "lunr.zh.min.js"}
# Exact strings in Material's bundle -> what they become. A theme upgrade that changes them makes
# `rewrite_bundle` fail loudly instead of silently leaving an outside URL in place.
BUNDLE_URLS = {
    '"https://unpkg.com/resize-observer-polyfill"':
        'new URL("assets/javascripts/resize-observer.js",__md_scope).href',
    '"https://unpkg.com/mermaid@11/dist/mermaid.min.js"':
        'new URL("assets/javascripts/mermaid-not-available.js",__md_scope).href',
    "`https://api.github.com/repos/": "`/repository-facts-not-available/",
    "`https://api.github.com/users/": "`/repository-facts-not-available/",
}
TAG = re.compile(r"<[^>]+>")
SOURCE_MAP = re.compile(r"\n?/[/*]# sourceMappingURL=\S+(?: \*/)?\s*$")


class TrimFailed(RuntimeError):
    pass


def trim(site: Path) -> None:
    js = site / "assets" / "javascripts"
    for path in list(site.rglob("*.map")):
        path.unlink()
        # ... and the comment that points a browser's developer tools at it.
        script = path.with_suffix("")
        if script.is_file():
            text = script.read_text(encoding="utf-8")
            script.write_text(SOURCE_MAP.sub("", text), encoding="utf-8")
    lunr = js / "lunr"
    for path in list(lunr.rglob("*.js")):
        if path.name not in KEEP_LUNR:
            path.unlink()
    rewrite_bundle(js)
    shutil.copy(ASSETS / "resize-observer.js", js / "resize-observer.js")
    compact_search_index(site / "search" / "search_index.json")


def rewrite_bundle(js: Path) -> None:
    bundles = list(js.glob("bundle.*.min.js"))
    if len(bundles) != 1:
        raise TrimFailed(f"找不到唯一的主题脚本 bundle.*.min.js（找到 {len(bundles)} 个）")
    text = before = bundles[0].read_text(encoding="utf-8")
    for old, new in BUNDLE_URLS.items():
        if old in text:
            text = text.replace(old, new)
        elif new not in text:  # neither the theme's string nor ours (a site built from the last one has ours)
            raise TrimFailed(f"主题脚本里没有找到 {old}：mkdocs-material 版本变了，请更新 builder/trim.py")
    if text != before:
        bundles[0].write_text(text, encoding="utf-8")


def compact_search_index(path: Path) -> None:
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index["docs"]:
        doc["text"] = TAG.sub("", doc["text"]).strip()
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
