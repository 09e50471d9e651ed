"""Shared fixtures: the real sample data, a service over it, broken copies, and the CLI."""
from __future__ import annotations

import io
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "policy_data"
sys.path.insert(0, str(ROOT))

# The test modules, as pytest rewrites their asserts, kept as bytecode in tests/__pycache__ (git
# ignores it) like every other module: where PYTHONDONTWRITEBYTECODE is set (this kind of CI
# machine) each worker rewrote and compiled all of them again, 3.5 s of its start (collection 6.8 s
# against 3.3 s). This process only: the commands the tests run keep the environment as it is.
sys.dont_write_bytecode = False


def _keep_sample_loads() -> None:
    """The tests load the untouched samples (policy_data/zixi and jixian) about 360 times in a run,
    each 0.06-0.15 s of CPU; the engine's own tests need a fresh Jurisdiction each time, not a
    fresh parse. Each worker keeps a load of a sample as pickled bytes and hands out a new copy
    (6 ms). It is kept under everything the load depends on: how the folder was named and the
    working folder (the paths in messages), run_examples, Beijing's date (the calendar's horizon),
    and every file under policy_data/ (path, size, time, inode): a test that edits a sample gets a
    real load. Copies of the samples elsewhere (every broken-data test) are loaded for real."""
    import os
    import pickle
    import stat

    from policy import china_time, loader

    own = loader.load_jurisdiction
    kept: dict = {}

    def files() -> tuple:
        return tuple(sorted((str(p), st.st_size, st.st_mtime_ns, st.st_ino)
                            for p in DATA.rglob("*") if stat.S_ISREG((st := p.stat()).st_mode)))

    def load_jurisdiction(folder, run_examples=True, root=None):
        if root is not None or Path(os.path.abspath(folder)).parent != DATA:
            return own(folder, run_examples, root)
        key, state = (str(folder), run_examples, os.getcwd()), (china_time.china_today(), files())
        if key in kept and kept[key][0] == state:
            return pickle.loads(kept[key][1])
        loaded = own(folder, run_examples)
        kept[key] = state, pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)
        return loaded

    load_jurisdiction.__doc__ = own.__doc__
    loader.load_jurisdiction = load_jurisdiction


_keep_sample_loads()

from builder.cli import main  # noqa: E402
from policy.cases import Service  # noqa: E402
from policy.loader import load_all  # noqa: E402


@pytest.fixture(scope="session")
def jurisdictions():
    loaded, problems = load_all(DATA, run_examples=False)
    assert problems == []
    return loaded


@pytest.fixture(scope="session")
def service(jurisdictions):
    return Service(jurisdictions)


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of policy_data/ to break on purpose."""
    target = tmp_path / "policy_data"
    shutil.copytree(DATA, target)
    return target


def run_cli(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    """Run build.py in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(args)
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli():
    return run_cli


# ------------------------------------------------------------------ how xdist shares the work out

# scripts/test.sh runs `-n <cores + 1> --dist loadfile`: each unit below runs whole on one worker, so its
# module- and session-wide fixtures are made once. A unit is a test module, except that the
# modules of a folder whose fixtures are the expensive part share one unit: tests/e2e (the zixi
# site built by build.py, the forms app under gunicorn on SQLite and on PostgreSQL) and tests/web
# (both sample sites built, printed and served). Run apart, the two e2e modules built the site
# and started the servers once each, and the web modules built both sites once per worker.
# (xdist's `--dist loadgroup` would do this with marks, but it renames the tests to do it, which
# pytest 9 ignores: every test became a unit of its own.)
SHARED_UNITS = {"tests/e2e/": "tests/e2e", "tests/web/": "tests/web"}

