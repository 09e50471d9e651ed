"""Build a site from the last one when only some of its pages changed (issue 25: the officer's loop).

MkDocs lays out every page each time: 1.7 s for zixi's 110 pages. After an officer changes one
value, most pages differ from the last build only by the data version in their footer (every
data change changes it: shared/design/interfaces.md). So, besides the site, a build keeps in
`dist/.fingerprints/<jid>-site/` (never published):
- the Markdown it built from (`docs/`) and its search index before `search_terms.tag_site`;
- `state.json`: the data version it showed and the *skeleton*, a hash of what every page's HTML
  depends on besides the page's own source — the code, templates and package versions, the
  MkDocs config with the version taken out, the jieba dictionary, the list of files and each
  page's title.

When the skeleton is the same, a page whose source is the same but for the version has the same
HTML but for the version: it is the last HTML with the version replaced. MkDocs then builds only
the other pages, into a copy of the last site (its `dirty` build: a page is built when its HTML
is missing or older than its source), and the search index is the last one with those pages'
entries replaced, tagged as a full build tags it. Anything else — no cache, another skeleton, a
site whose version is not the cache's, a page the last index does not hold — builds in full.
tests/web/test_site_reuse.py checks the result is byte-identical to a full build's.

MkDocs' strict check of links into a page it did not lay out again finds the page, not its
anchors (it skips pages it did not render). Those anchors are last time's, and the links that
name anchors come from templates (a template change builds in full), never from data: the one
link the data gives, a complaint category's `page:`, is a whole page that `check` verifies.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import fingerprint

STATE = "state.json"
INDEX = "search_index.json"  # compacted (trim.py), before tag_site
CUTS = "segments.json"  # jieba's cuts the last build used (mkdocs_memo.Cuts)
TEMPLATES = "jinja"  # compiled templates of every site, beside the sites' caches
PLACEHOLDER = "\0data-version\0"


class CannotReuse(RuntimeError):
    """The last site cannot be reused after all: build in full."""


@dataclass
class Reuse:
    last_site: Path
    old_version: str
    changed: list[str]  # Markdown files (relative, posix) MkDocs builds again
    same: int  # pages that only get the new version


def cache_dir(out: Path, jid: str) -> Path:
    return out / fingerprint.STORE / f"{jid}-site"


def template_cache(out: Path) -> Path:
    """Jinja's bytecode cache for the theme's, the pages' and the sheets' templates (mkdocs_memo,
    pages, printing.Renderer.keep_compiled)."""
    return out / fingerprint.STORE / TEMPLATES


def bytecode_cache(folder: Path):
    """Jinja's bytecode cache in `folder`, made if missing: compiled templates kept between
    builds, each under the hash of its source (a changed template is compiled again)."""
    import jinja2

    folder.mkdir(parents=True, exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(folder))


def skeleton(docs: Path, config_file: Path, work: Path, version: str) -> str:
    """What every page's HTML depends on besides its own source, as one hash."""
    digest = hashlib.sha256(fingerprint.shared_digest().encode())
    # The config names this build's own work folder (docs_dir, site_dir): not a difference.
    digest.update(config_file.read_text(encoding="utf-8").replace(str(work), "<work>").replace(version, PLACEHOLDER)
                  .encode())
    dictionary = work / "jieba-userdict.txt"
    digest.update(dictionary.read_bytes() if dictionary.is_file() else b"")
    for path in sorted(docs.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(docs).as_posix().encode() + b"\0")
            if path.suffix == ".md":
                digest.update(_title(path).encode() + b"\0")
    return digest.hexdigest()


def _title(page: Path) -> str:
    with page.open(encoding="utf-8") as lines:
        return next((line.strip() for line in lines if line.startswith("# ")), "")


