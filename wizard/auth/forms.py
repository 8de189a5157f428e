"""Registration and login forms, with a password rule people can meet."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import ValidationError

from wizard.forms.base import text
from wizard.forms.validators import EmailAddress, Required
from wizard.i18n import folded
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 12
# The most common passwords that pass the length rule; a longer list would earn a dependency.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "password1234",
        "azertyuiop12",
        "qwertyuiop12",
        "motdepasse12",
        "passwordpassword",
        "000000000000",
        "111111111111",
        "abcdefghijkl",
        "iloveyou1234",
    }
)


# Accounts are found by address whatever its case.
ACCOUNT_EMAIL = EmailAddress(
    _l("Enter an email address in the correct format, like name@example.com."), lowercase=True
)


# A company's legal form, left out of its name before the password is compared with it:
# "CardioTech SAS" is guessed as "cardiotech".
_LEGAL_FORMS = frozenset(
    "sas sasu sa sarl eurl sca snc gmbh ag se bv nv ltd limited llc inc plc spa srl sl".split()
)


def _letters_and_digits(text: str) -> str:
    """`text` as the password is compared with it: case, accents, spaces and signs ignored."""
    return "".join(character for character in folded(text) if character.isalnum())


def check_password_strength(password: str, email: str, organisation: str = "") -> str | None:
    """The reason a password is too weak, or None. `organisation`: the name of the
    manufacturer the account files for, the first word a guesser would try."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Your password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH)
    if len(password) > 200:
        return _("Your password must be 200 characters or fewer.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 5:
        return _("This password is too easy to guess: use a few unrelated words.")
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        return _(
            "Your password must not contain the start of your email address, “%(part)s”.",
            part=email.split("@")[0],
        )
    part = _organisation_part(password, organisation)
    if part:
        return _("Your password must not contain your organisation's name, “%(part)s”.", part=part)
    return None


def _organisation_part(password: str, organisation: str) -> str | None:
    """The part of the organisation's name the password holds, as the name writes it: the
    whole name (without its legal form) or its first word, often the brand ("Cardiotech" of
    "Cardiotech Médical SAS"); spaces and signs do not hide it ("cardio-tech")."""
    held = _letters_and_digits(password)
    words = [word for word in organisation.split() if _letters_and_digits(word) not in _LEGAL_FORMS]
    whole = _letters_and_digits("".join(words))
    if len(whole) >= 4 and whole in held:
        return " ".join(words)
    first = _letters_and_digits(words[0]) if words else ""
    if len(first) >= 5 and first in held:
        return words[0]
    return None


def your_name():
    """An account's owner's name: the portal's emails repeat it to others (a colleague
    invited, a professional), so it holds no web address."""
    return text(_l("Your full name"), _l("Enter your full name."), autocomplete="name", links=False)


def account_email(hint=None):
    return text(
        _l("Email address"),
        _l("Enter your email address."),
        autocomplete="email",
        hint=hint,
        rules=[ACCOUNT_EMAIL],
        spellcheck=False,
    )


def current_password(label=None) -> PasswordField:
    """The account's password, asked before a change only its owner may make (`label`: where
    the page has two such fields, each its own name)."""
    return PasswordField(
        label or _l("Current password"),
        validators=[Required(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


def new_password(label, required=None) -> PasswordField:
    return PasswordField(
        label,
        description=_l("At least 12 characters. A few unrelated words are easy to remember."),
        validators=[Required(required or _l("Create a password."))],
        render_kw={"autocomplete": "new-password"},
    )


def new_password_again() -> PasswordField:
    return PasswordField(
        _l("Type the new password again"),
        validators=[Required(_l("Type the new password again."))],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(FlaskForm):
    organisation_name = text(
        _l("Manufacturer's name"),
        _l("Enter the name of the manufacturer you file for."),
        autocomplete="organization",
        links=False,
    )
    name = your_name()
    email = account_email(_l("We will send messages about your requests here."))
    password = new_password(_l("Create a password"))

    def validate_password(self, field):
        problem = check_password_strength(
            field.data, self.email.data or "", self.organisation_name.data or ""
        )
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = account_email()
    password = PasswordField(
        _l("Password"),
        validators=[Required(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ConfirmEmailForm(FlaskForm):
    """The account's password, on the page an emailed confirmation link opens: opening the
    link (a mail filter does) is not enough, and whoever did not choose the password cannot
    confirm an account made with their address by someone else."""

    password = PasswordField(
        _l("Password"),
        validators=[Required(_l("Enter your password."))],
        description=_l("The one you chose when you created the account."),
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = account_email(_l("The address you sign in with."))


class ChoosesPassword(FlaskForm):
    """The rules of a form where someone chooses the password of the account `email`, of the
    organisation named `organisation` if any (both used by the strength rule): its fields
    `password` and `confirmation` are the subclass's, declared in the order the page shows
    them."""

    def __init__(self, email: str, *args, organisation: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email, self.organisation = email, organisation

    def validate_password(self, field):
        problem = check_password_strength(field.data, self.account_email, self.organisation)
        if problem:
            raise ValidationError(problem)

    def validate_confirmation(self, field):
        if field.data != self.password.data:
            raise ValidationError(_("The two passwords are not the same."))


class NewPasswordForm(ChoosesPassword):
    """A new password, through an emailed link."""

    password = new_password(_l("New password"), _l("Enter a new password."))
    confirmation = new_password_again()


class AccountDetailsForm(FlaskForm):
    """What an account says of its owner; the manufacturer's name for a manufacturer's."""

    name = your_name()
    organisation_name = text(
        _l("Manufacturer's name"),
        _l("Enter the name of the manufacturer you file for."),
        hint=_l(
            "Your organisation's name on the portal. Each request keeps the manufacturer's "
            "details it was filed with."
        ),
        autocomplete="organization",
        links=False,
    )


class ChangePasswordForm(ChoosesPassword):
    """A new password, for someone signed in who knows the current one (asked first)."""

    current = current_password()
    password = new_password(_l("New password"), _l("Enter a new password."))
    confirmation = new_password_again()


class ChangeEmailForm(FlaskForm):
    """A new sign-in address, for someone signed in who knows the account's password."""

    email = text(
        _l("New email address"),
        _l("Enter the new email address."),
        autocomplete="email",
        hint=_l("We will send a link there: the address changes once you open it."),
        rules=[ACCOUNT_EMAIL],
        spellcheck=False,
    )
    # The password form beside it has its own "Current password": told apart in a list of
    # the page's fields.
    current = current_password(_l("Your password, to confirm"))


class InviteColleagueForm(FlaskForm):
    email = text(
        _l("Your colleague's email address"),
        _l("Enter your colleague's email address."),
        autocomplete="off",
        hint=_l("We will email them a link to create their account."),
        rules=[ACCOUNT_EMAIL],
        spellcheck=False,
    )
    # Asked as before a change of password or address: someone at a computer left signed in
    # could otherwise give themselves an account of their own, which outlives the session.
    current = PasswordField(
        _l("Your password"),
        validators=[Required(_l("Enter your password."))],
        description=_l("Asked before anyone is given access to your organisation's requests."),
        render_kw={"autocomplete": "current-password"},
    )


class RemoveColleagueForm(FlaskForm):
    # Asked as before inviting: someone at a computer left signed in could otherwise remove
    # every colleague of the organisation, signing them all out.
    current = PasswordField(
        _l("Your password"),
        validators=[Required(_l("Enter your password."))],
        description=_l("Asked before anyone is removed from your organisation."),
        render_kw={"autocomplete": "current-password"},
    )


class JoinForm(ChoosesPassword):
    """A colleague's new account, on the page an invitation link opens (the address is the
    one invited)."""

    name = your_name()
    password = new_password(_l("Create a password"))
    confirmation = new_password_again()
