"""Whatever a data officer types into a file, `check` answers with problems, never a crash."""
from __future__ import annotations

import shutil

from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy.loader import load_jurisdiction

FILES = sorted(p.relative_to(DATA / "zixi").as_posix() for p in (DATA / "zixi").rglob("*.yaml"))
JUNK = ["[", "{a: 1}", "- x", "", "null", "1e999", "2019-13-01", "true", "-5", "'x'", "[1, [2]]",
        "{2019-01-01: [1]}", "0.123456", "&a x", "*b", "!!python/object:os.system x", "\t1", "～", "2020",
        "：x", "1,500", "65%", "０.６５", "\u3000x", "2021-02-30"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.sampled_from(FILES), st.integers(0, 10_000), st.sampled_from(JUNK))
def test_any_value_replaced_by_junk_gives_problems_not_a_crash(tmp_path_factory, rel, pick, junk):
    folder = tmp_path_factory.mktemp("data") / "zixi"
    shutil.copytree(DATA / "zixi", folder)
    path = folder / rel
    lines = path.read_text(encoding="utf-8").splitlines()
    candidates = [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
    i = candidates[pick % len(candidates)]
    key = lines[i].split(": ", 1)[0]
    lines[i] = f"{key}: {junk}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = load_jurisdiction(folder)
    for problem in problems:  # each one names its file and says something
        assert problem.file and problem.message
