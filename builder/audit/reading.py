"""Rows of a settlement export: CSV in UTF-8 (with or without BOM) or GBK, or .xlsx (first sheet).

Each reader yields (line number, [cell text]) with the header as line 1, without holding the
file: CSV is decoded as it is read, .xlsx through openpyxl's read-only mode. A file that cannot
be read at all raises Unreadable with a Chinese message naming the file and, where known, the line.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

SNIFF_BYTES = 1 << 16
MAX_CELL_CHARS = 1000  # a cell longer than this is not a settlement figure (csv's field limit)


class Unreadable(Exception):
    """The file cannot be read at all (exit 2)."""


def rows(path: Path):
    """(line, cells) of the file, header first."""
    path = Path(path)
    if not path.is_file():
        raise Unreadable(f"{path}：找不到这个文件")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    if path.suffix.lower() == ".xls":
        raise Unreadable(f"{path}：不能读取旧的 .xls 格式，请在 Excel 中另存为 .xlsx 或 CSV")
    return _csv_rows(path)


def encoding_of(head: bytes) -> str:
    """UTF-8 (a BOM is dropped) when the first bytes are valid UTF-8, otherwise GBK (read as
    GB18030, its superset, which Excel in China writes as "CSV")."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a character cut at the end is fine
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _csv_rows(path: Path):
    with open(path, "rb") as f:
        encoding = encoding_of(f.read(SNIFF_BYTES))
    name = "UTF-8" if encoding.startswith("utf") else "GBK"
    with open(path, encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        line = 0
        try:
            for cells in reader:
                line = reader.line_num
                yield line, cells
        except UnicodeDecodeError:
            raise Unreadable(f"{path} 第 {line + 1} 行附近：文件按 {name} 编码读取出错，请用 UTF-8 或 GBK（Excel 的“CSV”）保存，"
                             "不要混用两种编码") from None
        except csv.Error as exc:
            raise Unreadable(f"{path} 第 {reader.line_num} 行：不是有效的 CSV（{exc}）") from None


def _xlsx_rows(path: Path):
    try:
        import openpyxl
    except ImportError:
        raise Unreadable(f"{path}：读取 .xlsx 需要 openpyxl（pip install '.[audit]'），或在 Excel 中另存为 CSV") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — a broken zip, not a workbook, encrypted ...
        raise Unreadable(f"{path}：无法作为 Excel 工作簿 .xlsx 打开（{type(exc).__name__}）") from None
    try:
        sheet = book.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield line, [_cell(v) for v in values]
    finally:
        book.close()


def _cell(value) -> str:
    """An Excel value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel stores 1234.5 as a binary float: its shortest repr is the decimal typed in
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return str(value)
