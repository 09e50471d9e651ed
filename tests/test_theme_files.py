"""builder/theme_files.py: MkDocs adds the same theme files when the walk skips dot folders."""
from __future__ import annotations

import pytest
import yaml

from builder import theme_files
from builder.mkdocs_site import BASE_CONFIG, OVERRIDES


@pytest.fixture
def theme(tmp_path):
    """(the MkDocs config, the theme's Jinja environment) of a site with our base config and overrides."""
    from mkdocs.config import load_config

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# 首页\n", encoding="utf-8")
    config = yaml.safe_load(BASE_CONFIG.read_text(encoding="utf-8"))
    config.update({"site_name": "测试", "docs_dir": str(docs), "site_dir": str(tmp_path / "site")})
    config["theme"]["custom_dir"] = str(OVERRIDES)
    config["plugins"] = []
    path = tmp_path / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    loaded = load_config(config_file=str(path))
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
