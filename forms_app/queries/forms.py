"""The eligibility query (资格咨询): the screener's questions, and an optional call-back request."""
from __future__ import annotations

from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import ValidationError

from policy.formats import DISABILITIES

from ..formkit import OnceForm, check_length, parse_phone


UNKNOWN = "unknown"  # the category choice "不清楚"


class QueryForm(OnceForm):
    person_category = StringField("您属于哪一类人员")
    age = StringField("年龄（周岁，可以不填）")
    sex = StringField("性别（可以不填）")
    village = StringField("您住在哪个村（可以不填）")
    diseases = SelectMultipleField("您有没有下面这些病（可以多选，没有就不选）", validate_choice=False)
    disabilities = SelectMultipleField("有没有残疾（可以多选，没有就不选）", validate_choice=False)
    pregnant = StringField("现在是否怀孕（可以不填）")
    callback = BooleanField("我想请工作人员打电话给我讲一讲")
    name = StringField("您的称呼（可以不填）")
    phone = StringField("您的电话")

    def __init__(self, jurisdiction, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.j = jurisdiction
        self.clean_phone = None

    def validate_person_category(self, field):
        if not field.data:
            raise ValidationError("请选择您属于哪一类人员；不清楚的，选“不清楚”")
        if field.data != UNKNOWN and field.data not in self.j.categories:
            raise ValidationError("请从列表里选一类")

    def validate_age(self, field):
        if field.data:
            text = field.data.translate(str.maketrans("０１２３４５６７８９", "0123456789")).removesuffix("岁")
            if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= 150:
                raise ValidationError("年龄请填 0 到 150 之间的整数，例如 70")
            field.data = str(int(text))

    def validate_sex(self, field):
        if field.data and field.data not in ("female", "male"):
            raise ValidationError("请选“男”或“女”，或者不选")

    def validate_village(self, field):
        if field.data and field.data not in self.j.villages:
            raise ValidationError("请从列表里选一个村，或者不选")

    def validate_diseases(self, field):
        if len(field.data or []) > len(self.j.diseases) or any(d not in self.j.diseases for d in field.data or []):
            raise ValidationError("请从列表里选病种")

    def validate_disabilities(self, field):
        if any(d not in DISABILITIES for d in field.data or []) or len(field.data or []) > len(DISABILITIES):
            raise ValidationError("请从列表里选残疾类别")

    def validate_pregnant(self, field):
        if field.data and field.data not in ("yes", "no"):
            raise ValidationError("请选“是”或“否”，或者不选")

    def validate_name(self, field):
        check_length(field.data, 50)

    def validate_phone(self, field):
        if field.data:
            self.clean_phone = parse_phone(field.data)
        elif self.callback.data:
            raise ValidationError("要工作人员回电，请留一个电话")

    def person(self) -> dict:
        """The `eligible` contract's person (policy/cases.py), from the answers given."""
        # "不清楚": judged as the baseline resident; the answer adds what each other category gets
        # (views.answer_for), so that not knowing never hides a benefit of the poor.
        known = self.person_category.data != UNKNOWN
        person = {"category": self.person_category.data if known else self.j.baseline_category}
        if self.age.data:
            person["age"] = int(self.age.data)
        if self.sex.data:
            person["sex"] = self.sex.data
        if self.village.data:
            person["village"] = self.village.data
            person["township"] = self.j.villages[self.village.data][0]["id"]
        if self.diseases.data:
            person["diseases"] = sorted(set(self.diseases.data))
        if self.disabilities.data:
            person["disabilities"] = sorted(set(self.disabilities.data))
        if self.pregnant.data:
            person["pregnant"] = self.pregnant.data == "yes"
        return person
