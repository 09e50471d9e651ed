"""A small declarative schema: each spec converts one YAML value and reports every problem.

Specs never stop at the first problem: a data officer sees every mistake of a file in one run.
A spec returns the converted value, or INVALID when it reported a problem.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from .limits import clip, impossible_date, parse_date
from .problems import Problem
from .yamlsource import YList, YMap, line_of

INVALID = object()

IDENT = re.compile(r"^[a-z][a-z0-9_-]*$")
PHONE = re.compile(r"^[0-9][0-9 \-]{2,19}$")


@dataclass
class RefUse:
    """An id used somewhere, to be checked against what the jurisdiction defines."""

    kind: str
    id: str
    file: str
    line: int | None
    path: str


@dataclass
class Ctx:
    file: str
    problems: list[Problem]
    refs: list[RefUse] = field(default_factory=list)

    def error(self, line, path, message):
        self.problems.append(Problem(self.file, line, path, message))


def type_name(value) -> str:
    if isinstance(value, dict):
        return "一组键值（映射）"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, bool):
        return "是/否"
    if isinstance(value, (int, Decimal)):
        return f"数字 {value}"
    if isinstance(value, dt.date):
        return f"日期 {value}"
    if value is None:
        return "空值"
    return f"文字“{clip(str(value))}”"


class Spec:
    doc = ""

    def __call__(self, ctx: Ctx, value, path: str, line):
        raise NotImplementedError


class Text(Spec):
    def __init__(self, max_len: int = 2000, doc: str = ""):
        self.max_len, self.doc = max_len, doc

    def __call__(self, ctx, value, path, line):
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            value = str(value)  # a name like 12345 is fine as text
        if not isinstance(value, str) or not value.strip():
            ctx.error(line, path, f"应填写文字，这里是{type_name(value)}")
            return INVALID
        if len(value) > self.max_len:
            ctx.error(line, path, f"文字太长（最多 {self.max_len} 字）")
            return INVALID
        return value.strip()


class Ident(Spec):
    def __call__(self, ctx, value, path, line):
        if not isinstance(value, str) or not IDENT.match(value):
            ctx.error(line, path, f"编号只能用小写英文字母、数字、- 和 _，且以字母开头，这里是{type_name(value)}")
            return INVALID
        return value


class Ref(Spec):
    """An id that must be defined elsewhere in the jurisdiction (checked after loading)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, ctx, value, path, line):
        value = Ident()(ctx, value, path, line)
        if value is not INVALID:
            ctx.refs.append(RefUse(self.kind, value, ctx.file, line, path))
        return value


class Phone(Spec):
    def __call__(self, ctx, value, path, line):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not PHONE.match(value.strip()):
            ctx.error(line, path, f"电话号码只能包含数字、空格和“-”，这里是{type_name(value)}（号码请加引号）")
            return INVALID
        return value.strip()


class Bool(Spec):
    def __call__(self, ctx, value, path, line):
        if not isinstance(value, bool):
            ctx.error(line, path, f"应填 true（是）或 false（否），这里是{type_name(value)}")
            return INVALID
        return value


