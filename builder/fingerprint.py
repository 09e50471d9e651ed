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

from .version import data_version

ROOT = Path(__file__).resolve().parent.parent
CODE = ["builder/pages.py", "builder/facts.py", "builder/mkdocs_site.py", "builder/mkdocs_hooks.py",
        "builder/opendata.py", "builder/trim.py", "builder/pipeline.py", "builder/urls.py",
        "builder/version.py", "builder/fingerprint.py", "builder/calculator_pages.py", "builder/calcdata.py",
        "builder/settings.py", "builder/currency.py"]
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


def store(out: Path, jid: str, value: str) -> None:
    (out / STORE).mkdir(parents=True, exist_ok=True)
    (out / STORE / jid).write_text(value + "\n")


def module_available(name: str) -> bool:
    return importlib.util.find_spec(name) is not None
