"""Load + validate time for a prefecture-scale dataset: 10 jurisdictions, 1,600 villages.

    python benchmarks/prefecture.py [--runs N] [--out DIR]

1. Generates a synthetic prefecture into DIR (default benchmarks/out/prefecture/, git-ignored):
   10 jurisdictions derived from policy_data/zixi, each with 16 townships × 10 villages, every
   village with a clinic and 1–3 doctors. Zixi's own townships and villages are kept (so that its
   worked examples, which name `township: hecheng` or `village: gaofu-gaofu`, still run) and
   topped up to 10 villages each; the other townships are new. Everything else in zixi (sources,
   categories, levels, diseases, layers, programs, contacts, commitments, calendar, examples/)
   is copied with the county's id and name rewritten, so validation does realistic work;
   hospitals.yaml keeps zixi's hospitals and gets a health centre for each new township.
   DIR is wiped and regenerated on every run; a DIR that this script did not create is refused.
2. Loads it once with `load_all(DIR, run_examples=True)` and fails loudly (exit 1, problems
   listed) unless there are zero problems; then times N more loads (wall clock, best and median).
3. As a baseline measured in the same run, times loading policy_data/zixi alone
   (`load_jurisdiction`, what `load_all` does per folder) the same way, and prints the ratio
   prefecture time / single-jurisdiction time and villages loaded per second.
4. Times `check_all(DIR)`, what `build.py check` runs: the same work, one process per core.
5. Prints the goal (under 2 s, judged on the median) and whether it is met.
"""
from __future__ import annotations

import argparse
import math
import random
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policy.loader import check_all, load_all, load_jurisdiction  # noqa: E402

GOAL_SECONDS = 2.0
SOURCE = ROOT / "policy_data" / "zixi"
DEFAULT_OUT = ROOT / "benchmarks" / "out" / "prefecture"
MARKER = ".generated-by-benchmarks-prefecture"   # dot-names are skipped by load_all

JURISDICTIONS = 10
VILLAGES_PER_JURISDICTION = 160
VILLAGES_PER_TOWNSHIP = 10

# Made-up county names (stems) for the synthetic jurisdictions; ids are pref01, pref02, ...
COUNTY_STEMS = ["青溪", "白沙", "石桥", "云岭", "竹山", "梅岭", "枫林", "桃源", "清水", "松岗"]
# (pinyin, hanzi) syllables for township and village ids/names.
SYLLABLES = [
    ("an", "安"), ("bai", "白"), ("chang", "长"), ("dong", "东"), ("feng", "丰"), ("gao", "高"),
    ("he", "和"), ("jin", "金"), ("kang", "康"), ("li", "李"), ("ma", "马"), ("nan", "南"),
    ("ping", "平"), ("qing", "青"), ("shi", "石"), ("tang", "塘"), ("wang", "旺"), ("xi", "西"),
    ("yang", "阳"), ("zhu", "竹"), ("fu", "福"), ("hua", "华"), ("lin", "林"), ("shan", "山"),
    ("tian", "田"), ("xin", "新"), ("yuan", "源"), ("ze", "泽"), ("gang", "岗"), ("kou", "口"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
STEMS = "甲乙丙丁戊己庚辛壬癸"
QUALIFICATIONS = ["乡村医生", "乡村医生", "乡村全科执业助理医师", "执业助理医师", "执业医师"]
HOURS = ["周一至周日 8:00-12:00，14:00-17:30", "周一至周五 8:00-12:00，14:30-17:30；周六上午 8:00-12:00",
         "周一至周六 7:30-11:30，14:00-17:00", "周一至周六 8:00-12:00，14:30-17:30"]
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DEFAULT_HC_TAGS = ["one_stop_window", "treat_first_pay_later", "poverty_beds", "rehab_room", "moxibustion"]


def _dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000,
                     default_flow_style=False)


def _read_yaml(text: str):
    return yaml.load(text, Loader=_Loader)


def _pair_names(rng: random.Random, taken_ids: set, taken_names: set, prefix: str = ""):
    """A fresh (id, two-character name) pair not in `taken_ids` / `taken_names`."""
    while True:
        (p1, h1), (p2, h2) = rng.sample(SYLLABLES, 2)
        ident, name = f"{prefix}{p1}{p2}", h1 + h2
        if ident not in taken_ids and name not in taken_names:
            taken_ids.add(ident)
            taken_names.add(name)
            return ident, name


def _rewrite_strings(data, rewrite):
    if isinstance(data, dict):
        return {k: _rewrite_strings(v, rewrite) for k, v in data.items()}
    if isinstance(data, list):
        return [_rewrite_strings(v, rewrite) for v in data]
    return rewrite(data) if isinstance(data, str) else data


def _clear(out: Path) -> None:
    if out.exists():
        if not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file()):
            raise SystemExit(f"refusing to overwrite {out}: it was not made by this script (no {MARKER})")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("Synthetic data from benchmarks/prefecture.py; deleted on every run.\n",
                              encoding="utf-8")


