"""WeasyPrint's C libraries found with one `ldconfig -p` instead of 36 programs (issue 25).

Importing WeasyPrint opens six C libraries (weasyprint/text/ffi.py), trying several names for
each, the Windows and macOS names first. cffi asks `ctypes.util.find_library` for every name it
cannot open as it is, and on Linux each ask runs `ldconfig -p`, and then gcc and ld for a name
that ldconfig does not know: 16 asks and 36 programs, about 0.2 s of every process that prints
(a third of WeasyPrint's import; on the officer's loop's longest path).

While WeasyPrint is imported, `find_library` answers from one `ldconfig -p` run, read as the
standard library's first step reads it (`ctypes.util._findSoname_ldconfig`: the same pattern,
the same ABI). A name ldconfig does not know is not looked for with gcc and ld: WeasyPrint's list
of names then comes to the library's own file name (`libpango-1.0.so.0`), which cffi opens as it
is, wherever the dynamic loader finds it. Where there is no ldconfig (not Linux, or no
/sbin/ldconfig), the standard `find_library` answers as before.
"""
from __future__ import annotations

import ctypes.util
import os
import re
import struct
import subprocess
import sys
from contextlib import contextmanager

# ctypes.util._findSoname_ldconfig's table: the ABI column of `ldconfig -p` for this machine
_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


def _abi() -> str:
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    return _ABI.get(machine, "libc6")


def _ldconfig() -> bytes | None:
    """`ldconfig -p` (the loader's cache, as the standard library runs it), or None."""
    try:
        return subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, env={"LC_ALL": "C", "LANG": "C"}, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def find_in(listing: bytes, name: str) -> str | None:
    """The soname `ctypes.util._findSoname_ldconfig(name)` finds in `listing`, or None."""
    pattern = os.fsencode(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), _abi()))
    found = re.search(pattern, listing)
    return os.fsdecode(found.group(1)) if found else None


@contextmanager
def quick_library_lookup():
    """Inside, `ctypes.util.find_library` answers from one `ldconfig -p` run (see above)."""
    if not sys.platform.startswith("linux"):
        yield
        return
    own = ctypes.util.find_library
    listing: list[bytes | None] = []

    def find_library(name: str) -> str | None:
        if not listing:
            listing.append(_ldconfig())
        return own(name) if listing[0] is None else find_in(listing[0], name)

    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = own
