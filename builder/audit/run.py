"""`build.py audit`: read the exports, group slips by person, compare, write the four outputs.

Exit codes: 0 every row was read and audited; 1 some rows were rejected (listed in
rejected.csv and on stderr; the rest audited); 2 a file, the policy data or the shards to merge
cannot be read at all (nothing is written).
"""
from __future__ import annotations

import csv
import gc
import zlib
from pathlib import Path

import orjson

from policy.limits import MAX_MESSAGES
from policy.problems import PolicyError
from policy.settlement import Slip, compare_person

from ..streams import err
from .columns import Layout, header_map, to_claim
from .reading import Unreadable, rows
from .summary import Summary

FINDINGS_HEADER = ("结算单号", "参保人编号", "项目", "应付", "实付", "差额", "依据")
REJECTED_HEADER = ("行号", "列", "原因", "文件")
WORK_DB = ".audit-slips.sqlite"


def shard_of(person: str, n: int) -> int:
    """1..n, by a hash of the insured person that is the same on every machine and run."""
    return zlib.crc32(person.encode("utf-8")) % n + 1


def parse_shard(text: str) -> tuple[int, int]:
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise ValueError(f"--shard 应写成 K/N（1 ≤ K ≤ N），例如 1/4，这里是“{text}”")
    return int(k), int(n)


