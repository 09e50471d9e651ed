"""What a jurisdiction's built site depends on, as one hash: if it is unchanged, the site is not rebuilt.

Inputs: the jurisdiction's policy files (its data version), the site templates and assets, the
builder code that turns data into pages, the versions of MkDocs / Material / jieba, the build
settings (site and forms URLs), the statistics file, and the sibling parts that write into the
site (calculator pages) when they are installed. Hashing files is cheap; loading is not.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
from pathlib import Path

from .version import data_version, policy_files

ROOT = Path(__file__).resolve().parent.parent
CODE = ["builder/pages.py", "builder/facts.py", "builder/mkdocs_site.py", "builder/mkdocs_hooks.py",
        "builder/opendata.py", "builder/trim.py", "builder/pipeline.py", "builder/urls.py",
        "builder/version.py", "builder/fingerprint.py", "builder/calculator_pages.py", "builder/calcdata.py",
        "builder/settings.py", "builder/currency.py", "builder/slip_page.py", "builder/site_reuse.py",
        "builder/mkdocs_memo.py", "builder/search_terms.py", "builder/glossary.py"]
TREES = ["site/mkdocs", "site/calculator", "policy"]
PACKAGES = ["mkdocs", "mkdocs-material", "jieba", "segno", "Jinja2"]
STORE = ".fingerprints"  # under the output folder, beside the jurisdictions' sites


def _tree_digest() -> str:
    """The code and templates every jurisdiction shares (computed once per build)."""
    digest = hashlib.sha256()
    files = [ROOT / c for c in CODE]
    for tree in TREES:
        files += sorted(p for p in (ROOT / tree).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in PACKAGES:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=-\0".encode())
    return digest.hexdigest()


def fingerprint(folder: Path, shared: str, settings: dict, stats_file: Path | None, as_of=None) -> str:
    digest = hashlib.sha256()
    digest.update(data_version(folder, as_of).encode())
    digest.update(shared.encode())
    digest.update(json.dumps(settings, sort_keys=True).encode())
    if stats_file is not None and stats_file.is_file():
        digest.update(stats_file.read_bytes())
    return digest.hexdigest()


def shared_digest() -> str:
    return _tree_digest()


def stored(out: Path, jid: str) -> str | None:
    path = out / STORE / jid
    return path.read_text().strip() if path.is_file() else None


def store(out: Path, jid: str, value: str, folder: Path | None = None) -> None:
    """Record the built site's fingerprint and, with `folder`, a hash of each of its data files
    (to say next time which files changed: why())."""
    (out / STORE).mkdir(parents=True, exist_ok=True)
    (out / STORE / jid).write_text(value + "\n")
    if folder is not None:
        (out / STORE / f"{jid}.files.json").write_text(json.dumps(file_hashes(folder), indent=0, sort_keys=True))


def file_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()[:16]
            for p in policy_files(folder)}


def why(out: Path, jid: str, folder: Path, shown: int = 3) -> str:
    """Why the site of `jid` is built again, in a few words: `layers.yaml 改了`."""
    if stored(out, jid) is None or not (out / jid / "index.html").is_file():
        return "还没有生成过"
    try:
        before = json.loads((out / STORE / f"{jid}.files.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "上次生成没有留下各文件的记录"
    now = file_hashes(folder)
    changed = sorted(name for name in before.keys() | now.keys() if before.get(name) != now.get(name))
    if not changed:
        return "程序、模板、设置（网址、投诉统计）或日期变了"
    more = f" 等 {len(changed)} 个文件" if len(changed) > shown else " "
    return f"{'、'.join(changed[:shown])}{more}改了"


def module_available(name: str) -> bool:
    return importlib.util.find_spec(name) is not None
