"""Account forms. They parse and carry CSRF; the rules live in the services."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Wajib diisi."))])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(_l("Wajib diisi."))])
    remember = BooleanField(_l("Ingat saya"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField(_l("Nama lengkap"), validators=[DataRequired(_l("Wajib diisi.")), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Wajib diisi."))])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(_l("Wajib diisi."))])
    confirm = PasswordField(_l("Ulangi kata sandi"), validators=[
        DataRequired(_l("Wajib diisi.")), EqualTo("password", _l("Kata sandi tidak sama."))])
    next = HiddenField()


class TokenForm(FlaskForm):
    label = StringField(_l("Label token"), validators=[DataRequired(_l("Wajib diisi.")), Length(max=80)])


class RoleForm(FlaskForm):
    role = SelectField(_l("Peran"), choices=[
        SelectChoice("officer", _l("Petugas perdagangan")), SelectChoice("admin", _l("Admin")),
        SelectChoice("seller", _l("Penjual")), SelectChoice("buyer", _l("Pembeli"))])
    action = HiddenField(default="grant")
