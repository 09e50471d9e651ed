"""`build`: every jurisdiction's static output — site, open data, calculator pages, print.

    build(): select → fingerprint → per changed jurisdiction, in its own process:
             load + check → print → pages → open data → calculator → mkdocs (strict) → swap in
           → portal page

Each jurisdiction is built in a temporary folder beside its output and swapped in only when every
stage succeeded, so a failed build leaves the previous `dist/<jid>` exactly as it was. MkDocs
lays out only the pages whose source changed, starting from the last site (site_reuse.py); what
the next build reuses is kept in `dist/.fingerprints/` once the new site is in place.
"""
from __future__ import annotations

import datetime as dt
import importlib
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml

from policy.china_time import china_today

from . import discard, fingerprint, progress, settings, site_reuse
from .version import data_version, last_changed

PORTAL_TEMPLATE = "portal.html.j2"


@dataclass
class Job:
    folder: Path
    out: Path
    stats_file: Path | None
    site_url: str
    forms_url: str
    calculator: bool
    printing: bool
    fingerprint: str
    rebuild: bool
    as_of: dt.date | None = None  # the date whose policy in force is shown (None: today in Beijing)
    preview: bool = False  # every page and sheet marked 样张 (addresses need not be public)
    why: str = ""  # why the site is rebuilt, in words (fingerprint.why)
    print_apart: bool = False  # print in a process of its own beside the site (a core to spare)
    staged: Path | None = None  # what the next build may reuse (site_reuse.keep), once this one is in place


@dataclass
class Outcome:
    jid: str
    name: str
    built: bool
    error: str | None
    seconds: float
    printed: int = 0  # sheets rendered this time (also when the site itself was unchanged)
    report: list[str] = field(default_factory=list)  # one line per output kind: what was redone, why


def build(data_dir: Path, out: Path, only: list[str] | None = None, stats_dir: Path | None = None,
          workers: int | None = None, log=print, print_step: bool = True,
          as_of: dt.date | None = None, preview: bool = False, bars: bool = False) -> int:
    """Build what changed; 0 when every jurisdiction is in place, 1 (with the cause) otherwise.

    `print_step=False` builds the sites without the PDFs (`build --no-print`; the site benchmark
    uses it so the site's own time is measured apart from 1,600 notices). `bars=True` draws a
    progress bar per jurisdiction on stderr while they build (builder/progress.py; on a terminal)."""
    from policy.loader import jurisdiction_dirs

    # Absolute from here on: MkDocs resolves a relative docs_dir against its config file's folder,
    # which is inside `out` (`--out dist` from the shell once failed with a doubled path).
    out, data_dir = out.resolve(), data_dir.resolve()
    folders, problems = jurisdiction_dirs(data_dir)
    if problems:
        for problem in problems:
            log(str(problem), file=sys.stderr)
        return 1
    by_id = {f.name: f for f in folders}
    unknown = [jid for jid in only or () if jid not in by_id]
    if unknown:
        log(f"没有这些地区的数据：{'、'.join(unknown)}（可选：{'、'.join(by_id)}）", file=sys.stderr)
        return 1
    jids = sorted(only) if only else list(by_id)
    global _printer
    # One county, a core to spare: its print process starts now, importing WeasyPrint while the
    # data is read and planned (builder/printer.py).
    _printer = _start_printer() if print_step and len(jids) == 1 and (workers or os.cpu_count() or 1) > 1 else None
    try:
        # A wrong or non-public address would be printed on every notice and page: refused
        # before anything is written (builder/settings.py), unless this is a preview.
        problems = address_problems(jids, by_id, preview)
        if problems:
            for problem in problems:
                log(str(problem), file=sys.stderr)
            return 1
        out.mkdir(parents=True, exist_ok=True)
        for folder in (out, out / fingerprint.STORE):  # what earlier builds discarded and did not remove
            discard.sweep(folder)
        jobs = plan(jids, by_id, out, stats_dir, print_step, as_of=as_of, preview=preview)
        outcomes = run(jobs, workers, bars)
    finally:
        if _printer is not None:
            _printer.close()
        _printer = None
    write_portal(out, by_id)
    failed = [o for o in outcomes if o.error]
    for o in outcomes:
        if o.error:
            log(f"✗ {o.name}（{o.jid}）生成失败：{o.error}", file=sys.stderr)
        elif o.built:
            log(f"✓ {o.name}（{o.jid}）已生成：{out / o.jid}（{o.seconds:.1f} 秒）")
        elif o.printed:  # the site was unchanged, but sheets were not: never "no change"
            log(f"✓ {o.name}（{o.jid}）网站没有变化；打印文件重新生成了 {o.printed} 个：{out / o.jid / 'print'}")
        else:
            log(f"· {o.name}（{o.jid}）没有变化，未重新生成")
        for line in o.report if not o.error else ():
            log(f"    {line}")
    if failed:
        log(f"\n{len(failed)} 个地区生成失败；它们原来的网站没有改动。", file=sys.stderr)
        return 1
    return 0


