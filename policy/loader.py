"""Load policy data folders into `Jurisdiction` objects, collecting every problem on the way.

`load_all(data_dir)` never stops at the first mistake: it reads every file it can, checks
every cross-reference, runs every worked example, and returns all problems together.
"""
from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import os
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

from . import formats, inventory
from .limits import MAX_MESSAGES
from .model import Calendar, Jurisdiction
from .problems import Problem, ProblemList
from .rawscan import scan as scan_keyboard_mistakes
from .safefiles import Unreadable, inside, kind_of, list_folder, read_bytes
from .schema import INVALID, Ctx
from .yamlsource import line_of, load_yaml

REF_LABELS = {
    "source": "出处文件（jurisdiction.yaml 的 sources）",
    "category": "人员类别（categories.yaml）",
    "category_or_group": "人员类别或类别组（categories.yaml）",
    "level": "医院级别（levels.yaml）",
    "chronic_class": "慢性病类别（diseases.yaml 的 chronic_classes）",
    "disease_group": "疾病组（diseases.yaml 的 groups）",
    "disease": "疾病（diseases.yaml 的 diseases）",
    "hospital": "医院（hospitals.yaml）",
    "township": "乡镇（townships/ 文件夹）",
}


def display_path(path: Path) -> str:
    return _display_path(path, os.getcwd())


@functools.lru_cache(maxsize=4096)
def _display_path(path: Path, cwd: str) -> str:
    # asked for every value a file is read for (about a hundred times a load): worked out once
    rel = os.path.relpath(path, cwd)
    return path.as_posix() if rel.startswith("..") else Path(rel).as_posix()


