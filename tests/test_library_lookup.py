"""builder/library_lookup.py: WeasyPrint's libraries found with one `ldconfig -p`, the same ones."""
from __future__ import annotations

import ctypes.util
import subprocess
import sys
from pathlib import Path

import pytest

from builder import library_lookup

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not Path("/sbin/ldconfig").exists(),
                                reason="ldconfig: Linux only")

# Every name weasyprint/text/ffi.py tries (WeasyPrint 69.0), in its order.
WEASYPRINT_NAMES = [
    "libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "libgobject-2.0.so.0",
    "libpango-1.0-0", "pango-1.0-0", "pango-1.0", "libpango-1.0.so.0",
    "libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz.so.0",
    "libharfbuzz-subset-0", "harfbuzz-subset", "harfbuzz-subset-0.0", "libharfbuzz-subset.so.0",
    "libfontconfig-1", "fontconfig-1", "fontconfig", "libfontconfig.so.1",
    "libpangoft2-1.0-0", "pangoft2-1.0-0", "pangoft2-1.0", "libpangoft2-1.0.so.0",
]


@pytest.mark.parametrize("name", WEASYPRINT_NAMES)
def test_each_name_weasyprint_tries_gets_the_standard_librarys_ldconfig_answer(name):
    listing = library_lookup._ldconfig()
    assert listing
    assert library_lookup.find_in(listing, name) == ctypes.util._findSoname_ldconfig(name)


def test_the_libraries_are_found_at_all():
    """The names that find the libraries do find them (the answers above are not all None)."""
    listing = library_lookup._ldconfig()
    for name in ("gobject-2.0", "pango-1.0", "harfbuzz", "fontconfig", "pangoft2-1.0"):
        assert library_lookup.find_in(listing, name), name


COUNT_PROGRAMS = """
import subprocess, sys
sys.path.insert(0, {root!r})
programs = []
own = subprocess.Popen.__init__
def counted(self, args, *a, **k):
    programs.append(args[0] if isinstance(args, (list, tuple)) else args)
    own(self, args, *a, **k)
subprocess.Popen.__init__ = counted
{imports}
from weasyprint.text import ffi
assert ffi.gobject and ffi.pango and ffi.harfbuzz and ffi.fontconfig and ffi.pangoft2
import ctypes.util
assert ctypes.util.find_library.__module__ == "ctypes.util", "find_library left replaced"
print(len(programs), sorted(set(map(str, programs))))
"""


def _programs_run_importing(imports: str) -> tuple[int, str]:
    script = COUNT_PROGRAMS.format(root=str(ROOT), imports=imports)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    count, names = out.split(" ", 1)
    return int(count), names


def test_importing_the_print_runs_ldconfig_once_where_weasyprint_alone_runs_dozens_of_programs():
    stock, stock_names = _programs_run_importing("import weasyprint")
    ours, our_names = _programs_run_importing("import builder.printing")
    assert stock > 10, stock_names  # ldconfig, gcc and ld for each name not found
    assert ours == 1 and "ldconfig" in our_names, our_names


def test_without_ldconfig_the_standard_lookup_answers(monkeypatch):
    monkeypatch.setattr(library_lookup, "_ldconfig", lambda: None)
    asked = []
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: asked.append(name) or "libc.so.6")
    with library_lookup.quick_library_lookup():
        assert ctypes.util.find_library("c") == "libc.so.6"
    assert asked == ["c"]
