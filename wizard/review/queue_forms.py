"""Forms of the reviewers' own work: the queue's filters, who handles a request, and a note for
the other reviewers."""

from __future__ import annotations

from collections import Counter

from flask_babel import LazyString
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField

from wizard.domain.identifiers import DEVICE_CLASSES
from wizard.forms.base import iso_date, select, text
from wizard.forms.validators import not_before_field
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.review.forms import reason_text
from wizard.review.queue import QUEUE_STATES
from wizard.web import queue_state_label


class NoteForm(FlaskForm):
    """A note for ANSM's reviewers on a request (`review.notes`), never the manufacturer's."""

    text = reason_text(
        _l("Your note"),
        _l("Enter your note."),
        _l(
            "For example a call with the manufacturer, or a point to check before deciding. "
            "Only ANSM's reviewers see it; it cannot be changed once added."
        ),
    )
    # The form's one-time mark (`notes.add`), as the report form's.
    sent_as = HiddenField()


def _reviewer_choices(reviewers, me) -> list[tuple[str, str]]:
    """Each reviewer by name; two of the same name, by their addresses too; one who holds no
    delegation of signature said so (a request to decide goes to one who does)."""
    names = Counter(person.name for person in reviewers)

    def label(person) -> str:
        name = person.name if names[person.name] == 1 else f"{person.name} ({person.email})"
        if not person.signing_delegation:
            name = _("%(name)s, does not sign decisions", name=name)
        return _("%(name)s (you)", name=name) if person == me else name

    return [(str(person.id), label(person)) for person in reviewers]


class AssignForm(FlaskForm):
    """Who handles a filed request (`review.assignment`): a reviewer, or nobody."""

    reviewer = select(
        _l("Give it to"),
        [],
        hint=_l("They are told by email. Choose “Nobody” to leave it for anyone to take."),
    )

    def __init__(self, reviewers, me, **kwargs):
        super().__init__(**kwargs)
        self.reviewer.set_choices([("", _("Nobody")), *_reviewer_choices(reviewers, me)])


ACCESS_TYPE_CHOICES = [
    ("", _l("Any type")),
    ("individual", _l("Individual")),
    ("global", _l("Global")),
]


class QueueForm(FlaskForm):
    """The queue's filters, read from the address (GET): no CSRF token, nothing changes."""

    class Meta:
        csrf = False

    q = text(
        _l("Reference, manufacturer, device or establishment"),
        hint=_l(
            "For example DA-2026-000042, or part of a company or device name, a model, a "
            "UDI-DI or a health establishment."
        ),
        max_length=200,
        markup=False,
    )
    status = select(
        _l("Status"),
        [("", _l("Any status"))]
        + [(state, LazyString(queue_state_label, state)) for state in QUEUE_STATES],
    )
    access_type = select(_l("Type of access"), ACCESS_TYPE_CHOICES)
    device_class = select(
        _l("Device class"),
        [("", _l("Any class"))] + [(code, code) for code in DEVICE_CLASSES],
    )
    submitted_from = iso_date(_l("Submitted from"), hint=_l("For example 31 January 2026."))
    submitted_to = iso_date(
        _l("Submitted until"),
        hint=_l("The last day included."),
        rules=[
            not_before_field(
                "submitted_from",
                lambda form: _(
                    "“%(last)s” cannot be before “%(first)s”: change one of the two dates.",
                    last=form.submitted_to.label.text,
                    first=form.submitted_from.label.text,
                ),
            )
        ],
    )
    order = select(
        _l("Order"),
        [
            ("oldest", _l("Oldest first")),
            ("newest", _l("Newest first")),
            ("needed", _l("Needed soonest first (one patient)")),
        ],
    )
    handled_by = select(_l("Handled by"), [])
    unread = BooleanField(_l("Only requests with a follow-up report not read yet"))
    late_reports = BooleanField(_l("Only requests with a follow-up report overdue"))

    def __init__(self, *args, reviewers=(), me=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            ("", _("Anyone or nobody")),
            ("me", _("Me")),
            ("nobody", _("Nobody yet")),
            *_reviewer_choices([person for person in reviewers if person != me], me),
        ]
        self.handled_by.set_choices(choices)
