"""MkDocs' list of the theme's static files, without walking Material's 14,509 icons (issue 25).

`Files.add_files_from_theme` asks the theme's Jinja loader for every file of every theme folder
and then drops, among others, every path with a part that begins with a dot ('.*' and '*/.*').
Material keeps its icons in `.icons/`: the loader walked those 14,509 files and MkDocs matched
each against its patterns only to drop it, 0.1-0.15 s of every site build, the officer's loop
included. While MkDocs adds the theme's files, `skipping_dot_folders` has the loader skip dot
folders and dot files as it walks: the list MkDocs keeps is the same (what it dropped is never
listed), and so is everything else the loader does (an icon is still read by its name).

Written up for MkDocs as docs/upstream/mkdocs/theme-files.patch. Only for the MkDocs source it
was read against (`EXPECTED`, hashed as weasyprint_pins hashes the print's); with another, MkDocs
walks everything as before. tests/test_mkdocs_shortcuts.py checks the theme's files with and
without it are the same, and the patch the same.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from functools import cache

EXPECTED = {"mkdocs.structure.files:Files.add_files_from_theme": "0169dd2b1c22ca13",
            "jinja2.loaders:FileSystemLoader.list_templates": "320387ffb0e553d2"}


@cache
def allowed() -> bool:
    from builder.weasyprint_pins import source_hash

    return all(source_hash(target) == digest for target, digest in EXPECTED.items())


def list_without_dot_folders(loader) -> list[str]:
    """`FileSystemLoader.list_templates` of `loader`, less every name with a part that begins with
    a dot (Jinja's own walk, with dot folders pruned and dot files passed over)."""
    found = set()
    for searchpath in loader.searchpath:
        for dirpath, dirnames, filenames in os.walk(searchpath, followlinks=loader.followlinks):
            dirnames[:] = [name for name in dirnames if not name.startswith(".")]
            for filename in filenames:
                if filename.startswith("."):
                    continue
                template = (os.path.join(dirpath, filename)[len(searchpath):]
                            .strip(os.path.sep).replace(os.path.sep, "/"))
                if template[:2] == "./":
                    template = template[2:]
                found.add(template)
    return sorted(found)


@contextmanager
def skipping_dot_folders():
    """While MkDocs builds: the theme's loader skips dot folders when MkDocs lists its static files."""
    if not allowed():
        yield
        return
    import jinja2
    from mkdocs.structure.files import Files

    own = Files.add_files_from_theme

    def add_files_from_theme(self, env, config):
        loader = env.loader
        if type(loader) is not jinja2.FileSystemLoader:
            return own(self, env, config)
        loader.list_templates = lambda: list_without_dot_folders(loader)
        try:
            return own(self, env, config)
        finally:
            del loader.list_templates

    Files.add_files_from_theme = add_files_from_theme
    try:
        yield
    finally:
        Files.add_files_from_theme = own