def generate(out: Path, jurisdictions: int = JURISDICTIONS,
             villages_per_jurisdiction: int = VILLAGES_PER_JURISDICTION,
             villages_per_township: int = VILLAGES_PER_TOWNSHIP, source: Path = SOURCE,
             seed: int = 2020) -> dict:
    """Write the synthetic prefecture into `out` (wiped first). Returns the counts written."""
    out, source = Path(out), Path(source)
    _clear(out)
    src_jur = _read_yaml((source / "jurisdiction.yaml").read_text(encoding="utf-8"))
    src_name = src_jur["name"]                                   # 资溪县
    src_stem = re.sub(r"(自治县|县|区|市)$", "", src_name)        # 资溪
    src_hospitals = _read_yaml((source / "hospitals.yaml").read_text(encoding="utf-8"))["hospitals"]
    src_townships = {}
    for path in sorted((source / "townships").glob("*.yaml")):
        t = _read_yaml(path.read_text(encoding="utf-8"))
        src_townships[t["id"]] = t
    # Every zixi township and village is kept (the one holding the county hospitals first), so
    # that whatever the copied files name (hospitals, programs, worked examples: `township:
    # hecheng`, `village: gaofu-gaofu`) still resolves. Townships are topped up to
    # `villages_per_township` villages with generated ones, and fresh townships are added until
    # the jurisdiction has `villages_per_jurisdiction` villages (never fewer than zixi's own).
    seat = next((h["township"] for h in src_hospitals if h.get("township") and h["level"] != "township"), None)
    kept_order = sorted(src_townships, key=lambda tid: (tid != seat, tid))
    n_townships = max(math.ceil(villages_per_jurisdiction / villages_per_township), len(kept_order))
    counts = {"jurisdictions": 0, "townships": 0, "villages": 0, "doctors": 0, "examples_files": 0}

    for j_index in range(jurisdictions):
        rng = random.Random(seed * 1000 + j_index)
        jid = f"pref{j_index + 1:02d}"
        stem = COUNTY_STEMS[j_index % len(COUNTY_STEMS)] + ("" if j_index < len(COUNTY_STEMS)
                                                          else str(j_index // len(COUNTY_STEMS) + 1))
        new_name = stem + "县"
        folder = out / jid
        folder.mkdir()

        def rewrite(text: str) -> str:
            return text.replace(src_name, new_name).replace(src_stem, stem)

        # Every file except townships/ and hospitals.yaml: copied, names rewritten.
        for path in sorted(source.rglob("*")):
            rel = path.relative_to(source)
            if path.is_dir() or rel.parts[0] == "townships" or rel.as_posix() == "hospitals.yaml":
                continue
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".yaml":
                text = rewrite(path.read_text(encoding="utf-8"))
                if rel.as_posix() == "jurisdiction.yaml":
                    text = re.sub(r"(?m)^id:\s*\S+", f"id: {jid}", text, count=1)
                    text = re.sub(r"(?m)^(site_url:\s*)\S+", rf"\g<1>https://{jid}.example.org/", text, count=1)
                if rel.parts[0] == "examples":
                    counts["examples_files"] += 1
                target.write_text(text, encoding="utf-8")
            else:
                shutil.copyfile(path, target)

        # Townships: zixi's ids first, then fresh ones.
        township_ids: set = set(src_townships)
        township_names: set = {t["name"].rstrip("镇乡") for t in src_townships.values()}
        townships = []   # (id, name, source township or None)
        for k in range(n_townships):
            if k < len(kept_order):
                tid = kept_order[k]
                townships.append((tid, rewrite(src_townships[tid]["name"]), src_townships[tid]))
            else:
                tid, tname = _pair_names(rng, township_ids, township_names)
                townships.append((tid, tname + rng.choice("镇乡"), None))

        # hospitals.yaml: zixi's hospitals (health centres of its townships included) plus one
        # health centre for each fresh township.
        hospitals = [_rewrite_strings(h, rewrite) for h in src_hospitals]
        for k, (tid, tname, original) in enumerate(townships):
            if original is None:
                hospitals.append({
                    "id": f"{tid}_hc", "name": f"{tname}卫生院", "level": "township", "township": tid,
                    "phone": f"0794-{j_index + 1:02d}{k + 1:05d}", "tags": list(DEFAULT_HC_TAGS),
                    "illustrative": True,
                })
        (folder / "hospitals.yaml").write_text(
            f"# 合成数据（benchmarks/prefecture.py 生成，不是真实医院）。\n{_dump({'hospitals': hospitals})}",
            encoding="utf-8")

        # townships/<id>.yaml: villages with a clinic and 1-3 doctors each.
        tdir = folder / "townships"
        tdir.mkdir()
        left = villages_per_jurisdiction
        mobile = 0
        for tid, tname, original in townships:
            villages = [_rewrite_strings(v, rewrite) for v in (original["villages"] if original else [])]
            v_ids = {v["id"] for v in villages}
            v_names = {v["name"].removesuffix("村") for v in villages}
            n = max(0, min(villages_per_township, left) - len(villages))
            left = max(0, left - len(villages) - n)
            counts["doctors"] += sum(len(v["clinic"]["doctors"]) for v in villages)
            for _ in range(n):
                vid, vname = _pair_names(rng, v_ids, v_names, prefix=f"{tid}-")
                doctors = []
                for _ in range(rng.randint(1, 3)):
                    mobile += 1
                    doctors.append({"name": rng.choice(SURNAMES) + "某" + rng.choice(STEMS),
                                    "qualification": rng.choice(QUALIFICATIONS),
                                    "phone": f"138{j_index + 1:02d}{mobile:06d}"})
                village = {"id": vid, "name": vname + "村"}
                if rng.random() < 0.25:
                    village["poor_village"] = True
                village["clinic"] = {"name": f"{vname}村卫生室", "address": f"{tname}{vname}村村委会旁",
                                     "phone": doctors[0]["phone"], "hours": rng.choice(HOURS),
                                     "doctors": doctors}
                villages.append(village)
                counts["doctors"] += len(doctors)
            if original is not None:
                body = {**_rewrite_strings(original, rewrite), "villages": villages}
            else:
                body = {"id": tid, "name": tname, "health_center": f"{tid}_hc", "illustrative": True,
                        "villages": villages}
            (tdir / f"{tid}.yaml").write_text(
                f"# 合成数据（benchmarks/prefecture.py 生成）：村名、人名、电话都是编的。\n{_dump(body)}",
                encoding="utf-8")
            counts["townships"] += 1
            counts["villages"] += len(villages)
        counts["jurisdictions"] += 1
    return counts


def time_runs(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _fail(what: str, problems) -> None:
    print(f"FAILED: {what} loads with {len(problems)} problem(s):", file=sys.stderr)
    for p in problems[:50]:
        print(f"  {p}", file=sys.stderr)
    if len(problems) > 50:
        print(f"  ... and {len(problems) - 50} more", file=sys.stderr)
    raise SystemExit(1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs of each load (default 5)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to generate the dataset")
    args = ap.parse_args(argv)
    runs = max(1, args.runs)

    start = time.perf_counter()
    counts = generate(args.out)
    print(f"dataset: {args.out} ({counts['jurisdictions']} jurisdictions, {counts['townships']} townships, "
          f"{counts['villages']} villages, {counts['doctors']} doctors, {counts['examples_files']} example files; "
          f"generated in {time.perf_counter() - start:.2f} s)")

    # Verify (and warm up) before timing.
    loaded, problems = load_all(args.out, run_examples=True)
    if problems:
        _fail(str(args.out), problems)
    villages = sum(len(j.villages) for j in loaded.values())
    if len(loaded) != counts["jurisdictions"] or villages != counts["villages"]:
        print(f"FAILED: loaded {len(loaded)} jurisdictions / {villages} villages, "
              f"generated {counts['jurisdictions']} / {counts['villages']}", file=sys.stderr)
        return 1
    base_j, base_problems = load_jurisdiction(SOURCE, run_examples=True)
    if base_problems:
        _fail(str(SOURCE), base_problems)
    base_examples = len(base_j.examples)
    pref_examples = sum(len(j.examples) for j in loaded.values())

    # Runs alternate baseline / prefecture so that both see the same machine noise.
    base, pref, checked = [], [], []
    for _ in range(runs):
        base += time_runs(lambda: load_jurisdiction(SOURCE, run_examples=True), 1)
        pref += time_runs(lambda: load_all(args.out, run_examples=True), 1)
        checked += time_runs(lambda: check_all(args.out), 1)

    b_best, b_med = min(base), statistics.median(base)
    p_best, p_med = min(pref), statistics.median(pref)
    print(f"baseline {SOURCE.name} alone load+validate: best {b_best:.3f} s, median {b_med:.3f} s "
          f"(1 jurisdiction, {len(base_j.villages)} villages, {base_examples} worked examples)")
    print(f"prefecture load+validate: best {p_best:.2f} s, median {p_med:.2f} s "
          f"({len(loaded)} jurisdictions, {villages} villages, {pref_examples} worked examples; {runs} runs)")
    print(f"ratio prefecture / single jurisdiction: {p_med / b_med:.1f}x (median), {p_best / b_best:.1f}x (best); "
          f"per jurisdiction {p_med / b_med / len(loaded):.2f}x")
    print(f"villages per second: {villages / p_med:,.0f} (median), {villages / p_best:,.0f} (best)")
    c_best, c_med = min(checked), statistics.median(checked)
    print(f"`build.py check` (check_all, one process per core): best {c_best:.2f} s, median {c_med:.2f} s "
          f"({c_med / p_med:.2f}x the single-process load)")
    met = p_med < GOAL_SECONDS
    print(f"goal: under {GOAL_SECONDS:g} s (median) -> single process {'met' if met else 'NOT met'} ({p_med:.2f} s); "
          f"check {'met' if c_med < GOAL_SECONDS else 'NOT met'} ({c_med:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
