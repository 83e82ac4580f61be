"""The admin view's forms (labels translated; CSRF tokens come with every FlaskForm)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from db.models import OfficerKind, Role
from gateway.admin.labels import officer_kind_label, role_label

HOURS = Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("Use HH:MM"))


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class OfficerForm(FlaskForm):
    """An officer or duty desk of the directory."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=20)])
    kind = SelectField(_l("Kind"), choices=lambda: [(k.value, officer_kind_label(k.value))
                                                    for k in OfficerKind])
    commune_code = IntegerField(_l("Commune code"), validators=[Optional()])
    province_code = IntegerField(_l("Province code"), validators=[Optional()])
    priority = IntegerField(_l("Priority"), default=0, validators=[Optional()])
    duty_start = StringField(_l("Duty from (HH:MM)"), validators=[Optional(), HOURS])
    duty_end = StringField(_l("Duty until (HH:MM)"), validators=[Optional(), HOURS])
    active = BooleanField(_l("Active"), default=True)


class UserForm(FlaskForm):
    """A web user (the password is only changed when one is given)."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=lambda: [(r.value, role_label(r.value)) for r in Role])
    province_code = IntegerField(_l("Province code (supervisors)"), validators=[Optional()])
    officer_id = IntegerField(_l("Officer id (officer logins)"), validators=[Optional()])
    password = PasswordField(_l("New password"), validators=[Optional(), Length(min=10, max=200)])
    active = BooleanField(_l("Active"), default=True)