# Seconds per unit in a run of the whole suite as scripts/test.sh runs it (three workers on two
# cores; each unit's tests' wall time summed, 2026-12-07), heaviest first. Units start in this
# order, so that no long unit starts last while the other workers have run out of work: xdist's
# own order (most tests first) started the e2e tests and the gunicorn reload test last, and a
# 15 s module left out of this table (test_printer.py) ran last, ending its worker 9 s after the
# others. Only the order depends on these figures, never a result; a unit not listed (each under
# 4 s) starts after the listed ones, in the order pytest collects them.
FIRST = [
    # Before anything else, while their worker is small: they run the whole `check` many times,
    # which forks a process per county, and forking costs more the more a worker has grown
    # (the keyboard fuzz test: 1.5 s alone, 2.8 s with every module imported, 37 s late in a run).
    "tests/test_hardening_fuzz.py",
    "tests/test_check_errors.py",
]
SECONDS = {
    **{unit: 1000 - n for n, unit in enumerate(FIRST)},
    "tests/web": 88,
    "tests/e2e": 79,
    "tests/test_printing.py": 55,
    "tests/test_print_incremental.py": 38,
    "tests/forms/test_staff_flow_browser.py": 31,
    "tests/test_calculator_parity.py": 28,
    "tests/test_calculator_browser.py": 17,
    "tests/forms/test_forms_reload.py": 17,
    "tests/test_hardening.py": 16,
    "tests/test_printer.py": 16,
    "tests/forms/test_audit_chain_backup.py": 15,
    "tests/test_officer_path.py": 14,
    "tests/test_publishing.py": 13,
    "tests/test_engine_properties.py": 12,
    "tests/forms/test_staff_flow.py": 10,
    "tests/forms/test_staff_workflow.py": 10,
    "tests/forms/test_deploy.py": 9,
    "tests/forms/test_forms_gunicorn_limits.py": 8,
    "tests/forms/test_staff_stats_backup.py": 6,
    "tests/test_weasyprint_shortcuts.py": 6,
    "tests/test_check_robustness.py": 6,
    "tests/test_drugs_and_process_data.py": 5,
    "tests/forms/test_forms_lookup_budget.py": 5,
    "tests/forms/test_forms_hostile_input.py": 5,
    "tests/forms/test_forms_resubmission.py": 5,
    "tests/test_slip_browser.py": 5,
    "tests/forms/test_staff_sessions_lockout.py": 4,
    "tests/forms/test_staff_users_page.py": 4,
    "tests/forms/test_ops_fail_closed.py": 4,
}


def _unit_of(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return next((unit for prefix, unit in SHARED_UNITS.items() if path.startswith(prefix)), path)


def pytest_configure(config):
    if hasattr(config.option, "loadscopereorder"):  # xdist's "most tests first": ours instead
        config.option.loadscopereorder = False


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile, with the units above instead of one per file."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Units(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit_of(nodeid)

    return Units(config, log)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items):
    """After the other hooks (pytest's own reordering by fixture included): the units, heaviest
    first. The sort is stable: the tests of a unit keep their order."""
    yield
    items.sort(key=lambda item: -SECONDS.get(_unit_of(item.nodeid), 0))


def pytest_sessionfinish(session):
    """The browser the browser tests shared (tests/chromium.py), if one was started."""
    chromium = sys.modules.get("chromium")
    if chromium is not None:
        chromium.stop_shared()


# ------------------------------------------------------------------ the garbage collector in a long run

def pytest_collection_finish(session):
    """Everything imported and collected lives until the end: out of the collector's sight
    (gc.freeze), so that each collection later walks only what the tests make, and fewer of them
    (a higher first threshold). A worker grows to hundreds of MB of long-lived objects (MkDocs,
    WeasyPrint, Flask apps, Playwright); walking them again and again cost seconds, and after a
    fork the walk copies every page the child shares with its parent. Only speed depends on this."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


# ------------------------------------------------------------------ Werkzeug's URL builders, compiled once

# The tests create about 600 forms apps. Each one spent 20 ms, four fifths of its making, on
# Werkzeug generating and compiling the same Python source for the URL builders of the same 48
# routes (Rule.compile -> Rule._compile_builder: an AST per rule, compiled twice). A builder is a
# function of the rule's text and parse (its `_trace`) alone when the rule has no defaults: it
# reaches the rule's converters through the `self` it is bound to. So the tests keep each one and
# bind it again. Only for the Werkzeug source this was read against (below); with another, the
# tests compile as before, only slower. Test-only: a served app is made once per worker.
_BUILDER_SOURCES = {"werkzeug.routing.rules:Rule._compile_builder": "a0ec55cf067ff5d5",
                    "werkzeug.routing.rules:Rule.compile": "96edc39424f37ba3"}


def _keep_url_builders() -> None:
    from werkzeug.routing import rules

    from builder.weasyprint_pins import source_hash  # the same hash as the print shortcuts' pins

    if any(source_hash(target) != digest for target, digest in _BUILDER_SOURCES.items()):
        return
    own = rules.Rule._compile_builder
    kept: dict = {}

    def compile_builder(self, append_unknown=True):
        if self.defaults:  # constants folded in from the defaults: compiled as Werkzeug does
            return own(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        builder = kept.get(key)
        if builder is None:
            builder = kept[key] = own(self, append_unknown)
        return builder

    rules.Rule._compile_builder = compile_builder


_keep_url_builders()
