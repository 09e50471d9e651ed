"""A minimal mkdocs-material site holding only the calculator and screener pages, for tests.

The real site (every page, navigation, trimming) is built by `build.py build`; the browser tests
need just these two pages rendered the way MkDocs renders them, quickly, strict.
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import yaml

from builder.calculator_pages import write_pages
from policy.model import Jurisdiction


def build_site(j: Jurisdiction, work: Path, version: str = "testversion", as_of: dt.date | None = None) -> Path:
    """Build into work/site (and work/docs), as of `as_of` (default: today); returns the site folder."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs, site = work / "docs", work / "site"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text(f"# {j.name}\n\n[报销计算器](calculator/index.md) · [能享受哪些政策](screener/index.md)\n",
                                   encoding="utf-8")
    for p in j.programs:  # the screener's no-JavaScript list links to the program pages
        (docs / "programs" / p["id"]).mkdir(parents=True, exist_ok=True)
        (docs / "programs" / p["id"] / "index.md").write_text(f"# {p['name']}\n\n{p['summary']}\n", encoding="utf-8")
    write_pages(j, docs, version, as_of)
    config = {
        "site_name": f"{j.name}健康扶贫政策", "docs_dir": str(docs), "site_dir": str(site),
        "use_directory_urls": True, "strict": True,
        "theme": {"name": "material", "language": "zh", "font": False},
        "markdown_extensions": ["tables", "attr_list", "md_in_html"],
        "plugins": [],  # no search: jieba would take seconds to load and the tests need none
        "nav": [{"首页": "index.md"}, {"报销计算器": "calculator/index.md"}, {"核对结算单": "slip/index.md"},
                {"能享受哪些政策": "screener/index.md"}],
        "not_in_nav": "/programs/*/",
        "validation": {"omitted_files": "warn", "absolute_links": "warn", "unrecognized_links": "warn",
                       "anchors": "warn"},
    }
    path = work / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.WARNING:
                warnings.append(record.getMessage())

    handler = Collect()
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        build(load_config(str(path)))
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    if warnings:
        raise RuntimeError("mkdocs: " + "; ".join(warnings))
    return site
