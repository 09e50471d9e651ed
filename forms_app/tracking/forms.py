"""The lookup form: case number and the private code from the receipt."""
from __future__ import annotations

from wtforms import StringField
from wtforms.validators import ValidationError

from ..formkit import BaseForm
from ..numbers import NUMBER_RE, normalise_number
from ..protect import normalise_code


class TrackForm(BaseForm):
    number = StringField("案件编号（回执上的，例如 ZX-2026-000123）")
    code = StringField("查询码（回执上的 8 位数字）")

    def validate_number(self, field):
        value = normalise_number(field.data or "")[:40]
        if not value:
            raise ValidationError("请填写案件编号")
        if not NUMBER_RE.match(value):
            raise ValidationError("案件编号的样子是 ZX-2026-000123，请对照回执再填")
        field.data = value

    def validate_code(self, field):
        value = normalise_code((field.data or "")[:40])
        if not value:
            raise ValidationError("请填写查询码")
        if len(value) != 8:
            raise ValidationError(f"查询码是 8 位数字，这里是 {len(value)} 位")
        field.data = value
