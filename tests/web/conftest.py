"""The samples' sites, built once per test session (both in parallel, about 5 s), and served."""
from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from site_helpers import run_build

ROOT = Path(__file__).resolve().parents[2]

STATS = {"jurisdiction": "zixi", "generated": "2026-11-25T10:00:00+08:00", "months": [
    {"month": "2026-10", "received": 12, "by_category": {"clinic_closed": 1, "deposit_charged": 3, "staff_conduct": 2},
     "by_status": {"closed": 9, "in_progress": 3}, "closed_on_time": 8, "closed_late": 1,
     "median_days_to_close": 11}]}


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """(out dir, data dir): zixi built with a statistics file, jixian without."""
    base = tmp_path_factory.mktemp("site")
    data = base / "policy_data"
    shutil.copytree(ROOT / "policy_data", data)
    stats = base / "stats"
    (stats / "zixi").mkdir(parents=True)
    (stats / "zixi" / "complaint-stats.json").write_text(json.dumps(STATS), encoding="utf-8")
    out = base / "dist"
    code, log = run_build(data, out, stats_dir=stats)
    assert code == 0, "\n".join(log.err)
    return out, data, stats


@pytest.fixture(scope="session")
def served(site):
    """The built output on a local port: http://127.0.0.1:<port>/."""
    from builder.serve import make_server
    server = make_server(site[0], 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
