"""Mistakes a Chinese keyboard makes in YAML, found in the raw text before parsing.

A full-width colon, a colon without its space, a Tab, a full-width space, `1,500`, `65%` or
`０.６５` either stop the YAML parser with a generic message (often on another line) or are
read as something else entirely (`{value: 1,500}` becomes the keys `value: 1` and `500`). Here
each is found on its own line and the message says exactly what to type instead.

Only places where YAML expects a key or a number are looked at: a full-width colon inside a
Chinese sentence (`note: 原文：……`) or a `1,500元` inside a quote is text and is left alone.
"""
from __future__ import annotations

import re

from .limits import clip
from .problems import Problem

# A key the format uses: an id (`hours`, `out_of_catalog_necessary`) or a date key.
_KEY = r"(?:[a-z_][a-z0-9_]*|[0-9０-９]{4}-[0-9０-９]{2}-[0-9０-９]{2})"
# Where a key may start: the line's start (after indentation and list dashes), or in a flow
# mapping after `{` or `,`.
_KEY_START = r"(?:^[ \t\u3000]*(?:-[ \t\u3000]+)*|[{,][ \t\u3000]*)"
_FULL_COLON = re.compile(_KEY_START + r"(" + _KEY + r")[ \t\u3000]*：")
_NO_SPACE = re.compile(_KEY_START + r"(" + _KEY + r"):(?![ \t\n]|$|//)(.)")
# A value right after `key: ` that ends at the end of the line, a comma or a closing bracket.
_VALUE = re.compile(_KEY_START + r"(" + _KEY + r"):[ \u3000]+([^\s,{}\[\]#]+(?:,[0-9]{3})*[^\s,{}\[\]#]*)[ ]*(?=$|[,}\]#])")
_MONEY_COMMAS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)[%％]")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")
_WIDE_NUMBER = re.compile(r"[0-9０-９.．\-－+＋]*[０-９．][0-9０-９.．\-－+＋]*")
_TEXT_KEYS = {"name", "full_name", "description", "summary", "note", "notes", "quote", "reason", "reading",
              "title", "address", "hours", "text", "commitment", "clause", "issuer", "url", "site_url"}


# Anything that could start one of the mistakes below: lines without it are not looked at (one
# pass of a regular expression over the file, instead of every pattern on every line).
_SUSPECT = re.compile("[\uff1a\t\u3000%\uff05\uff10-\uff19\uff0e]|:[^ \n\r]|[0-9],[0-9]")


def scan(text: str, file: str) -> list[Problem]:
    """Problems for the keyboard mistakes in `text`, one per line at most, in line order."""
    out, last = [], -1
    for hit in _SUSPECT.finditer(text):
        start = text.rfind("\n", 0, hit.start()) + 1
        if start <= last:
            continue
        last = start
        end = text.find("\n", start)
        message = _line_problem(code_part(text[start:] if end < 0 else text[start:end]))
        if message:
            out.append(Problem(file, text.count("\n", 0, start) + 1, "", message))
    return out


def code_part(line: str) -> str:
    """The line without a trailing comment (a `#` after a space, outside quotes)."""
    if "#" not in line:
        return line.rstrip("\r")
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line.rstrip("\r")


def _line_problem(line: str) -> str | None:
    stripped = line.lstrip(" ")
    if not stripped.strip():
        return "这一行只有空白，其中有 Tab 或全角空格，请删掉它们" if ("\t" in line or "\u3000" in line) else None
    indent = line[: len(line) - len(stripped)]
    if stripped[0] in "\t\u3000" or "\t" in indent:
        what = " Tab 键" if stripped[0] == "\t" else "全角空格“　”"
        return f"这一行的缩进用了{what}：缩进只能用英文空格，请删掉它，改用空格对齐"
    if stripped.startswith(("'", '"', "|", ">")):
        return None
    m = _first_key_match(_FULL_COLON, line)
    if m:
        return f"“{clip(m.group(1))}”后面用了中文冒号“：”，请改成英文冒号加空格“: ”"
    m = _first_key_match(_NO_SPACE, line)
    if m:
        if m.group(2) == "\u3000":
            return f"“{clip(m.group(1))}:”后面是全角空格“　”，请改成英文空格“: ”"
        return f"“{clip(m.group(1))}:”后面缺少空格：英文冒号后面要有一个空格，写成“{clip(m.group(1))}: ”"
    if "\t" in line:
        return "这一行有 Tab 字符：请改成英文空格"
    for m in _VALUE.finditer(line):
        if _in_flow_sequence(line, m.start(1)):
            continue
        key, value = m.group(1), m.group(2)
        if key in _TEXT_KEYS:
            continue
        if _MONEY_COMMAS.fullmatch(value):
            return f"数字“{value}”里有逗号：金额不要用千位分隔符，写成 {value.replace(',', '')}"
        pm = _PERCENT.fullmatch(value)
        if pm:
            return f"“{value}”写成了百分数：比例要写小数，{value} 写成 {_percent_to_ratio(pm.group(1))}"
        if _WIDE_NUMBER.fullmatch(value):
            return f"数字“{value}”用了全角数字：请切换到英文输入法，写成 {value.translate(_WIDE_DIGITS)}"
    return None


def _first_key_match(pattern, line):
    """The first match of `pattern` that is not inside a flow sequence: `[a, hospital:x]`
    holds plain values (`hospital:<id>` is how programs name a hospital), not keys."""
    for m in pattern.finditer(line):
        if not _in_flow_sequence(line, m.start(1)):
            return m
    return None


def _in_flow_sequence(line: str, at: int) -> bool:
    """Whether position `at` of the line lies inside `[...]` (the innermost bracket open there)."""
    stack, quote = [], None
    for ch in line[:at]:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            stack.append(ch)
        elif ch in "]}" and stack:
            stack.pop()
    return bool(stack) and stack[-1] == "["


def _percent_to_ratio(number: str) -> str:
    from decimal import Decimal
    return format(Decimal(number) / 100, "f")
