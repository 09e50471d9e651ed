"""Where the officer's loop spends its time: one `build --only JID` after one value changed,
traced in every process it starts (issue 25).

    python benchmarks/loop_trace.py [--jid zixi]

On a private copy of policy_data/: a build from scratch (not traced), one value changed as
benchmarks/officer_loop.py changes it, then the same build in this process with a mark at the
start and the end of each stage below, in whichever process runs it: the build's own process,
the print process forked first (builder/printer.py), the site's worker (pipeline.build_one) and
the leaflet's child (printing._leaflet_beside). Prints one line per mark, in time order, from
the build's start, with the process it ran in, then the wall time.

The loop's longest path is what to shorten; this is how the 70 ms spent removing the replaced
site before `build` could end were found (builder/discard.py). A stage that moved or was renamed
is left out of the trace (listed at the end), not an error.
"""
from __future__ import annotations

import argparse
import functools
import importlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import officer_loop  # noqa: E402  (beside this file: the same build and the same edit)

# (module, function) marked in whichever process calls it; methods as "Class.method"
STAGES = [
    ("builder.pipeline", "plan"), ("builder.pipeline", "_load"), ("builder.pipeline", "build_site"),
    ("builder.pipeline", "_mkdocs"), ("builder.pipeline", "swap_in"), ("builder.pipeline", "_print"),
    ("builder.pipeline", "write_portal"), ("builder.pages", "write_pages"), ("builder.opendata", "write"),
    ("builder.calculator_pages", "write_pages"), ("builder.site_reuse", "prepare"),
    ("builder.site_reuse", "store"), ("builder.mkdocs_site", "build_site"), ("builder.trim", "trim"),
    ("builder.search_terms", "tag_site"), ("builder.fingerprint", "store"), ("builder.discard", "discard"),
]
PRINT_STAGES = [  # in builder.printing, marked once the print process has imported it
    "jurisdiction_facts", "_print_notices", "compose_notices", "_print_cards", "compose_cards",
    "_print_leaflet", "_leaflet_layer", "compose_leaflet", "Stamps.footers", "remove_stale",
]


class Trace:
    def __init__(self, log: Path):
        self.log, self.start, self.missing = log, time.time(), []

    def mark(self, what: str) -> None:
        # One short line per write, appended: the processes' lines do not mix.
        line = f"{time.time() - self.start:.3f} {os.getpid()} {what}\n".encode()
        fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def wrap(self, module, name: str) -> None:
        owner, _, attr = name.rpartition(".")
        holder = getattr(module, owner) if owner else module
        own = getattr(holder, attr, None)
        if own is None:
            self.missing.append(f"{module.__name__}.{name}")
            return

        label = f"{module.__name__.rpartition('.')[2]}.{name}"  # pages.write_pages, calculator_pages.write_pages

        @functools.wraps(own)  # same name and module: the pool still pickles build_one's callees
        def marked(*args, **kwargs):
            self.mark(f"{label} >")
            try:
                return own(*args, **kwargs)
            finally:
                self.mark(f"{label} <")
        setattr(holder, attr, marked)


def install(trace: Trace) -> None:
    for module_name, name in STAGES:
        try:
            trace.wrap(importlib.import_module(module_name), name)
        except ImportError:
            trace.missing.append(f"{module_name}.{name}")
    import builder.printer as printer

    own_import = printer.importlib.import_module

    def import_module(name, *args):
        if name != "builder.printing":
            return own_import(name, *args)
        trace.mark("import builder.printing >")
        module = own_import(name, *args)
        trace.mark("import builder.printing <")
        for stage in PRINT_STAGES:
            trace.wrap(module, stage)
        return module
    printer.importlib = type("TracedImportlib", (), {"import_module": staticmethod(import_module)})


def report(log: Path, main_pid: int, seconds: float, missing: list[str]) -> None:
    lines = [line.split(" ", 2) for line in log.read_text().splitlines()]
    roles: dict[str, str] = {str(main_pid): "build"}
    for _, pid, what in lines:
        if pid not in roles:
            roles[pid] = ("print" if "import builder.printing" in what else "leaflet" if "_leaflet_layer" in what
                          else "site")
    for at, pid, what in sorted(lines, key=lambda line: float(line[0])):
        print(f"{float(at):7.3f}  {roles[pid]:<8} {what}")
    print(f"wall time of the build (this process, to its end): {seconds:.2f} s")
    if missing:
        print("not traced (moved or renamed): " + ", ".join(missing))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jid", default="zixi")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, out, log = Path(tmp) / "policy_data", Path(tmp) / "dist", Path(tmp) / "trace.log"
        shutil.copytree(ROOT / "policy_data", data)
        officer_loop.build(data, out, args.jid)  # from scratch, not traced
        officer_loop.change_one_value(data, args.jid, 17)
        trace = Trace(log)
        install(trace)
        from builder.cli import main as build_main

        sys.argv = ["build.py", "build", "--data", str(data), "--only", args.jid, "--preview", "--out", str(out)]
        start = trace.start = time.time()  # the build's modules are imported already (install)
        trace.mark("start")
        code = build_main()
        seconds = time.time() - start
        if code != 0:
            sys.exit(f"the traced build failed ({code})")
        report(log, os.getpid(), seconds, trace.missing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