_printer = None  # the early print process of a one-county build (printer.Printer), or None


def _start_printer():
    """A printer.Printer, when the print can be imported here."""
    if not fingerprint.module_available("builder.printing"):
        return None
    from .printer import Printer

    return Printer()


def _print_elsewhere(job: Job, root: Path, previous: Path | None, j=None):
    """The print of `job`: wait() for its (laid out, restamped) files, done in the early print
    process when there is one, else in a process forked now (`j` loaded: apart), else None."""
    if _printer is not None and _printer.send(job, root, previous, j):
        return _waited(_printer.child)
    if j is None:
        return None
    return apart(lambda: _print(job, j, root, previous=previous)[1])


def address_problems(jids: list[str], by_id: dict[str, Path], preview: bool) -> list[str]:
    """Malformed addresses always; addresses residents cannot open unless `preview`."""
    out = []
    for jid in jids:
        declared = _declared(by_id[jid])
        out += settings.problems(declared)
        if not preview:
            out += settings.public_problems(jid, _name(by_id[jid]), declared)
    return out


def _declared(folder: Path) -> dict:
    """`site_url` / `forms_url` as jurisdiction.yaml writes them (before the full load)."""
    try:
        raw = yaml.safe_load((folder / "jurisdiction.yaml").read_text(encoding="utf-8"))
    except Exception:  # the load reports the file's problems; here only the addresses
        return {}
    return {k: v for k, v in raw.items() if k in ("site_url", "forms_url") and isinstance(v, str)} \
        if isinstance(raw, dict) else {}


def plan(jids: list[str], by_id: dict[str, Path], out: Path, stats_dir: Path | None,
         print_step: bool = True, *, as_of: dt.date | None = None, preview: bool = False) -> list[Job]:
    """One job per jurisdiction; `rebuild` is False when its fingerprint matches the built site."""
    shared = fingerprint.shared_digest()
    calculator = fingerprint.module_available("builder.calculator_pages")
    printing = print_step and fingerprint.module_available("builder.printing")
    as_of = as_of or china_today()
    jobs = []
    for jid in jids:
        declared = _declared(by_id[jid])
        site_url, forms_url = settings.site_url(declared), settings.forms_url(declared)
        stats_file = stats_dir / jid / "complaint-stats.json" if stats_dir else None
        value = fingerprint.fingerprint(by_id[jid], shared, {
            "site_url": site_url, "forms_url": forms_url, "calculator": calculator,
            "printing": printing, "stats": stats_file is not None,
            "as_of": as_of.isoformat(), "preview": preview}, stats_file, as_of=as_of)
        current = (out / jid / "index.html").is_file() and fingerprint.stored(out, jid) == value
        why = "" if current else fingerprint.why(out, jid, by_id[jid])
        jobs.append(Job(by_id[jid], out, stats_file, site_url, forms_url, calculator, printing, value,
                        rebuild=not current, as_of=as_of, preview=preview, why=why))
    spare = (os.cpu_count() or 1) > sum(job.rebuild or job.printing for job in jobs)
    for job in jobs:
        job.print_apart = spare and job.rebuild and job.printing
    return jobs


