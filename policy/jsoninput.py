"""Read `calc` / `eligible` input: JSON text to Python values, refused in Chinese when it is not
plain, bounded JSON.

Accepted: UTF-8 (a leading BOM is skipped: Windows Notepad writes one), numbers read exactly
as Decimal, at most MAX_NUMBER_CHARS characters each. Refused,
with the line, column and byte: syntax errors, NaN/Infinity, duplicate keys in one object, lone
surrogates (\\ud800), and documents over MAX_INPUT_BYTES, MAX_CONTAINERS or MAX_JSON_DEPTH.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal

from .limits import MAX_CONTAINERS, MAX_INPUT_BYTES, MAX_JSON_DEPTH, MAX_NUMBER_CHARS, clip
from .problems import InputError

_JSON_WORDS = {
    "Expecting value": "这里应是一个值（对象、列表、文字、数字、true、false 或 null）",
    "Expecting property name enclosed in double quotes": "这里应是用双引号括起来的键名（或多了一个逗号）",
    "Expecting ':' delimiter": "键名后面缺少冒号“:”",
    "Expecting ',' delimiter": "缺少逗号“,”，或括号没有关上",
    "Unterminated string starting at": "引号没有关上",
    "Invalid control character at": "文字里有控制字符（如换行或 Tab），请写成 \\n 或 \\t",
    "Invalid \\escape": "无效的转义写法（反斜杠 \\ 后面只能是 \" \\ / b f n r t u）",
    "Invalid \\uXXXX escape": "无效的 \\uXXXX 转义",
    "Extra data": "一个完整的 JSON 之后还有多余的内容（多个案例请放在一个列表 [...] 里，或用 --jsonl 每行一个）",
}


class _Refused(ValueError):
    """Raised inside the parser's hooks; carries a Chinese reason."""


def _number(text: str):
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(f"数字 {clip(text, 20)} 太长（最多 {MAX_NUMBER_CHARS} 个字符）")
    return text


def _float(text: str) -> Decimal:
    _number(text)
    value = Decimal(text)
    if abs(value.adjusted()) > 20:
        raise _Refused(f"数字 {text} 超出范围")
    return value


def _int(text: str) -> int:
    return int(_number(text))


def _object(pairs):
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(f"同一个对象里键“{clip(key)}”出现了不止一次，请只写一次")
            seen.add(key)
    return out


def _constant(name):
    raise _Refused(f"不支持 {name}：金额和数字必须是有限的十进制数")


# One decoder for every call: json.loads with hooks builds a new decoder each time, which is
# a measurable share of answering one short --jsonl line.
_DECODER = json.JSONDecoder(parse_float=_float, parse_int=_int, parse_constant=_constant,
                            object_pairs_hook=_object)
_SURROGATE = re.compile(r"\\u[dD][89abAB]|\\u[dD][c-fC-F]")


def decode(data: str | bytes) -> str:
    """UTF-8 bytes (or text) -> text without a leading BOM; refuses other encodings."""
    if isinstance(data, bytes):
        if len(data) > MAX_INPUT_BYTES:
            raise InputError([f"输入太大（超过 {MAX_INPUT_BYTES // 1024 // 1024} MB）：大批量计算请用 --jsonl，每行一个案例"])
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise InputError([f"输入不是 UTF-8 编码的文字（第 {line} 行，第 {exc.start + 1} 个字节有误）"]) from None
    return data[1:] if data.startswith("\ufeff") else data


def parse_json(data: str | bytes, what: str = "输入"):
    """JSON text (or UTF-8 bytes) -> Python values, numbers with decimals as exact Decimals."""
    text = decode(data)
    if not text or text.isspace():
        raise InputError([f"{what}是空的：请提供 JSON"])
    if len(text) > MAX_INPUT_BYTES:
        raise InputError([f"{what}太大（超过 {MAX_INPUT_BYTES // 1024 // 1024} MB）：大批量计算请用 --jsonl，每行一个案例"])
    # Each object or list costs memory whatever is in it; count them before building any.
    if len(text) > MAX_CONTAINERS and text.count("[") + text.count("{") > MAX_CONTAINERS:
        raise InputError([f"{what}里的对象和列表太多（最多 {MAX_CONTAINERS:,} 个）：大批量计算请用 --jsonl"])
    try:
        value = _DECODER.decode(text)
    except _Refused as exc:
        raise InputError([f"{what}不是可以接受的 JSON：{exc}"]) from None
    except json.JSONDecodeError as exc:
        raise InputError([f"{what}不是有效的 JSON：{_where(text, exc.pos)}：{_explain(exc.msg)}"]) from None
    except RecursionError:  # the parser's own bound on nesting (about 1,000 levels)
        raise InputError([_too_deep(what)]) from None
    except ValueError:
        raise InputError([f"{what}不是有效的 JSON"]) from None
    # Deeper than any case needs, but under the parser's bound: walk the value (only when there
    # are enough brackets for it to be possible, so one short --jsonl line costs nothing).
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _depth(value) > MAX_JSON_DEPTH:
        raise InputError([_too_deep(what)])
    if "\\u" in text and _SURROGATE.search(text) and _has_lone_surrogate(value):
        raise InputError([f"{what}里有无效的 \\u 转义（单独的代理码 \\ud800–\\udfff 不是文字）"])
    return value


def _too_deep(what: str) -> str:
    return f"{what}的 JSON 嵌套层数太多（对象和列表最多套 {MAX_JSON_DEPTH} 层）"


def _depth(value) -> int:
    """How many objects and lists are nested inside each other, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, level = stack.pop()
        children = v.values() if isinstance(v, dict) else v if isinstance(v, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        stack.extend((c, level + 1) for c in children if isinstance(c, (dict, list)))
    return deepest


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    byte = len(text[:pos].encode("utf-8", "surrogatepass")) + 1
    return f"第 {line} 行第 {column} 列（第 {byte} 个字节）"


def _explain(msg: str) -> str:
    return _JSON_WORDS.get(msg, "格式有误")


def _has_lone_surrogate(value) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(v, dict):
            stack.extend(v)
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False
