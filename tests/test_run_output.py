"""What `scripts/run.sh` shows a newcomer: one line per sample answer, a bar per county, and the
set-up split into what running needs and what only the tests need."""
from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

from builder import progress
from builder.sample_summary import calc_line, eligible_line

ROOT = Path(__file__).resolve().parent.parent


def test_the_sample_answers_are_one_line_each(cli):
    code, out, _ = cli(["calc", "--no-explain"], (ROOT / "samples" / "calc-zixi.json").read_text(encoding="utf-8"))
    assert code == 0
    assert calc_line(json.loads(out)) == "报销 19072.70 元，自付 927.30 元（自付 4.6%）"
    code, out, _ = cli(["eligible"], (ROOT / "samples" / "eligible-zixi.json").read_text(encoding="utf-8"))
    answer = json.loads(out)
    line = eligible_line(answer)
    assert "\n" not in line and line.startswith(f"可以享受 {len(answer['eligible'])} 项：{answer['eligible'][0]['name']}")
    assert f"不符合 {len(answer['not_eligible'])} 项" in line


def test_two_claims_are_summed_and_counted():
    claim = {"reimbursed": "100.00", "self_pay": "300.00"}
    assert calc_line([{"claims": [claim]}, {"claims": [claim]}]) == "2 笔费用，报销 200.00 元，自付 600.00 元（自付 75.0%）"


def test_run_sh_prints_the_full_json_to_files_and_builds_as_a_preview():
    run = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    assert "scripts/setup.sh run\n" in run
    assert "> samples/answers/calc-zixi.json" in run and "> samples/answers/eligible-zixi.json" in run
    assert ".venv/bin/python build.py build --preview" in run
    assert "/samples/answers/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def _packages(name: str) -> set[str]:
    lines = (ROOT / "scripts" / name).read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")}


def test_the_runtime_package_list_holds_no_test_only_package():
    runtime, test_only = _packages("debian-packages.txt"), _packages("debian-packages-test.txt")
    assert {"fonts-noto-cjk", "libpango-1.0-0", "libharfbuzz-subset0"} <= runtime
    assert {"chromium-headless-shell", "chromium", "nodejs", "npm", "poppler-utils"} <= test_only
    assert not runtime & test_only


def test_setup_refuses_an_unknown_mode_before_installing_anything():
    run = subprocess.run(["bash", str(ROOT / "scripts" / "setup.sh"), "everything"], capture_output=True, text=True)
    assert run.returncode == 2 and "用法：scripts/setup.sh [run]" in run.stderr


def test_the_bars_redraw_each_county_in_place_and_end_complete():
    stream = io.StringIO()
    with progress.Bars({"zixi": "资溪县", "jixian": "集贤县"}, stream=stream):
        progress.stage("zixi", "MkDocs")
        progress.stage("jixian", "打印")
    drawn = stream.getvalue()
    assert "MkDocs" in drawn and "打印" in drawn
    assert "\x1b[2F" in drawn  # back up two lines: one bar per county, redrawn
    last = drawn.rsplit("\x1b[2F", 1)[1]
    assert last.count("完成") == 2 and "█" * progress.WIDTH in last
    assert progress.bar_line("资溪县", 1, 7, "打印") == f"资溪县   [{'█' * 2}{'░' * 18}] 打印"


def test_set_up_leaves_our_modules_compiled():
    """scripts/setup.sh compiles build.py, builder/, policy/ and forms_app/ as pip compiles what it
    installs: where PYTHONDONTWRITEBYTECODE is set (this kind of CI machine, containers) every
    process compiled them again otherwise. A module added since the last set-up: run it again."""
    import importlib.util

    sources = [ROOT / "build.py", *(p for part in ("builder", "policy", "forms_app") for p in (ROOT / part).rglob("*.py"))]
    assert len(sources) > 100
    missing = [str(p.relative_to(ROOT)) for p in sources if not Path(importlib.util.cache_from_source(str(p))).exists()]
    assert missing == [], "scripts/setup.sh compiles these: run it again"