def run(jobs: list[Job], workers: int | None, bars: bool = False) -> list[Outcome]:
    """One process per jurisdiction (MkDocs and jieba keep global state), a core each."""
    work = [job for job in jobs if job.rebuild or job.printing]
    skipped = [Outcome(job.folder.name, _name(job.folder), False, None, 0.0) for job in jobs if job not in work]
    if not work:
        return skipped
    global _builds
    _builds += 1
    if sum(job.rebuild for job in work) > 1 or _builds > 1 and any(job.rebuild for job in work):
        # Imported once for all the workers, and for the later builds of a process that builds
        # again (the tests): jieba's dictionary (0.7 s) too, unless every site keeps the cuts it
        # needs (mkdocs_memo.py). One site alone in a process (the command) imports them in its
        # worker instead, while its sheets print beside it, and its dictionary only for new words.
        _warm_up(dictionary=any(job.rebuild and not (site_reuse.cache_dir(job.out, job.folder.name) / site_reuse.CUTS)
                                .is_file() for job in work))
    workers = max(1, min(len(work), workers or os.cpu_count() or 1))
    drawing = progress.Bars({job.folder.name: _name(job.folder) for job in work}) if bars else nullcontext()
    with drawing, multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=1) as pool:
        done = pool.map(build_one, work, chunksize=1)
    return skipped + done


_builds = 0  # run() calls in this process


def _warm_up(dictionary: bool = True) -> None:
    """Import MkDocs and Material and load jieba's dictionary once, before the workers fork."""
    import mkdocs.commands.build  # noqa: F401

    from .mkdocs_memo import import_jieba

    jieba = import_jieba()  # before Material's search plugin imports it
    import material.plugins.search.plugin  # noqa: F401

    jieba.setLogLevel("WARNING")
    if dictionary:
        jieba.initialize()


def build_one(job: Job) -> Outcome:
    jid, start = job.folder.name, time.perf_counter()
    name = _name(job.folder)
    work = job.out / f".building-{jid}-{os.getpid()}"
    replaced = None  # the site cache a new one replaced (site_reuse.store)
    try:
        if not job.rebuild:  # only print, which is incremental on its own
            progress.stage(jid, "打印")
            # With an early print process, the data is read here while it imports the print,
            # not there after it (0.1 s of a build with nothing to make again).
            waiting = _print_elsewhere(job, job.out / jid, None, _load(job.folder) if _printer is not None else None)
            laid_out, restamped, _ = waiting() if waiting else _print(job, _load(job.folder), job.out / jid)[1]
            printed = len(laid_out) + len(restamped)
            return Outcome(jid, name, False, None, time.perf_counter() - start, printed)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        progress.stage(jid, "读取数据")
        j = _load(job.folder)
        report: list[str] = []
        site = build_site(job, j, work, report)
        swap_in(site, job.out / jid, work)
        fingerprint.store(job.out, jid, job.fingerprint, job.folder)
        replaced = site_reuse.store(job.staged, site_reuse.cache_dir(job.out, jid))
        return Outcome(jid, name, True, None, time.perf_counter() - start, report=report)
    except Exception as exc:  # any stage: report it for this jurisdiction, keep the others going
        return Outcome(jid, name, False, _message(exc), time.perf_counter() - start)
    finally:
        _reap()  # a print process still running after a failed stage is stopped before its folder goes
        # The site it replaced, the pages' sources and the cache replaced: removed without `build`
        # waiting for them (discard.py: 70 ms of the officer's 1.3 s loop), in one process.
        discard.discard(work, *((replaced,) if replaced else ()))


class BuildError(RuntimeError):
    """A stage failed for a reason we can name in plain words."""


def _message(exc: Exception) -> str:
    """What the log says of a failed build: plain words for what the data or print can name."""
    from .print_facts import PrintDataError

    if isinstance(exc, BuildError):
        return str(exc)
    if isinstance(exc, PrintDataError):  # data a sheet needs but lacks, or a sheet that does not fit
        return f"无法生成打印文件：{exc}"
    return _unexpected(exc)


def _unexpected(exc: Exception) -> str:
    """An error no stage anticipated: its type, message and where it happened, for the developer."""
    import traceback
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__}: {exc}（{Path(frame.filename).name}:{frame.lineno}）"