class _Rejected:
    """rejected.csv, written as rows are refused; the first MAX_MESSAGES also go to stderr."""

    def __init__(self, path: Path):
        self.file = open(path, "w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.file)
        self.writer.writerow(REJECTED_HEADER)
        self.rows = self.messages = 0

    def row(self, file: str, line: int, problems: list[tuple[str, str]]) -> None:
        self.rows += 1
        for column, reason in problems:
            self.writer.writerow((line, column, reason, file))
            if self.messages < MAX_MESSAGES:
                where = f"第 {line} 行" + (f"“{column}”列" if column else "")
                err(f"{file} {where}：{reason}")
            self.messages += 1

    def close(self) -> None:
        self.file.close()
        if self.messages > MAX_MESSAGES:
            err(f"……另有 {self.messages - MAX_MESSAGES:,} 个问题没有列出（全部见 rejected.csv）")


def _load(data: Path, jid: str):
    from policy.engine import Engine
    from policy.loader import load_jurisdiction

    folder = Path(data) / jid
    if not folder.is_dir():
        known = "、".join(sorted(p.name for p in Path(data).iterdir() if p.is_dir())) if Path(data).is_dir() else ""
        raise Unreadable(f"没有地区“{jid}”的政策数据（{data} 中有：{known or '无'}）")
    j, problems = load_jurisdiction(folder, run_examples=False)
    if problems:
        raise Unreadable(f"{jid} 的政策数据有问题（{len(problems)} 个），请先运行 scripts/check.sh")
    return j, Engine(j)


def audit(data: Path, jid: str, files: list[Path], out: Path, shard: tuple[int, int] = (1, 1)) -> int:
    try:
        j, engine = _load(data, jid)
        mapping = header_map(j, engine)
    except Unreadable as exc:
        err(str(exc))
        return 2
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    from .store import SlipStore

    k, n = shard
    summary = Summary(jid, f"{k}/{n}" if n > 1 else None)
    store = SlipStore(out / WORK_DB)
    rejected = _Rejected(out / "rejected.csv")
    enabled = gc.isenabled()
    gc.disable()  # records hold no cycles (as in calc --jsonl)
    try:
        files_shown = []
        for fi, path in enumerate(files):
            shown = str(path)
            files_shown.append(shown)
            _read_file(j, engine, path, shown, fi, mapping, store, rejected, summary, shard)
        summary.files = files_shown
        for fi, record in store.duplicates():
            rejected.row(files_shown[fi], record[13], [("结算单号", f"结算单号“{record[0]}”重复：前面已有同号的结算单，这一行没有核对")])
        with open(out / "findings.csv", "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(FINDINGS_HEADER)
            categories = {c: v["name"] for c, v in j.categories.items()}
            # how reports name where a slip was settled: the hospital, or its level when the slip has none
            places = ({h: v["name"] for h, v in j.hospitals.items()}, {lv: v["name"] for lv, v in j.levels.items()})
            for person, category, records in store.people():
                _audit_person(engine, person, category, categories[category], records, writer, rejected, summary,
                              files_shown, places)
    except Unreadable as exc:
        err(str(exc))
        rejected.close()
        store.close()
        for name in ("findings.csv", "rejected.csv"):
            (out / name).unlink(missing_ok=True)
        return 2
    finally:
        if enabled:
            gc.enable()
    store.close()
    rejected.close()
    summary.slips_rejected = rejected.rows
    return _finish(j.name, summary, out)


def _read_file(j, engine, path, shown, fi, mapping, store, rejected, summary, shard):
    k, n = shard
    it = rows(path)
    layout = None
    add = store.add
    for line, cells in it:
        if layout is None:
            layout = Layout(j, engine, cells, shown, mapping)
            continue
        if not (cells and cells[0].strip()) and not "".join(cells).strip():
            continue  # a blank row
        if n > 1:
            person = layout.person(cells)
            if shard_of(person, n) != k and (person or k != 1):
                continue  # another shard's person (rows with no person at all: shard 1 lists them)
        summary.rows += 1
        result = layout.parse(line, cells)
        if result.__class__ is list:
            rejected.row(shown, line, result)
        else:
            add(result, fi)
    if layout is None:
        raise Unreadable(f"{shown}：文件是空的，没有标题行")


def _audit_person(engine, person, category, category_name, records, writer, rejected, summary, files_shown, places):
    # Date order, as calc; slips of the same day in 结算单号 order (a hospital numbers them as
    # it settles), so the answer does not depend on how the export or its files are ordered.
    if len(records) > 1:
        records.sort(key=_slip_order)
    hospitals, levels = places
    slips = []
    for i, (_, record) in enumerate(records):
        claim, recorded, self_pay = to_claim(record, i)
        place = hospitals[claim.hospital] if claim.hospital else levels[claim.level]
        slips.append(Slip(record[0], person, claim, recorded, self_pay, place))
    try:
        results = compare_person(engine, category, slips)
    except PolicyError:
        # Some slip has no policy in force on its date: refuse those, audit the rest
        good = []
        for (fi, record), s in zip(records, slips):
            try:
                engine.payments(category, [s.claim])  # as compare_person computes it
                good.append(s)
            except PolicyError as exc:
                rejected.row(files_shown[fi], record[13], [("结算日期", str(exc).split(": ", 1)[-1])])
        if not good:
            return
        for i, s in enumerate(good):
            s.claim.index = i
        slips = good
        results = compare_person(engine, category, slips)
    summary.person(slips, category_name, results)
    if any(results):
        for slip, diffs in zip(slips, results):
            for d in diffs:
                writer.writerow((slip.ref, person, d.name, _yuan(d.expected), _yuan(d.recorded),
                                 _yuan(d.difference), d.basis()))


def _slip_order(file_record):
    record = file_record[1]
    return record[1], record[0]  # date, 结算单号


def _yuan(fen: int) -> str:
    from policy.money import fmt
    return fmt(fen)


def _finish(name: str, summary: Summary, out: Path) -> int:
    from .report import write_report

    data = summary.as_json()
    (out / "summary.json").write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    write_report(data, name, out / "report.html")
    err(f"{name}：读入 {summary.rows:,} 行，核对 {summary.slips_read:,} 张结算单，其中 {summary.slips_with_findings:,} 张"
        f"与政策不符（少报 {data['underpaid_total']} 元，多收 {data['overcharged_total']} 元）；"
        + (f"{summary.slips_rejected:,} 行无法读取，见 rejected.csv" if summary.slips_rejected else "每一行都已读取")
        + f"。结果在 {out}/")
    return 1 if summary.slips_rejected else 0


# ------------------------------------------------------------------ merge

def merge(data: Path, dirs: list[Path], out: Path) -> int:
    """Combine the outputs of `audit --shard K/N` runs into one."""
    summaries = []
    for d in dirs:
        try:
            summaries.append((d, orjson.loads((Path(d) / "summary.json").read_bytes())))
        except (OSError, ValueError) as exc:
            err(f"{d}：无法读取 summary.json（{type(exc).__name__}），它是 audit --out 的输出文件夹吗？")
            return 2
    jids = {s["jurisdiction"] for _, s in summaries}
    if len(jids) != 1:
        err(f"要合并的结果来自不同地区：{'、'.join(sorted(jids))}")
        return 2
    shards = [s.get("shard") for _, s in summaries]
    ns = {int(s.split("/")[1]) for s in shards if s}
    ks = sorted(int(s.split("/")[0]) for s in shards if s)
    if None in shards or len(ns) != 1 or ks != list(range(1, ns.pop() + 1)):
        err(f"要合并的应是同一次分片的全部结果（1/N … N/N 各一个），这里是：{'、'.join(str(s) for s in shards)}")
        return 2
    jid = jids.pop()
    try:
        from policy.loader import load_jurisdiction
        j, _ = load_jurisdiction(Path(data) / jid, run_examples=False)
        name = j.name or jid
    except Exception:  # noqa: BLE001 — the name is only a title
        name = jid
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    total = Summary(jid)
    for _, s in summaries:
        total.add_json(s)
    for fname, header in (("findings.csv", FINDINGS_HEADER), ("rejected.csv", REJECTED_HEADER)):
        with open(out / fname, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for d, _ in summaries:
                with open(Path(d) / fname, encoding="utf-8-sig", newline="") as part:
                    reader = csv.reader(part)
                    next(reader, None)
                    writer.writerows(reader)
    return _finish(name, total, out)
