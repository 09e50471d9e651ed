"""What every form shares: Chinese messages, clean text, the honeypot, phone and ID checks.

Every field is read as text and checked here or in the form's `validate_<field>` methods, so each
message is Chinese, names the field, and a failed submit gives back everything that was typed.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import phonenumbers
from flask_wtf import FlaskForm
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from .protect import new_resubmission_id, valid_resubmission_id

# WTForms' and Flask-WTF's own messages, in the words residents read.
MESSAGES = {
    "This field is required.": "请填写这一项",
    "Not a valid choice.": "请从给出的选项中选一个",
    "Not a valid choice": "请从给出的选项中选一个",
    "The CSRF token is missing.": "页面已过期，请再点一次“提交”（您填的内容都还在）",
    "The CSRF token has expired.": "页面已过期，请再点一次“提交”（您填的内容都还在）",
    "The CSRF token is invalid.": "页面已过期，请再点一次“提交”（您填的内容都还在）",
    "The CSRF session token is missing.": "页面已过期，请再点一次“提交”（您填的内容都还在）",
    "The CSRF tokens do not match.": "页面已过期，请再点一次“提交”（您填的内容都还在）",
}

# Removed from every text: controls (Cc) but tab and newline, every format character (Cf: zero
# widths, bidi marks and isolates, U+061C, U+2060, the tag characters, the interlinear annotation
# marks U+FFF9-FFFB, the BOM), private-use (Co) and surrogates (Cs); and the fillers that look like
# nothing although Unicode files them as letters (Hangul fillers, the blank braille pattern).
# Chinese text needs none of them: its punctuation, the ideographic space U+3000 and variation
# selectors (Mn) stay. Line and paragraph separators become newlines.
_STRIP_CATEGORIES = {"Cc", "Cf", "Co", "Cs"}
_FILLERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
_NEWLINES = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"})
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _visible(ch: str) -> bool:
    return ch in "\t\n" or (unicodedata.category(ch) not in _STRIP_CATEGORIES and ch not in _FILLERS)


def zh(message: str) -> str:
    return MESSAGES.get(str(message), str(message))


class _Translations:
    def gettext(self, string):
        return MESSAGES.get(string, string)

    def ngettext(self, singular, plural, n):
        return MESSAGES.get(singular if n == 1 else plural, singular if n == 1 else plural)


def clean_text(value):
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").translate(_NEWLINES)
    if value.isascii():
        value = _ASCII_CONTROL.sub("", value)
    else:
        value = "".join(ch for ch in value if _visible(ch))
    return unicodedata.normalize("NFC", value).strip()


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _Translations()

        def bind_field(self, form, unbound_field, options):
            # Every field's input goes through clean_text before any check sees it.
            filters = (clean_text, *unbound_field.kwargs.get("filters", ()))
            return unbound_field.bind(form=form, filters=filters, **options)

    # The honeypot: hidden from people by CSS (and labelled "leave empty"), filled by bots.
    website = StringField("请不要填写这一项")

    def spam(self) -> bool:
        return bool(self.website.data)

    def error_list(self) -> list[tuple[str, str, str]]:
        """(field id, field label, message) for the error summary at the top of the page."""
        out = []
        for field in self:
            for message in field.errors:
                if field.name == "csrf_token":
                    out.append(("submit", "提交", zh(message)))
                else:
                    out.append((field.id, field.label.text, zh(message)))
        return out


class OnceForm(BaseForm):
    """A form whose submission is stored at most once: a hidden resubmission id, new for every
    rendering of the empty form and kept while the resident corrects mistakes, so a retry of the
    same submission (a reload, a double tap, a connection lost before the answer) gets the first
    receipt back instead of a second case (submissions.py)."""
    resubmission_id = HiddenField()

    def keep_or_new_resubmission_id(self) -> None:
        if not valid_resubmission_id(self.resubmission_id.data):
            self.resubmission_id.data = new_resubmission_id()


def resubmission_notice(conflict, what: str) -> str:
    """What the resident reads when a form page that was already submitted comes back with other
    contents (or much later). The case number is shown, the lookup code never: it appeared once, on
    the first receipt, and showing it for changed contents would hand it to whoever has the page."""
    if conflict.reason == "expired":
        return (f"这张表单早就提交过了，案件编号是 {conflict.number}，不会重复登记。"
                f"如果要反映另一件事，请检查下面的内容后再点一次提交。")
    return (f"这张表单刚才已经提交过了（案件编号 {conflict.number}），这次的内容和那次不一样，所以没有保存。"
            f"如果是同一件事，不用再提交，查询码请看第一次提交后显示的回执；"
            f"如果是另一件{what}，请检查下面的内容后再点一次提交。")


def check_length(text: str | None, most: int, least: int = 0, what: str = "") -> None:
    n = len(text or "")
    if n > most:
        raise ValidationError(f"最多 {most} 个字，现在有 {n} 个字，请删减一些")
    if n < least:
        raise ValidationError(f"请至少写 {least} 个字{what}")


def parse_phone(text: str) -> str:
    """A Chinese mobile or landline number -> E.164, or ValidationError with what to fix."""
    if len(text) > 30:
        raise ValidationError("电话号码太长了，请只填一个号码")
    digits = unicodedata.normalize("NFKC", text)
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError("这不像是电话号码，请填 11 位手机号，或带区号的座机号") from None
    if not phonenumbers.is_valid_number(number) or number.country_code != 86:
        raise ValidationError("电话号码不对，请检查位数：手机号是 1 开头的 11 位数字，座机要带区号")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_id_number(text: str) -> str:
    """A resident ID card number (18 characters, checksum) -> compact form, or ValidationError."""
    value = unicodedata.normalize("NFKC", text).replace(" ", "").upper()
    if len(value) > 30:
        raise ValidationError("身份证号码是 18 位，这里太长了")
    try:
        return ric.validate(value)
    except StdnumError:
        if len(value) != 18:
            raise ValidationError(f"身份证号码应是 18 位，这里是 {len(value)} 位") from None
        raise ValidationError("身份证号码不对（校验位对不上），请对照身份证再看一遍") from None


_YUAN = re.compile(r"(\d{1,9})(?:\.(\d{1,}))?")


def parse_yuan_to_fen(text: str, most_yuan: int = 100_000) -> int:
    """An amount a resident types ("9", "9.5", "9.50元", "９．５") -> integer fen, or ValidationError.

    To the fen: more than two decimals is refused, never rounded (the filer says what was paid)."""
    value = unicodedata.normalize("NFKC", text).strip().removesuffix("元").strip().replace("，", ".")
    m = _YUAN.fullmatch(value)
    if not m:
        raise ValidationError("请只填数字，单位是元，例如 9.50")
    yuan, cents = int(m[1]), m[2] or ""
    if len(cents) > 2 and set(cents[2:]) != {"0"}:
        raise ValidationError("钱数只能精确到分（小数点后最多两位），例如 9.50")
    fen = yuan * 100 + int((cents[:2] or "0").ljust(2, "0"))
    if fen <= 0:
        raise ValidationError("钱数要大于 0")
    if fen > most_yuan * 100:
        raise ValidationError(f"钱数太大了（超过 {most_yuan} 元），请检查一下")
    return fen


def parse_date(text: str, earliest: dt.date, latest: dt.date) -> dt.date:
    value = unicodedata.normalize("NFKC", text).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", value)
    try:
        day = dt.date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        day = None
    if day is None:
        raise ValidationError("日期请写成 2026-03-15 这样（年-月-日）")
    if day > latest:
        raise ValidationError("日期不能晚于今天")
    if day < earliest:
        raise ValidationError(f"日期不能早于 {earliest.isoformat()}")
    return day
