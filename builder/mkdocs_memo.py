"""What MkDocs would work out again on every build, kept from one build to the next (issue 25).

After one value changed, MkDocs builds a handful of pages (site_reuse.py), and what it costs is
then mostly fixed: compiling Material's 56 templates (0.35 s) and loading jieba's dictionary for
the search index (0.7 s). So a build adds a plugin of its own (`Memo`) that:
- gives the theme's Jinja environments a bytecode cache in `dist/.fingerprints/jinja/` (Jinja's
  own: keyed by each template's source, written atomically), the search plugin's included;
- remembers jieba's cut of each run of Chinese characters Material's search plugin asks for
  (`material/plugins/search/plugin.py` `_segment_chinese` calls `jieba.cut(run)`): a cut depends
  only on the run and the dictionaries, so cuts kept from the last build with the same user
  dictionary are the same cuts. jieba's dictionary is loaded only on the first run not kept,
  with the user dictionary the search plugin asked for. A build keeps the cuts it used.
tests/web/test_site_reuse.py checks a site built with kept cuts is byte-identical to one without.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from mkdocs.plugins import BasePlugin, event_priority


def import_jieba():
    """jieba, imported without setuptools' pkg_resources: jieba/_compat.py imports it only to
    open jieba's own dictionary files, and opens them by their path when the import fails.
    pkg_resources took 0.09 s of the officer's loop to import (and warns that it is deprecated).
    Import jieba through this before MkDocs loads Material's search plugin, which imports it too."""
    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # `import pkg_resources` raises ImportError
        try:
            import jieba  # noqa: F401
        finally:
            del sys.modules["pkg_resources"]
    import jieba
    return jieba


class Cuts:
    """`jieba.cut` and `jieba.load_userdict`, wrapped while MkDocs runs."""

    def __init__(self, kept: Path | None, dictionary: Path):
        import logging

        jieba = import_jieba()
        jieba.setLogLevel(logging.WARNING)  # it says on stderr how it loads its dictionary: not the officer's concern
        self.jieba = jieba
        self.key = hashlib.sha256(f"jieba {jieba.__version__}\0".encode() + dictionary.read_bytes()).hexdigest()
        self.known = self._read(kept) if kept else {}
        self.used: dict[str, list[str]] = {}
        self.waiting: list = []  # user dictionaries asked for, loaded with jieba's own at the first cut
        self.real = None

    def _read(self, path: Path) -> dict[str, list[str]]:
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return kept.get("cuts", {}) if isinstance(kept, dict) and kept.get("key") == self.key else {}

    def install(self) -> None:
        self.real = (self.jieba.cut, self.jieba.load_userdict)
        self.jieba.cut, self.jieba.load_userdict = self.cut, self.waiting.append

    def uninstall(self) -> None:
        if self.real is not None:
            self.jieba.cut, self.jieba.load_userdict = self.real
            self.real = None

    def _ready(self) -> None:
        for dictionary in self.waiting:
            self.real[1](dictionary)
        self.waiting.clear()

    def cut(self, sentence, cut_all=False, HMM=True, use_paddle=False):
        if cut_all or not HMM or use_paddle:  # not how Material asks: not kept
            self._ready()
            return self.real[0](sentence, cut_all, HMM, use_paddle)
        run = sentence.decode("utf-8") if isinstance(sentence, bytes) else sentence
        words = self.known.get(run)
        if words is None:
            self._ready()
            words = list(self.real[0](sentence))
        self.used[run] = words
        return iter(words)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"key": self.key, "cuts": self.used}, ensure_ascii=False), encoding="utf-8")


class Memo(BasePlugin):
    """Added to the config by mkdocs_site.build_site (not listed in mkdocs.yml)."""

    def __init__(self, templates: Path, dictionary: Path, kept: Path | None, keep: Path):
        self.templates, self.keep = templates, keep
        self.cuts = Cuts(kept, dictionary)

    @event_priority(100)  # before the search plugin hands jieba the user dictionary
    def on_config(self, config):
        self.cuts.install()
        self._compiled_templates(config.theme)
        return config

    def _compiled_templates(self, theme) -> None:
        """Every Jinja environment the theme makes reads and keeps compiled templates: MkDocs'
        own, and the one Material's search plugin makes in its on_config to read its language's
        words (partials/language.html and what it includes, compiled again on every build before)."""
        from .site_reuse import bytecode_cache

        cache = bytecode_cache(self.templates)
        own = type(theme).get_env

        def get_env():
            env = own(theme)
            env.bytecode_cache = cache
            return env

        theme.get_env = get_env

    def on_post_build(self, config):
        self.cuts.uninstall()
        self.cuts.save(self.keep)

    def on_build_error(self, error):
        self.cuts.uninstall()
