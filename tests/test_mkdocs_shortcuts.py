"""What the site build spares MkDocs: walking Material's icons (builder/theme_files.py: the same
theme files are added) and compiling the templates the search plugin reads (builder/mkdocs_memo.py)."""
from __future__ import annotations

import pytest
import yaml

from builder import theme_files
from builder.mkdocs_site import BASE_CONFIG, OVERRIDES


def _config(tmp_path, plugins: bool = False):
    """A MkDocs config of a one-page site with our base config and overrides (and its plugins)."""
    from mkdocs.config import load_config

    docs = tmp_path / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# 首页\n", encoding="utf-8")
    config = yaml.safe_load(BASE_CONFIG.read_text(encoding="utf-8"))
    config.update({"site_name": "测试", "docs_dir": str(docs), "site_dir": str(tmp_path / "site")})
    config["theme"]["custom_dir"] = str(OVERRIDES)
    if not plugins:
        config["plugins"] = []
    path = tmp_path / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return load_config(config_file=str(path))


@pytest.fixture
def theme(tmp_path):
    """(the MkDocs config, the theme's Jinja environment)."""
    loaded = _config(tmp_path)
    return loaded, loaded.theme.get_env()


def _added(config, env) -> list[tuple[str, str, str]]:
    from mkdocs.structure.files import Files

    files = Files([])
    files.add_files_from_theme(env, config)
    return [(f.src_uri, f.abs_src_path, f.dest_uri) for f in files]


def test_the_theme_files_are_the_same_without_walking_the_icons(theme):
    config, env = theme
    stock_listing = env.loader.list_templates()
    stock = _added(config, env)
    listed = []
    own = theme_files.list_without_dot_folders

    def counting(loader):
        listed.append(own(loader))
        return listed[-1]

    assert theme_files.allowed(), "MkDocs or Jinja changed: read theme_files.py against them, then update EXPECTED"
    with pytest.MonkeyPatch.context() as m:
        m.setattr(theme_files, "list_without_dot_folders", counting)
        with theme_files.skipping_dot_folders():
            fast = _added(config, env)
    assert fast == stock and len(stock) > 20
    assert any(src.startswith("assets/javascripts/bundle.") for src, _, _ in stock)
    assert any(src == "assets/images/favicon.png" or src.startswith("assets/stylesheets/") for src, _, _ in stock)
    # What the shortcut spares: the icons MkDocs listed only to drop them.
    assert len(listed) == 1
    assert sum(name.startswith(".icons/") for name in stock_listing) > 10_000
    assert not any(part.startswith(".") for name in listed[0] for part in name.split("/"))
    # Afterwards MkDocs and the loader are as they were.
    from mkdocs.structure.files import Files
    assert "list_templates" not in vars(env.loader)
    assert Files.add_files_from_theme.__qualname__ == "Files.add_files_from_theme"
    assert env.loader.list_templates() == stock_listing


def test_another_mkdocs_walks_everything_as_before(theme, monkeypatch):
    from mkdocs.structure.files import Files

    config, env = theme
    theme_files.allowed.cache_clear()
    monkeypatch.setitem(theme_files.EXPECTED, "mkdocs.structure.files:Files.add_files_from_theme", "0" * 16)
    try:
        own = Files.add_files_from_theme
        with theme_files.skipping_dot_folders():
            assert Files.add_files_from_theme is own
            assert _added(config, env)
    finally:
        theme_files.allowed.cache_clear()


def test_the_search_plugins_language_templates_are_compiled_once_and_kept(tmp_path, monkeypatch):
    """Material's search plugin makes a Jinja environment of its own in on_config to read its
    language's words; the memo gives it the kept compiled templates, as MkDocs' own environment."""
    import jinja2

    from builder.mkdocs_memo import Memo

    kept = tmp_path / "jinja"
    dictionary = tmp_path / "userdict.txt"
    dictionary.write_text("五道保障线 10 n\n", encoding="utf-8")
    compiled = []
    own = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, source, name=None, *a, **k: compiled.append(name) or own(self, source, name, *a, **k))
    for n in (1, 2):
        config = _config(tmp_path / f"site{n}", plugins=True)
        memo = Memo(templates=kept, dictionary=dictionary, kept=None, keep=tmp_path / "cuts.json")
        config.plugins["builder-memo"] = memo
        compiled.clear()
        try:
            config = config.plugins.on_config(config)
        finally:
            memo.cuts.uninstall()
        if n == 1:
            assert "partials/language.html" in compiled and any(kept.iterdir())
    assert compiled == [], "the second build compiled again what the first kept"
    assert config.theme.get_env().bytecode_cache is not None


THEME_FILES_CHILD = """
import json, sys
sys.path.insert(1, sys.argv[1])
import mkdocs
assert mkdocs.__file__.startswith(sys.argv[2]), mkdocs.__file__
from mkdocs.config import load_config
from mkdocs.structure.files import Files
import os
walked, own = [], os.walk
def walk(*args, **kwargs):
    for entry in own(*args, **kwargs):
        walked.extend(entry[2])
        yield entry
os.walk = walk
config = load_config(config_file=sys.argv[3])
files = Files([])
files.add_files_from_theme(config.theme.get_env(), config)
print(json.dumps({"files": [[f.src_uri, f.abs_src_path, f.dest_uri] for f in files], "walked": len(walked)}))
"""


def test_the_upstream_mkdocs_patch_applies_and_adds_the_same_theme_files(tmp_path):
    """docs/upstream/mkdocs/theme-files.patch, applied to a copy of the installed MkDocs: that copy
    adds the very theme files the stock MkDocs adds (theme_files.py is the same change, made at
    run time; with the patch released, it can go)."""
    import json
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import mkdocs

    root = Path(__file__).resolve().parent.parent
    patched = tmp_path / "patched"
    shutil.copytree(Path(mkdocs.__file__).parent, patched / "mkdocs", ignore=shutil.ignore_patterns("__pycache__"))
    patch = root / "docs" / "upstream" / "mkdocs" / "theme-files.patch"
    run = subprocess.run(["git", "apply", "-p1", str(patch)], cwd=patched, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "_list_without_dot_folders" in (patched / "mkdocs" / "structure" / "files.py").read_text(encoding="utf-8")
    config = _config(tmp_path / "site")
    stock = [list(t) for t in _added(config, config.theme.get_env())]
    run = subprocess.run([sys.executable, "-c", THEME_FILES_CHILD, str(root), str(patched), config.config_file_path],
                         env=dict(os.environ, PYTHONPATH=str(patched)), cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    child = json.loads(run.stdout)
    assert child["files"] == stock and len(stock) > 20
    assert 0 < child["walked"] < 1000, "the patched MkDocs walked the icons"