def plan(cache: Path, docs: Path, last_site: Path, site_version: str | None, version: str,
         shape: str) -> Reuse | None:
    """What to build again, or None for a full build."""
    try:
        state = json.loads((cache / STATE).read_text(encoding="utf-8"))
        index = json.loads((cache / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    old = state.get("version")
    if state.get("skeleton") != shape or not old or old != site_version or not (last_site / "index.html").is_file():
        return None
    indexed = {_page_of(doc["location"]) for doc in index.get("docs", ())}
    changed, same = [], 0
    for page in sorted(docs.rglob("*.md")):
        name = page.relative_to(docs).as_posix()
        before = cache / "docs" / name
        if before.is_file() and (before.read_text(encoding="utf-8").replace(old, PLACEHOLDER)
                                 == page.read_text(encoding="utf-8").replace(version, PLACEHOLDER)):
            same += 1
            continue
        if _url(name) not in indexed or not (last_site / _html(name)).is_file():
            return None
        changed.append(name)
    return Reuse(last_site, old, changed, same)


def _url(name: str) -> str:
    """`complain/index.md` -> `complain/`, `index.md` -> `` (MkDocs' directory URLs, as in the index)."""
    stem = name.removesuffix(".md")
    stem = stem.removesuffix("index") if stem == "index" or stem.endswith("/index") else stem + "/"
    return stem


def _html(name: str) -> str:
    return _url(name) + "index.html"


def _page_of(location: str) -> str:
    return location.split("#", 1)[0]


def prepare(reuse: Reuse, docs: Path, site: Path) -> None:
    """The last site (without its PDFs, which print on their own) as the start of this one: the
    pages to build again lose their HTML, the others' sources are made older than their HTML."""
    shutil.copytree(reuse.last_site, site, ignore=lambda folder, names: ["print"] if Path(folder) == reuse.last_site
                    else [])
    for name in reuse.changed:
        (site / _html(name)).unlink()
    changed = set(reuse.changed)
    for page in docs.rglob("*.md"):
        if page.relative_to(docs).as_posix() not in changed:
            os.utime(page, ns=(0, 0))


def finish(reuse: Reuse, cache: Path, site: Path, version: str) -> None:
    """After MkDocs and trim: the new version on the pages not built again, and the search index
    with the built pages' entries put in place of theirs (in the order of the last index)."""
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if reuse.old_version in text:
            page.write_text(text.replace(reuse.old_version, version), encoding="utf-8")
    index_file = site / "search" / "search_index.json"
    built = json.loads(index_file.read_text(encoding="utf-8"))
    last = json.loads((cache / INDEX).read_text(encoding="utf-8"))
    if built["config"] != last["config"]:
        raise CannotReuse("search config")
    fresh: dict[str, list] = {}
    for doc in built["docs"]:
        fresh.setdefault(_page_of(doc["location"]), []).append(doc)
    rebuilt = {_url(name) for name in reuse.changed}
    if not set(fresh) <= rebuilt:
        raise CannotReuse("pages indexed that were not built")
    docs, placed = [], set()
    for doc in last["docs"]:
        page = _page_of(doc["location"])
        if page not in rebuilt:
            docs.append(doc)
        elif page not in placed:
            placed.add(page)
            docs += fresh.get(page, [])
    # The pages that say the version in their text (open data) say it in the index too.
    text = json.dumps({**last, "docs": docs}, ensure_ascii=False, separators=(",", ":"))
    index_file.write_text(text.replace(reuse.old_version, version), encoding="utf-8")


def keep(work: Path, docs: Path, site: Path, shape: str, version: str) -> Path:
    """What the next build reuses, staged in `work` (moved into the cache by `store` once the
    site is in place). Called after trim, before tag_site."""
    staged = work / "reuse"
    staged.mkdir()
    shutil.copy(site / "search" / "search_index.json", staged / INDEX)
    docs.rename(staged / "docs")
    cuts = work / CUTS  # mkdocs_memo.Memo's
    if cuts.is_file():
        cuts.rename(staged / cuts.name)
    (staged / STATE).write_text(json.dumps({"skeleton": shape, "version": version}), encoding="utf-8")
    return staged


def store(staged: Path, cache: Path) -> Path:
    """Replace the cache by `staged`. The state goes first and comes last: a cache half replaced
    has no state, and is not used. Returns the cache it replaced, for the caller to remove
    (discard.py: the build does not wait for it)."""
    (cache / STATE).unlink(missing_ok=True)
    old = cache.with_name(cache.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if cache.exists():
        cache.rename(old)
    cache.parent.mkdir(parents=True, exist_ok=True)
    state = (staged / STATE).read_bytes()
    (staged / STATE).unlink()
    staged.rename(cache)
    (cache / STATE).write_bytes(state)
    return old