def jurisdiction_dirs(data_dir: Path) -> tuple[list[Path], list[Problem]]:
    """The jurisdiction folders under `data_dir`, or the problem that there are none.

    A folder that links out of `data_dir` is refused here (every file read later must lie
    inside the data folder, see policy/safefiles.py)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return [], [Problem(display_path(data_dir), None, "", "找不到政策数据文件夹")]
    root = data_dir.resolve()
    try:
        names = list_folder(data_dir, root)
    except Unreadable as exc:
        return [], [Problem(display_path(data_dir), None, "", f"无法打开政策数据文件夹：{exc}")]
    dirs, problems = [], []
    for name in names:
        path = data_dir / name
        if name.startswith((".", "_")) or kind_of(path) != "dir":
            continue
        try:
            inside(path, root)
        except Unreadable as exc:
            problems.append(Problem(display_path(path), None, "", str(exc)))
            continue
        dirs.append(path)
    if not dirs and not problems:
        return [], [Problem(display_path(data_dir), None, "", "文件夹里没有任何地区的数据")]
    return dirs, problems


def load_all(data_dir: Path, run_examples: bool = True) -> tuple[dict[str, Jurisdiction], list[Problem]]:
    """Load every jurisdiction under `data_dir`. Returns (jurisdictions by id, problems)."""
    dirs, found = jurisdiction_dirs(data_dir)
    problems = ProblemList(MAX_MESSAGES)
    problems.extend(found)
    out = {}
    for folder in dirs:
        j, found = load_jurisdiction(folder, run_examples=run_examples)
        problems.extend(found)
        out[j.id] = j
    return out, problems


@dataclass
class CheckResult:
    """What `check` reports for one jurisdiction (small enough to send between processes)."""

    id: str
    name: str
    examples: int
    examples_skipped: bool
    problems: list[Problem]
    hidden: int = 0  # problems counted but not kept (see ProblemList)
    warnings: list[Problem] | None = None  # check passes with these


def check_all(data_dir: Path, workers: int | None = None) -> tuple[list[CheckResult], list[Problem]]:
    """Load and validate every jurisdiction, running their worked examples.

    Jurisdictions are independent, so a prefecture's folders are checked in parallel processes
    (one per core); each returns only its problems. Returns (results, problems of the folder).
    """
    dirs, problems = jurisdiction_dirs(data_dir)
    if not dirs:
        return [], problems
    workers = min(len(dirs), workers or os.cpu_count() or 1)
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        results = _check_in_processes(dirs, workers)
    else:
        results = [_check_one(folder) for folder in dirs]
    _across(Path(data_dir).resolve(), dirs, results, problems)
    return results, problems


def _across(root: Path, dirs: list[Path], results: list[CheckResult], problems: list[Problem]) -> None:
    """Checks between jurisdictions (policy/crosscheck.py): the same name twice is a problem,
    another jurisdiction's name in this one's files a warning."""
    from .crosscheck import duplicate_names, other_names
    named = [(folder, r) for folder, r in zip(dirs, results) if r.name and r.name != r.id]
    problems.extend(duplicate_names([(display_path(folder), r.id, r.name) for folder, r in named]))
    if len(named) < 2:
        return
    for folder, r in named:
        others = [(o.id, o.name) for f, o in named if f != folder and o.name != r.name]
        r.warnings = (r.warnings or []) + other_names(folder, root, display_path, others)


def _check_one(folder: Path) -> CheckResult:
    j, problems = load_jurisdiction(folder)
    return CheckResult(j.id, j.name or j.id, len(j.examples), j.examples_skipped, list(problems),
                       getattr(problems, "hidden", 0), list(j.warnings))


def _check_in_processes(dirs: list[Path], workers: int) -> list[CheckResult]:
    """_check_one for each folder, `workers` processes at a time, one process per folder.

    multiprocessing.Pool.map never returns when a worker dies (killed for memory, say): here
    each folder has its own process and pipe, and a process that ends without an answer is
    reported as a problem naming its jurisdiction."""
    context = multiprocessing.get_context("fork")
    waiting, running, results = list(dirs), {}, {}
    while waiting or running:
        while waiting and len(running) < workers:
            folder = waiting.pop(0)
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_check_child, args=(folder, writer), daemon=True)
            process.start()
            writer.close()  # the child holds the only writer: its death closes the pipe
            running[reader] = (folder, process)
        for reader in wait(list(running)):
            folder, process = running.pop(reader)
            try:
                results[folder] = reader.recv()
            except (EOFError, OSError):
                results[folder] = _died(folder)
            reader.close()
            process.join()
    return [results[folder] for folder in dirs]


def _check_child(folder: Path, writer) -> None:
    try:
        result = _check_one(folder)
    except BaseException as exc:  # noqa: BLE001 — report, never hang the parent
        result = CheckResult(folder.name, folder.name, 0, False, [Problem(
            display_path(folder), None, "", f"检查这个地区时出现内部错误（{type(exc).__name__}），请把这条消息告诉维护人员")])
    writer.send(result)
    writer.close()


def _died(folder: Path) -> CheckResult:
    return CheckResult(folder.name, folder.name, 0, False, [Problem(
        display_path(folder), None, "",
        f"检查地区“{folder.name}”的进程意外终止（可能是内存不足，例如文件里有层层引用的锚点），"
        "这个地区的数据没有检查完")])


def load_jurisdiction(folder: Path, run_examples: bool = True,
                      root: Path | None = None) -> tuple[Jurisdiction, list[Problem]]:
    """Load one jurisdiction folder. Only files inside `root` (default: the folder's parent,
    the --data folder) are read."""
    folder = Path(folder)
    root = Path(root or folder.parent).resolve()
    problems = ProblemList(MAX_MESSAGES)
    j = Jurisdiction(id=folder.name, folder=folder)
    try:
        list_folder(folder, root)
    except Unreadable as exc:  # one problem, not one per file it holds
        problems.append(Problem(display_path(folder), None, "", f"无法打开这个地区的文件夹：{exc}"))
        return j, problems
    refs = []
    parsed, raw = {}, {}
    inventory.top_level(folder, root, display_path, problems, j.warnings)
    for name, spec in formats.FILES.items():
        parsed[name] = _read(folder / name, spec, problems, refs, raw, root)
    for name, spec in formats.OPTIONAL_FILES.items():
        if kind_of(folder / name) != "missing" or os.path.islink(folder / name):
            parsed[name] = _read(folder / name, spec, problems, refs, raw, root)
    townships = []
    tdir = folder / "townships"
    township_names = _yaml_files(tdir, root, problems, "缺少 townships 文件夹（每个乡镇一个文件）", j.warnings)
    township_raw = {}
    if township_names is not None:
        for path in township_names:
            t = _read(path, formats.TOWNSHIP, problems, refs, township_raw, root)
            if t is not None:
                if t["id"] != path.stem:
                    problems.append(Problem(display_path(path), t["_line"], "id",
                                            f"乡镇编号“{t['id']}”应与文件名“{path.stem}”相同"))
                townships.append((path, t))
        if not townships and not any(p.file.startswith(display_path(tdir)) for p in problems):
            problems.append(Problem(display_path(tdir), None, "", "townships 文件夹里没有乡镇文件"))
    examples = []
    # An examples/ folder that cannot be read is a problem: check must never pass having run
    # fewer worked examples than the folder holds.
    for path in _yaml_files(folder / "examples", root, problems, None, j.warnings) or ():
        e = _read(path, formats.EXAMPLES, problems, refs, None, root)
        if e is not None:
            for ex in e["examples"]:
                ex["_file"] = display_path(path)
                examples.append(ex)

    _assemble(j, parsed, townships, examples, problems)
    defined = _defined_ids(raw, township_names)
    _check_refs(refs, defined, problems)
    _check_complaint_pages(j, defined, display_path(folder / "complaints.yaml"), problems)
    _check_drugs_and_process(j, parsed, township_names, folder, problems)
    _check_calendar(j, parsed.get("calendar.yaml"), raw.get("calendar.yaml"), folder, problems)
    _check_health_centers(j, townships, township_raw, problems)
    _check_has_examples(j, folder, problems)
    from .gaps import check_gaps  # works on whatever parameters were read
    problems.extend(check_gaps(j, {name: display_path(folder / name) for name in formats.FILES}))
    if not problems:
        from .coverage import check_layer_coverage
        problems.extend(check_layer_coverage(j, display_path(folder / "layers.yaml")))
    if run_examples and j.examples:
        # Examples only mean something once the data they run on is sound.
        j.examples_skipped = bool(problems)
        if not problems:
            from .examples import check_examples
            problems.extend(check_examples(j))
    return j, problems


def _yaml_files(folder: Path, root: Path, problems, missing: str | None, warnings) -> list[Path] | None:
    """The *.yaml / *.yml files of a folder, sorted; None (after one problem) when it cannot be
    listed. `missing` is the message for a folder that is not there (None: an optional folder).
    Every other entry is named (policy/inventory.py)."""
    try:
        names = list_folder(folder, root)
    except Unreadable as exc:
        if missing is None and kind_of(folder) == "missing" and not os.path.islink(folder):
            return []
        problems.append(Problem(display_path(folder), None, "", missing if str(exc) == "缺少这个文件" and missing
                                else f"无法读取这个文件夹：{exc}"))
        return None
    return inventory.data_files(folder, root, display_path, problems, warnings)


def _read(path: Path, spec, problems, refs, raw_out: dict | None, root: Path):
    """Read and validate one file. `raw_out[name]` receives the parsed YAML (None if unreadable)."""
    shown = display_path(path)
    data = None
    try:
        content = read_bytes(path, root)
    except Unreadable as exc:
        problems.append(Problem(shown, None, "", str(exc)))
        content = None
    if content is not None:
        try:
            text = content.decode("utf-8-sig")  # a BOM (Windows Notepad writes one) is fine
        except UnicodeDecodeError as exc:
            line = content.count(b"\n", 0, exc.start) + 1
            problems.append(Problem(shown, line, "", f"文件不是 UTF-8 编码（第 {exc.start + 1} 个字节有误），"
                                                     "请用 UTF-8 保存（记事本：另存为，编码选 UTF-8）"))
            text = None
        mistakes = scan_keyboard_mistakes(text, shown) if text is not None else []
        if mistakes:
            # Parsing would report these as something else, often on another line: say exactly
            # what to change first; the rest of the file is checked once they are fixed.
            problems.extend(mistakes)
        elif text is not None:
            before = getattr(problems, "total", len(problems))
            data = load_yaml(text, shown, problems)
            if data is None and getattr(problems, "total", len(problems)) == before:
                problems.append(Problem(shown, None, "", "文件是空的"))
    if raw_out is not None:
        raw_out[path.name] = data
    if data is None:
        return None
    ctx = Ctx(shown, problems)
    out = spec(ctx, data, "", getattr(data, "line", 1))
    refs.extend(ctx.refs)
    return None if out is INVALID else out


def _assemble(j: Jurisdiction, parsed, townships, examples, problems):
    jur = parsed.get("jurisdiction.yaml")
    shown = lambda name: display_path(j.folder / name)  # noqa: E731
    if jur:
        if jur["id"] != j.id:
            problems.append(Problem(shown("jurisdiction.yaml"), jur["_line"], "id",
                                    f"地区编号“{jur['id']}”应与文件夹名“{j.id}”相同"))
        j.name, j.full_name, j.region = jur["name"], jur["full_name"], jur["region"]
        j.site_url, j.baseline_category, j.notes = jur["site_url"], jur["baseline_category"], jur["notes"]
        j.sources = {s["id"]: s for s in jur["sources"]}
        j.forms_url, j.reviewed = jur["forms_url"] or "", jur["reviewed"]
        j.notice_horizon_days = jur["notice_horizon_days"]
        j.monitoring_threshold = jur["monitoring"]["self_pay_threshold"]
    cats = parsed.get("categories.yaml")
    if cats:
        j.categories = {c["id"]: c for c in cats["categories"]}
        for g in cats["groups"]:
            if g["id"] in j.categories:
                problems.append(Problem(shown("categories.yaml"), g["_line"], f"{g['_path']}.id",
                                        f"类别组编号“{g['id']}”与一个人员类别重名"))
                continue
            j.groups[g["id"]] = g
        j.groups_of = {c: tuple(g for g, body in j.groups.items() if c in body["members"])
                       for c in j.categories}
    if parsed.get("levels.yaml"):
        j.levels = {lv["id"]: lv for lv in parsed["levels.yaml"]["levels"]}
    dis = parsed.get("diseases.yaml")
    if dis:
        j.chronic_classes = {c["id"]: c for c in dis["chronic_classes"]}
        j.disease_groups = {g["id"]: g for g in dis["groups"]}
        j.diseases = {d["id"]: d for d in dis["diseases"]}
    if parsed.get("hospitals.yaml"):
        j.hospitals = {h["id"]: h for h in parsed["hospitals.yaml"]["hospitals"]}
    for path, t in townships:
        j.townships[t["id"]] = t
        names = {}
        for v in t["villages"]:
            if v["id"] in j.villages:
                other_t, other_v = j.villages[v["id"]]
                problems.append(Problem(display_path(path), v["_line"], f"{v['_path']}.id",
                                        f"村编号“{v['id']}”重复：{other_t['name']}已经有这个编号的村（{other_v['name']}）"))
                continue
            if v["name"] in names:
                problems.append(Problem(display_path(path), v["_line"], f"{v['_path']}.name",
                                        f"“{v['name']}”在{t['name']}重复列出（第一次在第 {names[v['name']]} 行）"))
                continue
            names[v["name"]] = v["_line"]
            j.villages[v["id"]] = (t, v)
    if parsed.get("layers.yaml"):
        j.layers = parsed["layers.yaml"]["layers"]
        j.discretionary = parsed["layers.yaml"]["discretionary"]
    if parsed.get("programs.yaml"):
        j.programs = parsed["programs.yaml"]["programs"]
    if parsed.get("contacts.yaml"):
        j.contacts = parsed["contacts.yaml"]["contacts"]
    if parsed.get("commitments.yaml"):
        j.commitments = parsed["commitments.yaml"]["commitments"]
    if parsed.get("complaints.yaml"):
        j.complaint_categories = parsed["complaints.yaml"]["categories"]
    if parsed.get("drugs.yaml"):
        j.drugs = parsed["drugs.yaml"]
    if parsed.get("process.yaml"):
        j.process = parsed["process.yaml"]["steps"]
    if parsed.get("settlement.yaml"):
        j.settlement_columns = parsed["settlement.yaml"]["columns"]
    j.examples = examples


def _check_health_centers(j: Jurisdiction, townships, raw: dict, problems):
    """A township's health_center must be a township-level hospital (level `township`), and
    not one that hospitals.yaml places in another township."""
    if "township" not in j.levels:
        return
    for path, t in townships:
        hid = t["health_center"]
        hospital = j.hospitals.get(hid)
        if hospital is None:
            continue  # not defined: reported with the other references
        line = line_of(raw.get(path.name), "health_center") or t["_line"]
        if hospital["level"] != "township":
            level = j.levels.get(hospital["level"], {}).get("name", hospital["level"])
            problems.append(Problem(display_path(path), line, "health_center",
                                    f"“{hospital['name']}”（{hid}）的级别是“{level}”，不是乡镇卫生院：health_center 要写"
                                    f"本乡镇卫生院的编号（hospitals.yaml 里 level: township 的医院）；卫生院还没有列出的，"
                                    "先在 hospitals.yaml 里加上它"))
        elif hospital.get("township") not in (None, t["id"]):
            problems.append(Problem(display_path(path), line, "health_center",
                                    f"“{hospital['name']}”（{hid}）在 hospitals.yaml 里属于乡镇“{hospital['township']}”，"
                                    f"不是{t['name']}（{t['id']}）"))


def _check_has_examples(j: Jurisdiction, folder: Path, problems):
    """A jurisdiction without worked examples would pass with nothing computed."""
    shown = display_path(folder / "examples")
    if not j.examples and not any(p.file.startswith(shown) for p in problems):
        problems.append(Problem(shown, None, "", "这个地区没有任何算例：请在 examples/ 里至少写一条住院算例（见说明第六节），"
                                                 "检查才能核对报销计算"))


def _check_complaint_pages(j: Jurisdiction, defined: dict, shown: str, problems):
    """A category's page must be one the site builds: a fixed page, a program or a layer.

    Program and layer ids come from the raw YAML (as for other references), so a mistake inside a
    program does not also make every category that links to it look wrong."""
    ids = {"programs": defined["program"], "lines": defined["layer"]}
    for c in j.complaint_categories:
        page = c["page"]
        kind, _, rest = page.partition("/")
        if page == "drugs/" and j.drugs is None and not (j.folder / "drugs.yaml").exists():
            problems.append(Problem(shown, c["_line"], f"{c['_path']}.page",
                                    "页面“drugs/”只在有药品价格（drugs.yaml）时才有：请先写 drugs.yaml，或改指 villages/"))
            continue
        if page in formats.COMPLAINT_PAGES or kind in ids and ids[kind] is None:
            continue
        if kind in ids and rest.endswith("/") and rest[:-1] in ids[kind]:
            continue
        if kind in ("programs", "lines") and rest.endswith("/") and "/" not in rest[:-1]:
            what = "programs.yaml 里没有这个项目" if kind == "programs" else "layers.yaml 里没有这一道保障线"
            message = f"页面“{page}”不存在：{what}"
        else:
            message = (f"页面“{page}”不是网站上的页面；可以写 programs/<项目编号>/、lines/<保障线编号>/，"
                       f"或 {'、'.join(p or '“”（首页）' for p in formats.COMPLAINT_PAGES)}")
        problems.append(Problem(shown, c["_line"], f"{c['_path']}.page", message))


def _check_drugs_and_process(j: Jurisdiction, parsed: dict, township_files, folder: Path, problems):
    """drugs.yaml names villages and its own drugs; process.yaml names complaint categories."""
    from .drugs import check_drugs
    if j.drugs is not None:
        # Villages are only known when every township file was read: else a village of an
        # unreadable file would look undefined.
        complete = township_files is not None and len(j.townships) == len(township_files)
        problems.extend(check_drugs(j.drugs, j.villages if complete else None, display_path(folder / "drugs.yaml")))
    complaints = {c["id"] for c in j.complaint_categories} if parsed.get("complaints.yaml") else None
    for step in j.process:
        if step["complaint"] and complaints is not None and step["complaint"] not in complaints:
            problems.append(Problem(display_path(folder / "process.yaml"), step["_line"], f"{step['_path']}.complaint",
                                    f"“{step['complaint']}”没有定义：它应是 complaints.yaml 里一个投诉类别的编号"))


def _defined_ids(raw: dict, township_files: list[Path] | None) -> dict[str, set | None]:
    """Ids each file defines, read from the raw YAML so that a mistake elsewhere in an entry
    does not turn every use of its id into a second, misleading "not defined" message.
    None means the defining file could not be read at all: uses of it are not checked."""
    def ids(name, key):
        data = raw.get(name)
        if not isinstance(data, dict):
            return None  # unreadable or not even a mapping: already reported, nothing to compare with
        items = data.get(key, [])
        if not isinstance(items, list):
            return None
        return {item.get("id") for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)}
    categories, groups = ids("categories.yaml", "categories"), ids("categories.yaml", "groups")
    return {
        "source": ids("jurisdiction.yaml", "sources"),
        "category": categories,
        "category_or_group": None if categories is None else categories | (groups or set()),
        "level": ids("levels.yaml", "levels"),
        "chronic_class": ids("diseases.yaml", "chronic_classes"),
        "disease_group": ids("diseases.yaml", "groups"),
        "disease": ids("diseases.yaml", "diseases"),
        "hospital": ids("hospitals.yaml", "hospitals"),
        # None when the folder could not be listed: uses of townships are then not checked.
        "township": None if township_files is None else {p.stem for p in township_files},
        "program": ids("programs.yaml", "programs"),
        "layer": ids("layers.yaml", "layers"),
    }


def _check_refs(refs, defined: dict, problems):
    for ref in refs:
        table = defined[ref.kind]
        if table is not None and ref.id not in table:
            problems.append(Problem(ref.file, ref.line, ref.path,
                                    f"“{ref.id}”没有定义：它应是{REF_LABELS[ref.kind]}中的编号"))


HORIZON_DAYS = 90  # a complaint's reply is due within 60 days of filing, an extension adds more


def _calendar_horizon(j: Jurisdiction, cal, raw, shown: str) -> None:
    """A reminder when deadlines set today may fall after the calendar's last year: they are then
    estimates (forms_app/deadlines.py marks them 估算 on staff pages, the resident's page and SMS)
    until the officer adds the year from the State Council's notice, published each November."""
    from .china_time import china_today

    last = max(cal["years"], default=None)
    if last is not None and (china_today() + dt.timedelta(days=HORIZON_DAYS)).year > last:
        j.warnings.append(Problem(shown, line_of(raw, "years"), "years",
                                  f"只写到 {last} 年：{last + 1} 年的放假安排还没有写，到期日在 {last + 1} 年的办理期限只能估算"
                                  f"（工作人员页面、群众查询页和短信上都标“估算”）。国务院办公厅发布《关于{last + 1}年部分节假日安排的通知》后，"
                                  f"请在 years 下照前几年的样子加上 {last + 1} 年"))


def _check_calendar(j: Jurisdiction, cal, raw, folder, problems):
    if cal is None:
        return
    shown = display_path(folder / "calendar.yaml")
    before = len(problems)
    weekend = frozenset(formats.WEEKDAYS.index(d) + 1 for d in cal["weekend"])
    holidays, workdays = {}, set()
    for year, body in cal["years"].items():
        prev = None
        for h in body["holidays"]:
            where = (shown, h["_line"], h["_path"])
            if h["from"].year != year or h["until"].year != year:
                problems.append(Problem(*where, f"“{h['name']}”的日期不在 {year} 年内"))
            if prev is not None and h["from"] <= prev["until"]:
                problems.append(Problem(*where, f"“{h['name']}”与“{prev['name']}”日期重叠或没有按先后排列"))
            prev = h
            day = h["from"]
            while day <= h["until"] and h["from"].year == year == h["until"].year:
                holidays[day] = h["name"]
                day += dt.timedelta(days=1)
        raw_days = raw["years"][year]["workdays"] if "workdays" in raw["years"][year] else []
        for i, day in enumerate(body["workdays"]):
            path, line = f"years.{year}.workdays[{i}]", line_of(raw_days, i)
            if day.year != year:
                problems.append(Problem(shown, line, path, f"调休上班日 {day} 不在 {year} 年内"))
            if day.isoweekday() not in weekend:
                problems.append(Problem(shown, line, path, f"调休上班日 {day} 本来就是工作日（不是周末）"))
            if day in holidays:
                problems.append(Problem(shown, line, path, f"调休上班日 {day} 同时被列为假日“{holidays[day]}”"))
            workdays.add(day)
    j.calendar = Calendar(weekend, cal["years"], holidays, frozenset(workdays))
    _calendar_horizon(j, cal, raw, shown)
    if len(problems) == before:  # compare with the national calendar only a calendar sound in itself
        from .national_calendar import disagreements
        problems.extend(disagreements(j.calendar, cal, shown, {y: line_of(raw["years"], y) for y in cal["years"]}))
