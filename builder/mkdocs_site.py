"""One jurisdiction's mkdocs-material site: its config, its search dictionary, and the strict build.

The config is `site/mkdocs/mkdocs.base.yml` plus what depends on the data (name, navigation,
data version, the jieba user dictionary). MkDocs runs through its Python API; every warning
(broken link or anchor, missing file) fails the build, and the warnings are returned as the cause.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import yaml

from policy.china_time import china_today
from policy.drugs import spoken_names
from policy.model import Jurisdiction

from . import currency
from .pages import SITE

BASE_CONFIG = SITE / "mkdocs.base.yml"
OVERRIDES = SITE / "overrides"
HOOKS = Path(__file__).resolve().parent / "mkdocs_hooks.py"

# Words a resident types that jieba would otherwise cut apart (先诊疗 / 后 / 付费 ...).
FIXED_TERMS = ["先诊疗后付费", "一站式结算", "一站式", "建档立卡", "建档立卡贫困户", "建档立卡贫困人口",
               "大病保险", "基本医保", "基本医疗保险", "医疗救助", "财政兜底", "补充保险", "二次报销",
               "起付线", "封顶线", "报销比例", "家庭医生", "签约医生", "村卫生室", "乡镇卫生院", "村医",
               "低保", "特困供养", "慢性病", "门诊统筹", "两免三减", "押金", "投诉", "公示栏", "健康扶贫",
               "药品价格", "报销流程"]


HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


class MkDocsFailed(RuntimeError):
    """The strict build stopped; the message lists MkDocs' warnings."""


def user_dictionary(j: Jurisdiction) -> str:
    """jieba user dictionary: policy terms from the data and fixed ones, one "word freq" a line.

    A high frequency keeps each term whole when jieba segments the pages, so a resident's query
    (which the browser does not segment) matches the indexed word.
    """
    words = list(FIXED_TERMS)
    words += [c["name"] for c in j.categories.values()] + [g["name"] for g in j.groups.values()]
    words += [raw["name"] for raw in j.layers] + [p["name"] for p in j.programs]
    words += [d["name"] for d in j.diseases.values()] + [h["name"] for h in j.hospitals.values()]
    for drug in (j.drugs or {}).get("drugs", ()):  # a resident searches 扑热息痛 as often as 对乙酰氨基酚片
        words += [drug["name"], *spoken_names(drug)]
    for t in j.townships.values():
        words.append(t["name"])
        words += [v["name"] for v in t["villages"]]
    # Material hands jieba only the runs of Chinese characters ("10种大病免费救治" arrives as
    # "种大病免费救治"), so each name enters the dictionary as those runs too.
    words += [run for word in words for run in HAN_RUN.findall(word) if len(run) > 1]
    seen, lines = set(), []
    for word in words:
        # jieba's dictionary format is "word freq", space-separated: a word must hold no space.
        word = "".join(word.split())
        if word and word not in seen:
            seen.add(word)
            lines.append(f"{word} 200000")
    return "\n".join(lines) + "\n"


def nav(j: Jurisdiction, calculator: bool) -> list:
    items = [
        {"首页": "index.md"},
        {"报销怎么算": "lines/index.md"},
        {"常见情况算一算": "examples/index.md"},
    ]
    if calculator:
        items += [{"报销计算器": "calculator/index.md"}, {"核对结算单": "slip/index.md"},
                  {"能享受哪些政策": "screener/index.md"}]
    items += [
        {"政策和服务": "programs/index.md"},
        {"村卫生室和村医": "villages/index.md"},
        *([{"药品价格": "drugs/index.md"}] if j.drugs else []),
        {"定点医院": "hospitals/index.md"},
        {"病种名单": "diseases/index.md"},
        {"怎样投诉": "complain/index.md"},
        {"词语解释": "glossary/index.md"},
        {"投诉办理情况": "stats/index.md"},
        {"政策变化": "changes/index.md"},
        {"开放数据": "open-data/index.md"},
    ]
    return items


def write_config(j: Jurisdiction, work: Path, docs: Path, site_dir: Path, *, version: str,
                 last_changed: str, site_url: str, calculator: bool,
                 as_of: dt.date | None = None, preview: bool = False) -> Path:
    config = yaml.safe_load(BASE_CONFIG.read_text(encoding="utf-8"))
    dictionary = work / "jieba-userdict.txt"
    dictionary.write_text(user_dictionary(j), encoding="utf-8")
    config.update({
        "site_name": f"{j.name}健康扶贫政策",
        "site_url": f"{site_url}/{j.id}/",
        "docs_dir": str(docs), "site_dir": str(site_dir), "nav": nav(j, calculator),
        # Pages of one line, program or village are reached from their list page: the menu stays
        # short for readers, and every page is lighter and faster to build without them.
        "not_in_nav": "/villages/*/*/\n/lines/*/\n/programs/*/\n/examples/officers/",
    })
    config["theme"]["custom_dir"] = str(OVERRIDES)
    config["hooks"] = [str(HOOKS)]
    config["extra"].update({"data_version": version, "last_changed": last_changed,
                            "jurisdiction_name": j.name})
    # The as-of date, the preview banner and the staleness warning (overrides/main.html,
    # partials/copyright.html): on every page, the calculator's included.
    as_of = as_of or china_today()
    config["extra"].update({"as_of": as_of.isoformat(), "as_of_cn": currency.cn_date(as_of), "preview": preview,
                            "stale": currency.staleness(j, as_of), "reviewed": currency.reviewed_text(j)})
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "search" in plugin:
            plugin["search"]["jieba_dict_user"] = str(dictionary)
    path = work / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _not_the_dirty_notice(record: logging.LogRecord) -> bool:
    """MkDocs warns that a dirty build may leave navigation and links stale: true of a site
    whose pages it did not build, not of one whose skipped pages are the same (site_reuse.py)."""
    return not record.getMessage().startswith("A 'dirty' build is being performed")


def build_site(config_file: Path, *, dirty: bool = False, memo=None) -> None:
    """Run MkDocs (strict) on `config_file`; raise MkDocsFailed with its warnings. `dirty`:
    build only the pages whose HTML is missing or older than their source (site_reuse.prepare).
    `memo`: a mkdocs_memo.Memo plugin (compiled templates and jieba's cuts kept between builds)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from .theme_files import skipping_dot_folders

    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    quiet = logging.getLogger("mkdocs.commands.build")
    quiet.addFilter(_not_the_dirty_notice)
    try:
        config = load_config(config_file=str(config_file), strict=True)
        if memo is not None:
            config.plugins["builder-memo"] = memo
        with skipping_dot_folders():
            build(config, dirty=dirty)
    except (MkDocsException, SystemExit) as exc:
        raise MkDocsFailed("; ".join(collect.messages) or str(exc)) from None
    finally:
        logger.removeHandler(collect)
        quiet.removeFilter(_not_the_dirty_notice)
    if collect.messages:  # strict mode raises on warnings; this guards a quieter failure
        raise MkDocsFailed("; ".join(collect.messages))
