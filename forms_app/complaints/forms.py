"""The complaint form (投诉): what happened, where, and optionally who is asking."""
from __future__ import annotations

import datetime as dt

from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ..formkit import OnceForm, check_length, parse_date, parse_id_number, parse_phone, parse_yuan_to_fen
from ..models import local_date, utcnow
from ..policy_source import CLINIC, DRUG_PRICE, NO_INSTITUTION, clinic_drugs

DESCRIPTION_MAX = 2000
EARLIEST_EVENT = dt.date(2015, 1, 1)


class ComplaintForm(OnceForm):
    category = StringField("您要反映哪一类问题")
    village = StringField("事情发生在哪个村（或您住在哪个村）")
    institution = StringField("涉及哪家医院或卫生室")
    event_date = StringField("事情发生在哪一天（记不清可以不填）")
    drug = StringField("哪一种药")
    charged = StringField("实际收了多少钱（元）")
    description = TextAreaField("请说说发生了什么")
    anonymous = BooleanField("我不想留姓名和电话（匿名反映）")
    name = StringField("您的姓名（可以不填）")
    phone = StringField("您的电话")
    id_number = StringField("身份证号码（可以不填）")
    settlement = HiddenField("核对过的结算单")  # JSON from the slip check page (forms_app/settlement.py)

    def __init__(self, jurisdiction, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.j = jurisdiction
        self.clean_phone = self.clean_id_number = None
        self.clean_date = None
        self.clean_charged = None
        self.clean_settlement = None

    def validate_category(self, field):
        if not field.data:
            raise ValidationError("请选择您要反映的问题属于哪一类")
        if field.data not in {c["id"] for c in self.j.complaint_categories}:
            raise ValidationError("请从列表里选一类问题")

    def validate_village(self, field):
        if not field.data:
            raise ValidationError("请选择村（先找到乡镇，再选村）")
        if field.data not in self.j.villages:
            raise ValidationError("请从列表里选一个村")

    def validate_institution(self, field):
        if not field.data:
            raise ValidationError("请选择医院或卫生室；不涉及具体医院的，选最后一项")
        if field.data not in (CLINIC, NO_INSTITUTION) and field.data not in self.j.hospitals:
            raise ValidationError("请从列表里选一家医院或卫生室")

    def validate_event_date(self, field):
        if field.data:
            check_length(field.data, 20)
            # Today in Beijing: from midnight to 8 a.m. a UTC server's date is still the day before.
            self.clean_date = parse_date(field.data, EARLIEST_EVENT, local_date(utcnow()))

    def validate_drug(self, field):
        """Only for a wrong drug price: a drug of the chosen village's clinic (what it posts)."""
        if self.category.data != DRUG_PRICE:
            field.data = None  # a choice left over from another category is not stored
            return
        if not field.data:
            raise ValidationError("请选择是哪一种药")
        if self.village.data in self.j.villages:
            if field.data not in {d["id"] for d in clinic_drugs(self.j, self.village.data)}:
                raise ValidationError("这个村的卫生室没有公示这种药的价格，请从本村的药品清单里选；清单里没有的，"
                                      "请在下面“发生了什么”里写明药名")
        elif field.data not in {d["id"] for d in (self.j.drugs or {}).get("drugs", ())}:
            raise ValidationError("请从药品清单里选一种药")

    def validate_charged(self, field):
        if self.category.data != DRUG_PRICE:
            field.data = None
            return
        if not (field.data or "").strip():
            raise ValidationError("请填写这种药实际收了多少钱，例如 9.50")
        check_length(field.data, 20)
        self.clean_charged = parse_yuan_to_fen(field.data)

    def validate_settlement(self, field):
        from ..settlement import parse_settlement
        self.clean_settlement = parse_settlement(self.j, field.data)

    def validate_description(self, field):
        check_length(field.data, DESCRIPTION_MAX, 5, "，说清楚发生了什么")

    def validate_name(self, field):
        check_length(field.data, 50)

    def validate_phone(self, field):
        if self.anonymous.data:
            return
        if not field.data:
            raise ValidationError("请留一个电话，方便工作人员联系您；不想留的，请勾选“匿名反映”")
        self.clean_phone = parse_phone(field.data)

    def validate_id_number(self, field):
        if field.data and not self.anonymous.data:
            self.clean_id_number = parse_id_number(field.data)
