"""Read YAML keeping line numbers, rejecting duplicate keys, and reading numbers exactly.

PyYAML's composer (libyaml when available) gives us nodes with positions; we build plain
dicts/lists ourselves so that every mapping remembers the line of each key, duplicate keys are
reported instead of silently overwritten, and decimals become `Decimal`, never `float`.

Hostile files are bounded before anything is built: at most MAX_YAML_DEPTH levels of nesting
and MAX_YAML_NODES values, counting an alias (*name) at every place it is used, so a recursive
alias or a "billion laughs" bomb is one problem, found in the time it takes to read the file.
Numbers are read only in plain decimal spelling (12, 0.85, 1.5e3 with a small exponent): YAML
1.1 would also read 0x10, 0o17, 010 (octal) and 1:30 (base 60) as numbers.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

import yaml

from .limits import MAX_YAML_DEPTH, MAX_YAML_NODES, clip, number_in_bounds, strict_date
from .problems import Problem

_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _TAG + "str", _TAG + "seq", _TAG + "map"
_IMPLICIT = yaml.SafeLoader.yaml_implicit_resolvers

try:  # libyaml is about 10x faster; fall back to pure Python where it is missing.
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class _Loader(_Base):
    """SafeLoader's tag rules without its per-node bookkeeping for path resolvers, which we
    never use: about a third of the time of reading a large data folder went there."""

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if implicit[0]:
                tag = _PLAIN_TAGS.get(value)
                if tag is None:
                    tag = _plain_tag(value)
                    if len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
                        _PLAIN_TAGS[value] = tag
                return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


def _plain_tag(value: str) -> str:
    for tag, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR


# The tag of a plain scalar depends on its text alone, and a data folder repeats the same keys and
# values thousands of times (from, until, value, name, dates): each text is matched once per
# process. Bounded, so that a hostile file of distinct values costs only the matching.
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 200_000


class YMap(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    __slots__ = ("line", "key_lines")


class YList(list):
    """A sequence that remembers its own line and the line of each item (1-based)."""

    __slots__ = ("line", "item_lines")


def line_of(container, key) -> int | None:
    """Line of `container[key]` for a YMap/YList, else the container's own line."""
    if isinstance(container, YMap):
        return container.key_lines.get(key, container.line)
    if isinstance(container, YList):
        if isinstance(key, int) and 0 <= key < len(container.item_lines):
            return container.item_lines[key]
        return container.line
    return None


