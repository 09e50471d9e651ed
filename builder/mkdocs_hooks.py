"""MkDocs hooks for the jurisdiction sites (listed in the config by builder/mkdocs_site.py).

QR codes are drawn into the finished page, after Markdown and search indexing: an inline SVG is
a long string that Markdown's raw-HTML handling and the search plugin's parser would otherwise
walk through on every village page (measured: most of a village page's build time).
"""
from __future__ import annotations

import html
import re

import segno
from pymdownx.slugs import slugify

PLACEHOLDER = re.compile(r'<div class="qr" data-qr="([^"]+)"></div>')


def qr_svg(url: str) -> str:
    # A fixed mask: choosing the "best" of the eight costs five times as much and any mask
    # decodes (tests/web/test_site_browser.py scans the code from a screenshot).
    return segno.make(url, error="m", mask=4).svg_inline(scale=4, border=2, title="扫码打开这一页")


def on_config(config):
    # Chinese headings keep their words in the anchor (#先诊疗后付费, not #_1, #_2): a link to a
    # section says where it goes and survives a heading being added above it.
    config.mdx_configs.setdefault("toc", {})["slugify"] = slugify(case="lower")
    return config


def on_page_content(html_text: str, page, config, files) -> str:
    """The first use of each policy term on a page links to its plain-words entry."""
    from builder.glossary import link_terms
    if page.url.startswith("glossary/"):
        return html_text
    depth = page.url.count("/")  # "villages/t/v/" -> 3: the glossary is that many levels up
    return link_terms(html_text, "../" * depth + "glossary/")


def on_post_page(output: str, page, config) -> str:
    return PLACEHOLDER.sub(lambda m: f'<div class="qr">{qr_svg(html.unescape(m.group(1)))}</div>', output)