class Int(Spec):
    def __init__(self, minimum: int | None = None, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def __call__(self, ctx, value, path, line):
        if isinstance(value, bool) or not isinstance(value, int):
            ctx.error(line, path, f"应是整数，这里是{type_name(value)}")
            return INVALID
        if self.minimum is not None and value < self.minimum:
            ctx.error(line, path, f"不能小于 {self.minimum}，这里是 {value}")
            return INVALID
        if self.maximum is not None and value > self.maximum:
            ctx.error(line, path, f"不能大于 {self.maximum}，这里是 {value}")
            return INVALID
        return value


class Date(Spec):
    """Exactly YYYY-MM-DD, in the supported years (policy/limits.py)."""

    def __call__(self, ctx, value, path, line):
        if isinstance(value, str):
            try:
                return parse_date(value)
            except ValueError as exc:
                why = impossible_date(value)
                if why:
                    ctx.error(line, path, f"日期“{value}”不存在：{why}")
                else:
                    ctx.error(line, path, f"日期“{clip(value)}”{exc}（日期写成 YYYY-MM-DD；一直有效就不写结束日期）")
                return INVALID
        if not isinstance(value, dt.date):
            ctx.error(line, path, f"应是日期 YYYY-MM-DD，这里是{type_name(value)}")
            return INVALID
        return value


class Enum(Spec):
    def __init__(self, choices):
        self.choices = tuple(choices)

    def __call__(self, ctx, value, path, line):
        if value not in self.choices:
            ctx.error(line, path, f"只能是 {' / '.join(map(str, self.choices))} 之一，这里是{type_name(value)}")
            return INVALID
        return value


class ListOf(Spec):
    """A list; `unique` names an item key (or a function) whose values must not repeat."""

    def __init__(self, item: Spec, min_len: int = 0, unique: str | None = None, what: str = "项"):
        self.item, self.min_len, self.unique, self.what = item, min_len, unique, what

    def __call__(self, ctx, value, path, line):
        if not isinstance(value, list):
            ctx.error(line, path, f"应是列表（每项以“- ”开头），这里是{type_name(value)}")
            return INVALID
        if len(value) < self.min_len:
            ctx.error(line, path, f"至少要有 {self.min_len} {self.what}")
        out, seen = [], {}
        for i, item in enumerate(value):
            ipath, iline = f"{path}[{i}]", line_of(value, i)
            converted = self.item(ctx, item, ipath, iline)
            if converted is INVALID:
                continue
            if self.unique is not None:
                key = converted.get(self.unique) if isinstance(converted, dict) else getattr(converted, self.unique, converted)
                if key in seen:
                    ctx.error(iline, f"{ipath}.{self.unique}" if self.unique else ipath,
                              f"“{key}”重复列出（第一次在第 {seen[key]} 行）")
                    continue
                seen[key] = iline
            out.append(converted)
        return out


class ScalarList(ListOf):
    """A list of scalars whose values must not repeat."""

    def __init__(self, item: Spec, min_len: int = 0):
        super().__init__(item, min_len)

    def __call__(self, ctx, value, path, line):
        out = super().__call__(ctx, value, path, line)
        if out is INVALID:
            return out
        seen = set()
        for v in out:
            if v in seen:
                ctx.error(line, path, f"“{v}”重复列出")
            seen.add(v)
        return out


@dataclass
class Field:
    spec: Spec
    required: bool = True
    doc: str = ""
    default: Any = None


class Record(Spec):
    """A mapping with known keys. `make` turns the converted dict into an object."""

    def __init__(self, fields: dict[str, Field], make: Callable | None = None,
                 check: Callable | None = None):
        self.fields, self.make, self.check = fields, make, check

    def __call__(self, ctx, value, path, line):
        if not isinstance(value, dict):
            ctx.error(line, path, f"应是一组键值（映射），这里是{type_name(value)}")
            return INVALID
        out, ok, meant = {}, True, set()
        for key in value:
            if key not in self.fields:
                ctx.error(line_of(value, key), _join(path, key), self._unknown(key, value, meant))
                ok = False
        for name, fld in self.fields.items():
            if name not in value:
                if fld.required and name not in meant:  # a misspelling is one message, not two
                    what = f"（{fld.doc}）" if fld.doc else ""
                    ctx.error(line, _join(path, name), f"缺少必填项“{name}”{what}")
                    ok = False
                out[name] = fld.default
                continue
            converted = fld.spec(ctx, value[name], _join(path, name), line_of(value, name))
            if converted is INVALID:
                ok = False
                out[name] = fld.default
            else:
                out[name] = converted
        if ok and self.check is not None:
            ok = self.check(ctx, out, value, path, line) is not False
        if not ok:
            return INVALID
        out["_line"] = line
        out["_path"] = path
        return self.make(out) if self.make else out


    def _unknown(self, key, value, meant: set) -> str:
        """The message for a key this record does not know: a near miss of a key not written
        (qualificaton -> qualification) is named, so the officer sees one message, not "unknown
        key" plus "missing key"; a date here is a value that lost its indentation."""
        if isinstance(key, dt.date):
            return (f"日期 {key} 不应写在这一层：它多半是上面某个 values 下的新数值，缩进少了，"
                    "请把这一行再往右缩进，与上面的日期对齐")
        unused = [name for name in self.fields if name not in value and name not in meant]
        guess = difflib.get_close_matches(str(key), unused, n=1, cutoff=0.75)
        if guess:
            meant.add(guess[0])
            return f"不认识的键“{clip(str(key))}”，是不是 {guess[0]}？"
        return f"不认识的键“{clip(str(key))}”（可用的键：{'、'.join(self.fields)}）"


class Lazy(Spec):
    """Refer to a spec defined later (for recursive structures)."""

    def __init__(self, get: Callable[[], Spec]):
        self.get = get

    def __call__(self, ctx, value, path, line):
        return self.get()(ctx, value, path, line)


def _join(path, key):
    key = key.isoformat() if isinstance(key, dt.date) else str(key)
    return f"{path}.{key}" if path else key


def isdict(value) -> bool:
    return isinstance(value, (dict, YMap))


def islist(value) -> bool:
    return isinstance(value, (list, YList))