def build_site(job: Job, j, work: Path, report: list[str] | None = None) -> Path:
    """Every stage of one jurisdiction into `work`; returns the finished site folder. `report`
    gets one line per output kind: what was made again, and why."""
    from . import mkdocs_site, opendata, pages, search_terms

    report = [] if report is None else report
    as_of = job.as_of or china_today()
    version, changed = data_version(job.folder, as_of), last_changed(job.folder).isoformat()
    docs, site, print_root = work / "docs", work / "site", work / "print-root"
    progress.stage(j.id, "打印")
    if job.print_apart:  # a core to spare: the sheets print in a process of their own meanwhile
        # That process imports WeasyPrint (0.6 s) while this one makes the pages (or has done so
        # already: builder/printer.py): importing it here first, before the fork, left the other
        # core idle for as long.
        printed = _print_elsewhere(job, print_root, job.out / j.id / "print", j)
        notices = set(j.villages) if job.printing else set()  # every village's, or the build fails
    else:
        notices, rendered = _print(job, j, print_root, previous=job.out / j.id / "print")
    ctx = pages.SiteContext(version=version, last_changed=changed, site_url=job.site_url,
                            forms_url=job.forms_url, stats=_stats(job.stats_file),
                            calculator=job.calculator, notices=notices, today=as_of,
                            template_cache=site_reuse.template_cache(job.out))
    progress.stage(j.id, "页面")
    try:
        pages.write_pages(j, docs, ctx)
    except jinja2.TemplateNotFound as exc:
        raise BuildError(f"找不到页面模板 {exc.name}（site/mkdocs/pages/）") from None
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(f"页面模板 {exc.name} 第 {exc.lineno} 行有语法错误：{exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise BuildError(f"页面模板用到了数据里没有的值：{exc.message}") from None
    except ValueError as exc:
        raise BuildError(f"有数据无法显示：{exc}") from None
    progress.stage(j.id, "开放数据")
    opendata.write(j, docs / "data", version, changed)
    write_version(j.id, docs / "data", version, as_of)
    progress.stage(j.id, "计算器")
    if job.calculator:
        importlib.import_module("builder.calculator_pages").write_pages(j, docs, version, as_of=as_of)
    config = mkdocs_site.write_config(j, work, docs, site, version=version, last_changed=changed,
                                      site_url=job.site_url, calculator=job.calculator,
                                      as_of=as_of, preview=job.preview)
    progress.stage(j.id, "MkDocs")
    # Pages that differ from the last build only by the data version are not laid out again.
    cache, shape = site_reuse.cache_dir(job.out, j.id), site_reuse.skeleton(docs, config, work, version)
    reuse = site_reuse.plan(cache, docs, job.out / j.id, _built_version(job.out / j.id), version, shape)
    try:
        _mkdocs(j.id, job.out, config, docs, site, reuse, version)
    except site_reuse.CannotReuse:
        reuse = None
        _mkdocs(j.id, job.out, config, docs, site, None, version)
    job.staged = site_reuse.keep(work, docs, site, shape, version)
    # The site still works; the officer learns which names search will not find.
    report += search_terms.unreached_lines(search_terms.tag_site(site / "search" / "search_index.json", j), j)
    if job.print_apart:
        progress.stage(j.id, "打印")
        rendered = printed()
    if job.printing:
        report.append(print_line(*rendered))
    report.insert(0, _pages_line(reuse, sum(1 for _ in (job.staged / "docs").rglob("*.md")), job.why))
    report.insert(1, f"{'计算器数据、' if job.calculator else ''}开放数据：重新写出（{job.why}）")
    if (print_root / "print").is_dir():
        shutil.move(print_root / "print", site / "print")
    return site


def _mkdocs(jid: str, out: Path, config: Path, docs: Path, site: Path, reuse, version: str) -> None:
    """MkDocs (strict) and trim, on every page or, with `reuse`, on the changed ones only."""
    from . import mkdocs_memo, mkdocs_site, trim

    cache = site_reuse.cache_dir(out, jid)
    if site.exists():  # a reuse given up half-way
        shutil.rmtree(site)
    if reuse is not None:
        site_reuse.prepare(reuse, docs, site)
    work = config.parent
    memo = mkdocs_memo.Memo(templates=site_reuse.template_cache(out), dictionary=work / "jieba-userdict.txt",
                            kept=cache / site_reuse.CUTS, keep=work / site_reuse.CUTS)
    try:
        mkdocs_site.build_site(config, dirty=reuse is not None, memo=memo)
    except mkdocs_site.MkDocsFailed as exc:
        raise BuildError(f"MkDocs 严格模式生成失败：{exc}") from None
    progress.stage(jid, "整理")
    try:
        trim.trim(site)
    except trim.TrimFailed as exc:
        raise BuildError(str(exc)) from None
    if reuse is not None:
        site_reuse.finish(reuse, cache, site, version)


def _pages_line(reuse, pages: int, why: str) -> str:
    """`网站：2 页重新生成（contacts.yaml 改了），其余 108 页只换了数据版本`."""
    if reuse is None:
        return f"网站：{pages} 页重新生成（{why}）"
    return f"网站：{len(reuse.changed)} 页重新生成（{why}），其余 {reuse.same} 页只换了数据版本"


_children: list[int] = []  # print processes started by apart() and not waited for yet


def _reap() -> None:
    """After a failed stage: stop the print processes still running (the build has failed)."""
    import signal

    while _children:
        pid = _children.pop()
        try:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        except (ChildProcessError, ProcessLookupError):
            pass


def apart(work):
    """Run `work()` in a forked process now; returns a function that waits for it and returns
    its result (or raises BuildError with the message of what it raised)."""
    from .beside import Child

    return _waited(Child(work, describe=describe_failure))


def describe_failure(exc: BaseException) -> str:
    """What a print process sends back of what stopped it (apart, printer.Printer)."""
    return _message(exc) if isinstance(exc, Exception) else repr(exc)


def _waited(child) -> Callable[[], object]:
    """wait() for a print process (a beside.Child): its result, or BuildError with its message.
    Until then it is among the processes a failed stage stops (_reap)."""
    _children.append(child.pid)

    def wait():
        try:
            ok, value = child.wait()
        finally:
            if child.pid in _children:
                _children.remove(child.pid)
        if not ok:
            raise BuildError(value or "打印的进程意外退出了")
        return value
    return wait


def print_line(laid_out: list[Path], restamped: list[Path], relaid: int = 0) -> str:
    """One line: the sheets laid out again because what they show changed (these must be printed
    again), and how many only got the new data version and date (they may wait), e.g.
    `打印：重排 明白纸（印的内容变了）；另有 123 个文件只换了数据版本和日期`. `relaid`: how many of
    those were laid out again all the same (a stamp with new characters, a layer not kept): the
    line then does not say they were not."""
    names = [p.name for p in laid_out]
    parts = [f"{n} 张{what}" for n, what in ((sum(x.startswith("notice-") for x in names), "公示栏"),) if n]
    parts += [what for name, what in (("county-pack.pdf", "全县合订本"), ("leaflet.pdf", "明白纸")) if name in names]
    cards = sum(x.startswith("cards-") for x in names)
    parts += [f"{cards} 张联系卡"] if cards else []
    stamped = f"{len(restamped)} 个文件只换了数据版本和日期"
    if parts and restamped:
        return f"打印：重排 {'、'.join(parts)}（印的内容变了）；另有 {stamped}"
    if parts:
        return f"打印：重排 {'、'.join(parts)}（印的内容变了）"
    if restamped:
        return f"打印：{stamped}（印的内容没变，{'版面重新排过' if relaid else '没有重排'}）"
    return "打印：没有变化（印的内容、数据版本和日期都没变）"



def swap_in(site: Path, target: Path, work: Path) -> None:
    """Replace `target` by `site` with two renames (same file system): never half-written."""
    old = work / "previous"
    if target.exists():
        target.rename(old)
    site.rename(target)


def _load(folder: Path):
    from policy.loader import load_jurisdiction

    j, problems = load_jurisdiction(folder, run_examples=True)
    if problems:
        shown = "\n  ".join(str(p) for p in problems[:20])
        more = f"\n  ……还有 {len(problems) - 20} 个问题" if len(problems) > 20 else ""
        raise BuildError(f"政策数据有 {len(problems)} 个问题（请运行 scripts/check.sh 看全部问题）：\n  {shown}{more}")
    return j


def _print(job: Job, j, root: Path, previous: Path | None = None
           ) -> tuple[set[str], tuple[list[Path], list[Path], int]]:
    """Printed sheets (builder.printing, when installed) under `root/print/`: (ids of villages
    with a notice, (the files laid out again, the files that only got a new stamp, how many of
    those were laid out again all the same))."""
    if not job.printing:
        return set(), ([], [], 0)
    if previous is not None and previous.is_dir():
        # A copy, not a move: if this build fails, the site in place keeps its PDFs. Hard links,
        # not copies of 45 MB: every PDF is replaced by write_atomic's rename, never written in
        # place, so the old site's files never change under it.
        shutil.copytree(previous, root / "print", copy_function=_link_or_copy)
    printing = importlib.import_module("builder.printing")
    as_of = job.as_of or china_today()
    report: dict = {}
    _, laid_out, restamped = printing.print_jurisdiction_report(
        j, root, data_version(job.folder, as_of), site_url=job.site_url, forms_url=job.forms_url, as_of=as_of,
        preview=job.preview, cache=print_cache(job.out, j.id), spare_core=job.print_apart,
        templates=site_reuse.template_cache(job.out), report=report)
    villages = {vid for vid, (t, v) in j.villages.items() if (root / "print" / f"notice-{t['id']}-{vid}.pdf").is_file()}
    return villages, (laid_out, restamped, report["relaid"])


def print_cache(out: Path, jid: str) -> Path:
    """Where the print keeps its laid-out layers between builds: under the output's build state
    (dist/.fingerprints), which is never uploaded nor served (docs/operators.md §4)."""
    return out / fingerprint.STORE / f"{jid}-print"


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system (or one without hard links)
        shutil.copy2(src, dst)


def write_version(jid: str, data: Path, version: str, as_of: dt.date) -> Path:
    """`data/version.json`: which data, for which date, built when (shared/design/interfaces.md)."""
    import json

    from policy.china_time import CHINA

    data.mkdir(parents=True, exist_ok=True)
    path = data / "version.json"
    built_at = dt.datetime.now(CHINA).replace(microsecond=0).isoformat()
    path.write_text(json.dumps({"jurisdiction": jid, "data_version": version, "as_of": as_of.isoformat(),
                                "built_at": built_at}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def _stats(path: Path | None) -> dict | None:
    if path is None or not path.is_file():
        return None
    import json
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"读不了投诉统计文件 {path}：{exc}") from None


def _built_version(site: Path) -> str | None:
    """The data version the site in place was built with (its as-of date is part of it)."""
    import json
    try:
        return json.loads((site / "data" / "version.json").read_text(encoding="utf-8"))["data_version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _name(folder: Path) -> str:
    try:
        return yaml.safe_load((folder / "jurisdiction.yaml").read_text(encoding="utf-8"))["name"]
    except Exception:  # the error itself is reported by the load; here only a display name
        return folder.name


def portal(data_dir: Path, out: Path, log=print) -> int:
    """`build.py portal`: rewrite `out/index.html` from the sites found in `out`.

    A province that builds its jurisdictions on several machines (`build --only` on each) gets
    one portal per machine, each listing only its own sites; after their `dist/` folders are
    copied into one, this lists every site that is there."""
    from policy.loader import jurisdiction_dirs

    folders, problems = jurisdiction_dirs(data_dir)
    if problems:
        for problem in problems:
            log(str(problem), file=sys.stderr)
        return 1
    if not out.is_dir():
        log(f"没有这个文件夹：{out}（先运行 build.py build --out {out}）", file=sys.stderr)
        return 1
    by_id = {f.name: f for f in folders}
    listed = write_portal(out, by_id)
    missing = [jid for jid in by_id if jid not in listed]
    log(f"门户页已写出：{out / 'index.html'}，列出 {len(listed)} 个地区：{'、'.join(listed) or '无'}")
    if missing:
        log(f"（{out} 里没有这些地区的网站，门户页没有列出：{'、'.join(missing)}）")
    return 0


def write_portal(out: Path, by_id: dict[str, Path]) -> list[str]:
    """`dist/index.html`: one link per jurisdiction whose site is in place; returns their ids."""
    from .pages import SITE

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(SITE), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    sites = [{"id": jid, "name": _name(folder), "version": _built_version(out / jid) or data_version(folder)}
             for jid, folder in by_id.items() if (out / jid / "index.html").is_file()]
    html = env.get_template(PORTAL_TEMPLATE).render(sites=sites, built=china_today().isoformat())
    (out / "index.html").write_text(html, encoding="utf-8")
    return [site["id"] for site in sites]
