"""Staff forms: each carries the CSRF token; the workflow checks the values and says what is wrong."""
from __future__ import annotations

from wtforms import HiddenField, PasswordField, SelectField, StringField, TextAreaField

from ..formkit import BaseForm


class LoginForm(BaseForm):
    username = StringField("用户名")
    password = PasswordField("密码")


class ActionForm(BaseForm):
    """One form class for the case page's actions; unused fields are simply empty."""
    version = HiddenField()
    status = SelectField("改为", choices=[], validate_choice=False)
    text = TextAreaField("说明")
    days = StringField("延长天数")
    assignee = SelectField("经办人", choices=[], validate_choice=False)
