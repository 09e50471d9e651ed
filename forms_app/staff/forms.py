"""Staff forms: each carries the CSRF token; the workflow checks the values and says what is wrong."""
from __future__ import annotations

from wtforms import HiddenField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField

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
    confirm = HiddenField()  # "1" once the clerk confirmed a decline or a closing
    approver = StringField("批准延期的负责人")
    approved_on = StringField("批准日期")
    reason = TextAreaField("理由")


class UserForm(BaseForm):
    """The account page's forms (new account, role and townships); the checks are user_admin's."""
    username = StringField("用户名（登录用，小写字母和数字）")
    display_name = StringField("姓名")
    role = SelectField("角色", choices=[], validate_choice=False)
    townships = SelectMultipleField("负责的乡镇（乡镇经办人）", choices=[], validate_choice=False)


class PasswordForm(BaseForm):
    current = PasswordField("原来的密码（或管理员给的临时密码）")
    new = PasswordField("新密码（至少 10 个字符）")
    repeat = PasswordField("再输一遍新密码")