def load_yaml(text: str, file: str, problems: list[Problem]):
    """Parse `text`; append problems (syntax, duplicate keys, odd scalars) and return the data.

    Returns None when the file cannot be parsed at all.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or str(exc)
        problems.append(Problem(file, line, "", f"YAML 格式错误，整个文件无法读取：{_explain(what)}{_date_hint(text, line)}"))
        return None
    if node is None:
        return None
    too_big = _measure(node)
    if too_big:
        line, message = too_big
        problems.append(Problem(file, line, "", message))
        return None
    return _build(node, file, problems, None)


class _TooBig(Exception):
    pass


def _measure(root) -> tuple[int, str] | None:
    """(line, reason) when the document nests too deep or expands to too many values.

    Aliases make the node graph a DAG (or a cycle): each distinct node's expanded size is
    computed once, so a bomb costs as much as its text, and the depth bound stops a cycle."""
    sizes: dict[int, int] = {}

    def size(node, depth):
        known = sizes.get(id(node))
        if known is not None:
            return known
        if depth > MAX_YAML_DEPTH:
            raise _TooBig(node.start_mark.line + 1,
                          f"嵌套层数太多（最多 {MAX_YAML_DEPTH} 层），或有锚点（&名字）引用了它自己")
        if isinstance(node, yaml.ScalarNode):
            return 1
        total = 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                total += size(key, depth + 1) + size(value, depth + 1)
        else:
            for item in node.value:
                total += size(item, depth + 1)
        if total > MAX_YAML_NODES:
            raise _TooBig(node.start_mark.line + 1,
                          f"文件展开后的内容太多（超过 {MAX_YAML_NODES:,} 个值；锚点 *名字 每用一次都算一次）")
        sizes[id(node)] = total
        return total

    try:
        size(root, 0)
    except _TooBig as exc:
        return exc.args
    return None


# Paths are kept as (parent, key) chains and spelled out only for a problem: building a string
# for every node was a measurable share of reading a prefecture's data.

def path_text(chain) -> str:
    parts = []
    while chain is not None:
        chain, key = chain
        if isinstance(key, int):
            parts.append(f"[{key}]")
        else:
            key = key.isoformat() if isinstance(key, dt.date) else str(key)
            parts.append(f".{key}" if chain is not None else key)
    return "".join(reversed(parts)).lstrip(".")


def _build(node, file, problems, chain):
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, file, problems, chain)
    if isinstance(node, yaml.MappingNode):
        out = YMap()
        out.line = node.start_mark.line + 1
        out.key_lines = lines = {}
        in_list = chain is not None and isinstance(chain[1], int)
        dash_hinted = False
        for key_node, value_node in node.value:
            key = _scalar(key_node, file, problems, chain) if isinstance(key_node, yaml.ScalarNode) else None
            kline = key_node.start_mark.line + 1
            if key is None or isinstance(key, (YMap, YList)):
                problems.append(Problem(file, kline, path_text(chain), "键名必须是简单的文字"))
                continue
            if isinstance(key, Decimal):  # a key like 1.5 is almost surely a typo; keep it as text
                key = key_node.value
            if key in lines:
                if dash_hinted:
                    continue  # the rest of the item that lost its dash: one message is enough
                if in_list:
                    # Inside a list item, a key seen again is almost always the next item
                    # written without its "- ".
                    dash_hinted = True
                    problems.append(Problem(
                        file, kline, path_text((chain, key)),
                        f"键“{key}”重复出现（第一次在第 {lines[key]} 行）：如果这里是列表中新的一项，"
                        f"这一行前面少了“- ”，请写成“- {key}: …”并与上面的“- ”对齐；否则请删除或合并"))
                else:
                    problems.append(Problem(
                        file, kline, path_text((chain, key)),
                        f"键“{key}”重复出现（第一次在第 {lines[key]} 行），后一个会覆盖前一个，请删除或合并"))
                continue
            lines[key] = kline
            out[key] = _build(value_node, file, problems, (chain, key))
        return out
    out = YList()
    out.line = node.start_mark.line + 1
    out.item_lines = [item.start_mark.line + 1 for item in node.value]
    for i, item in enumerate(node.value):
        out.append(_build(item, file, problems, (chain, i)))
    return out


_DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def _scalar(node, file, problems, chain):
    tag, text = node.tag, node.value
    if tag == _STR:
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:  # "\ud800" in a double-quoted string
                problems.append(Problem(file, node.start_mark.line + 1, path_text(chain),
                                        "文字里有无效的 \\u 转义（单独的代理码不是文字）"))
                return None
        return text
    if tag == _TAG + "int":
        if len(text) > 30 or not _DECIMAL_INT.fullmatch(text):
            problems.append(Problem(file, node.start_mark.line + 1, path_text(chain),
                                    f"“{clip(text)}”不是普通的十进制数字：请只用 0–9 书写"
                                    "（不用 0x、0o、前导 0、下划线或冒号；太长的数字也不行）"))
            return None
        return int(text)
    if tag == _TAG + "float":
        value = None
        if len(text) <= 30 and _DECIMAL.fullmatch(text):
            try:
                value = Decimal(text)
            except InvalidOperation:
                value = None
        if value is None or not number_in_bounds(value):
            problems.append(Problem(file, node.start_mark.line + 1, path_text(chain),
                                    f"“{clip(text)}”不是有效的数字：请写成普通的十进制小数，如 0.85 或 1234.50"
                                    "（不用 .inf、.nan，指数不超过 20，总长不超过 30 个字符）"))
            return None
        return value
    if tag == _TAG + "bool":
        return text.lower() in ("true", "yes", "on", "y")
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "timestamp":
        # Only YYYY-MM-DD in the supported years is a date; anything else (2019-13-01, 2020-1-5,
        # a time of day, 9999-12-31) stays text and whoever expects a date reports it, once.
        return strict_date(text) or text
    return text


# PyYAML's own words, said the way a data officer can act on them.
_YAML_WORDS = [
    ("mapping values are not allowed", "这里不应出现“冒号+空格”：可能是缩进不对，或文字里的冒号需要用引号括起来"),
    ("could not find expected ':'", "缺少冒号“:”，或上一行的引号没有关上"),
    ("found character '\\t'", "不能用 Tab 键缩进，请用空格"),
    ("found character '\t'", "不能用 Tab 键缩进，请用空格"),
    ("expected <block end>", "缩进没有对齐：同一层的内容要用同样多的空格开头"),
    ("did not find expected key", "缩进没有对齐，或列表项（- ）和键混在了一起"),
    ("did not find expected '-' indicator", "列表项要以“- ”开头，并且对齐"),
    ("found unexpected end of stream", "文件在引号或括号还没关上时就结束了"),
    ("found undefined alias", "用到了没有定义的锚点（*名字）"),
    ("while scanning a quoted scalar", "引号没有关上"),
    ("found unexpected ':'", "这里多了一个冒号"),
    ("expected ',' or ']'", "方括号列表里缺少逗号或“]”"),
    ("expected ',' or '}'", "花括号里缺少逗号或“}”"),
]


_DATE_KEY = re.compile(r"\s*(- )?[0-9]{4}-[0-9]{2}-[0-9]{2}\s*:")


def _date_hint(text: str, line: int | None) -> str:
    """A dated value whose indentation is off is the usual cause when the line is a date key."""
    if line is None:
        return ""
    lines = text.split("\n")
    if any(_DATE_KEY.match(lines[n]) for n in (line - 1, line - 2) if 0 <= n < len(lines)):
        return "。这里的日期行缩进多半不对：同一组的日期要上下对齐（与上面的日期用同样多的空格开头）"
    return ""


def _explain(what: str) -> str:
    for english, chinese in _YAML_WORDS:
        if english in what:
            return f"{chinese}（原始提示：{what}）"
    return f"请检查缩进、冒号和引号（原始提示：{what}）"
