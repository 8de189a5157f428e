"""Forms of the agency's actions on a filed request (start the review, ask, decide, impose a
measure) and what the review's other forms share (a reason written out, PDF documents). The
manufacturer's forms are `filer_forms`', the reviewers' own work's (queue, notes) `queue_forms`'.
Fields come from `wizard.forms.base`, so the form macros render them and the messages read
like the wizard's."""

from __future__ import annotations

import copy
from datetime import date, timedelta

from flask import current_app
from flask_babel import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms.validators import ValidationError

from wizard import clock, uploads
from wizard.config import FILES_AT_ONCE
from wizard.forms.base import choice, coming_date, iso_date, long_text, number, required_now, text
from wizard.forms.invitations import PROFESSIONAL_EMAIL
from wizard.forms.path import finess_checked
from wizard.forms.validators import (
    DateRule,
    RequiredIf,
    not_before_field,
    not_in_future,
    not_in_past,
)
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import long_date
from wizard.models import Decision, DecisionKind
from wizard.review.follow_up import number_of as follow_up_number
from wizard.web import REPORT_INTERVAL_LABELS, labelled_message

TEXT_MAX = 5000
MAX_FILES = FILES_AT_ONCE  # what the request's size cap makes room for (`uploads`)


def reason_text(label, message, hint):
    """A reason, grounds or answer written out, as long as the agency's forms allow."""
    return long_text(label, message, hint=hint, max_length=TEXT_MAX)


def asked_with(form, answer, values: list[str], *questions) -> None:
    """`questions` are asked only once `answer` is one of `values` (their `RequiredIf`):
    pages with JavaScript show them then, and say they are required (app.js); the page
    says it as the form stands (`required_now`), after a refused send too."""
    for question in questions:
        question.shown_when = question.required_when = (answer.name, values)
        question.required_now = required_now(form, question)


def say_when_missing(question, message: str) -> None:
    """`question`'s `RequiredIf` saying `message`, for this form only (the rule is shared by
    every form of the class)."""
    rules = []
    for rule in question.validators:
        if isinstance(rule, RequiredIf):
            rule = copy.copy(rule)
            rule.message = message
        rules.append(rule)
    question.validators = rules


class PdfFiles(MultipleFileField):
    """Several PDFs chosen at once, each checked by the rules of `PdfFile`
    (`uploads.read_pdf`); the accepted ones are in `accepted` as (name, content)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "FileField"  # the form macros render it as a file input
        self.accepted: list[tuple[str, bytes]] = []
        cap = uploads.human_size(current_app.config["MAX_UPLOAD_BYTES"])
        self.description = _(
            "PDF only, %(size)s at most each. You can choose up to %(count)d files at once.",
            size=cap,
            count=MAX_FILES,
        )

    def pre_validate(self, form):
        chosen = [item for item in self.data or [] if item and item.filename]
        self.accepted = []
        if len(chosen) > MAX_FILES:
            raise ValidationError(
                _(
                    "You chose %(chosen)d files: at most %(count)d can be sent at once, so none "
                    "of these was kept. Choose %(count)d or fewer again (several documents can "
                    "be joined into one PDF).",
                    chosen=len(chosen),
                    count=MAX_FILES,
                )
            )
        # Those the page's script kept back for their size (app.js), then those sent.
        problems = [
            labelled_message(name, uploads.too_big_message())
            for name in uploads.too_big_in_browser(self.name)
        ]
        for item in chosen:
            try:
                self.accepted.append(uploads.read_pdf(item, current_app.config["MAX_UPLOAD_BYTES"]))
            except uploads.UploadRejected as error:
                problems.append(labelled_message(uploads.named(item.filename), error))
        if problems:
            raise ValidationError(" ".join(problems))


def pdf_documents():
    """The PDF documents that may come with an answer, a question or a report."""
    return PdfFiles(_l("Documents (optional)"), render_kw={"accept": "application/pdf,.pdf"})


# The grounds go to the manufacturer in the decision's email too (`review.notify`), as the
# questions do: said before they are written.
GROUNDS_HINT = _l(
    "Printed on the signed decision and sent to the manufacturer by email: leave out any "
    "patient's identity."
)


class StartReviewForm(FlaskForm):
    # Optional: a reviewer may simply take up a request (the manufacturer is told all the same).
    reason = reason_text(
        _l("Note for the manufacturer (optional)"),
        None,
        _l(
            "Shown on their request page and in the email, for example when you expect to "
            "decide. Emails are not encrypted: leave out any patient's identity."
        ),
    )


# How far ahead an answer may be asked for: a mistyped year would leave a professional's
# link working for decades.
LONGEST_WAIT_DAYS = 90


def _latest_due_date() -> date:
    return clock.today() + timedelta(days=LONGEST_WAIT_DAYS)


def _due_date_hint() -> str:
    """The limit said before it is met, its last day written out (not an example that may
    lie beyond it)."""
    return _(
        "At most %(days)d days from today, by %(date)s. A professional's link works until the "
        "end of that day, or for %(link_days)d days if no date is given.",
        days=LONGEST_WAIT_DAYS,
        date=long_date(_latest_due_date()),
        link_days=current_app.config["INVITE_TTL_DAYS"],
    )


def until_the_period_ends(form: RequestInformationForm, period_end: date) -> None:
    """A question on an authorisation closes with its period: the answer is needed by its
    last day at the latest, when that comes before the longest wait."""
    if period_end >= _latest_due_date():
        return
    form.period_end = period_end
    form.due_date.description = _(
        "By %(date)s at the latest, the authorisation's last day: its end closes the question.",
        date=long_date(period_end),
    )


def manufacturer_only_hints(form: RequestInformationForm) -> None:
    """The hints of a form that asks the manufacturer only (an authorisation's follow-up, or
    every professional waiting already): nothing said of professionals and their links."""
    form.message.description = _(
        "Say what you need and why. Questions are sent by email: leave out any patient's identity."
    )
    form.due_date.description = _(
        "At most %(days)d days from today, by %(date)s.",
        days=LONGEST_WAIT_DAYS,
        date=long_date(_latest_due_date()),
    )


class RequestInformationForm(FlaskForm):
    # Set by `information.prepare` when someone whose link expired may be asked again.
    heading: str | None = None
    # Set by `information.prepare` on an authorisation in force or suspended: its last day,
    # whose end closes the question (`until_the_period_ends`).
    period_end: date | None = None

    addressee = choice(_l("Who should answer?"), [], _l("Choose who should answer."))
    hcp_email = text(
        _l("Email address of the healthcare professional (if needed)"),
        hint=_l(
            "We send them a personal link to answer. Leave it empty to use the address an "
            "earlier question to them (not one you withdrew) or their invitation went to; it "
            "is needed when the manufacturer uploaded their letter and they were not asked "
            "before."
        ),
        autocomplete="off",
        spellcheck=False,
        max_length=254,
        rules=[PROFESSIONAL_EMAIL],
    )
    message = reason_text(
        _l("Your question"),
        _l("Enter your question."),
        _l(
            "Say what you need and why. A question to a healthcare professional is not shown to "
            "the manufacturer: they are only told that you asked. Questions are sent by email: "
            "leave out any patient's identity."
        ),
    )
    due_date = iso_date(
        _l("Answer needed by (optional)"),
        hint=LazyString(_due_date_hint),
        rules=[
            not_in_past(lambda form: _("The date the answer is needed by cannot be in the past.")),
            DateRule(
                lambda value, form: form.period_end is None or value <= form.period_end,
                lambda form: _(
                    "The authorisation ends on %(date)s, which closes the question: the answer "
                    "can be needed by then at the latest.",
                    date=long_date(form.period_end),
                ),
            ),
            DateRule(
                lambda value, form: (
                    value <= _latest_due_date()
                    or (form.period_end is not None and value > form.period_end)
                ),
                lambda form: (
                    _(
                        "An answer can be needed at most %(days)d days from today, by %(date)s: a "
                        "professional's link works until then.",
                        days=LONGEST_WAIT_DAYS,
                        date=long_date(_latest_due_date()),
                    )
                    # (a professional may be asked, `information.prepare`, and is)
                    if "hcp_email" in form and form.addressee.data != "manufacturer"
                    else _(
                        "An answer can be needed at most %(days)d days from today, by %(date)s.",
                        days=LONGEST_WAIT_DAYS,
                        date=long_date(_latest_due_date()),
                    )
                ),
            ),
        ],
    )


def _within_requested_end(value: date, form) -> bool:
    # Once the period asked for has ended, `validate_period_start` says so, once.
    return form.requested_end is None or form.asked_period_over or value <= form.requested_end


class AuthoriseForm(FlaskForm):
    """A global authorisation; for an individual one, see below (one patient, no cap).

    The period starts today at the earliest, and ends by the last day the manufacturer asked
    for (`within_requested`): ANSM may grant a shorter period than asked, or one that starts
    sooner than asked (the patient's procedure was brought forward), never a longer one, and
    a signed decision cannot be corrected afterwards."""

    requested_start: date | None = None
    requested_end: date | None = None

    period_start = iso_date(
        _l("Authorised from"),
        _l("Enter the first day of the authorised period."),
        rules=[
            not_in_past(
                lambda form: _(
                    "The first day of the period cannot be in the past: enter today or later."
                )
            )
        ],
    )
    period_end = iso_date(
        _l("Authorised until"),
        _l("Enter the last day of the authorised period."),
        hint=LazyString(
            lambda: _(
                "The last day included. For example %(date)s.",
                date=long_date(coming_date(3)),
            )
        ),
        rules=[
            # One day is a period (the last day included): a request whose period asked for
            # ends today can still be authorised for today.
            not_before_field(
                "period_start",
                lambda form: _("The last day cannot be before the first day of the period."),
            ),
            not_in_past(lambda form: _("The last day of the period cannot be in the past.")),
            DateRule(
                _within_requested_end,
                lambda form: _(
                    "The last day cannot be after %(date)s, the last day the manufacturer asked "
                    "for: ANSM may authorise a shorter period, not a longer one.",
                    date=long_date(form.requested_end),
                ),
            ),
        ],
    )
    # What the decision authorises the device for, in ANSM's words (the manufacturer's are
    # quoted beside the field, `review/request.html`): the act's article 1 states it.
    indication = long_text(
        _l("Authorised indication"),
        _l("Enter the indication ANSM authorises: the decision states it."),
        hint=_l(
            "As the decision will state it, in French. It may be narrower than the one the "
            "manufacturer asked for."
        ),
        max_length=TEXT_MAX,
        lang="fr",
    )
    # Where the device may be used, in ANSM's words: the request's list, as the page first
    # shows it (`pages.fresh_form`), which ANSM may narrow; the act's article 1 names them.
    establishments = long_text(
        _l("Authorised health establishments"),
        _l(
            "Enter the health establishments where the device may be used: the decision names them."
        ),
        hint=_l(
            "One per line, as the decision will name them, in French. Those the manufacturer "
            "listed are filled in: ANSM may keep fewer."
        ),
        max_length=TEXT_MAX,
        lang="fr",
    )

    def validate_establishments(self, field):
        finess_checked(field.data)

    max_patients = number(
        _l("Maximum number of patients"),
        _l("Enter the maximum number of patients: a global authorisation must have one."),
        minimum=1,
        maximum=100_000,
        hint=_l("How many patients may be treated with the device during the period."),
        width="10",
    )
    follow_up = long_text(
        _l("Follow-up conditions (optional)"),
        hint=_l(
            "For example: a report to ANSM every month on each patient treated, or a registry "
            "of implanted patients."
        ),
        max_length=TEXT_MAX,
    )
    report_every = choice(
        _l("Follow-up reports at set dates"),
        [("none", _l("No set dates"))]
        + [(str(months), label) for months, label in REPORT_INTERVAL_LABELS.items()],
        _l("Choose whether the manufacturer is to send its reports at set dates."),
        hint=_l(
            "Counted from the period's first day; the last report is due on its last day. The "
            "portal lists the dates for the manufacturer, reminds it a week before each, and "
            "shows you the reports that are late."
        ),
        default="none",
    )
    reason = reason_text(
        _l("Grounds for the decision"),
        _l("Enter the grounds for the decision."),
        GROUNDS_HINT,
    )

    @property
    def asked_period_over(self) -> bool:
        return self.requested_end is not None and self.requested_end < clock.today()

    def validate_period_start(self, field):
        if self.asked_period_over:
            field.errors.clear()  # this says it all: no dates can be right
            raise ValidationError(self.period_over_said())

    def period_over_said(self) -> str:
        """The period asked for is over: what to do instead (a refusal is an act against the
        manufacturer, which a withdrawal of its own spares it)."""
        return _(
            "The period the manufacturer asked for ended on %(date)s: it can no longer be "
            "authorised (its answers cannot change). Ask the manufacturer whether it withdraws "
            "the request (“Ask for more information”): a request it withdraws needs no "
            "decision. Otherwise, refuse it. Either way, it can file a new request for a new "
            "period.",
            date=long_date(self.requested_end),
        )

    @property
    def report_every_months(self) -> int | None:
        """The interval chosen, in months; None: no set dates."""
        chosen = self.report_every.data
        return int(chosen) if chosen and chosen.isdecimal() else None

    def within_requested(self, start: date | None, end: date | None) -> AuthoriseForm:
        """Keep the period within the one the manufacturer asked for, shown in the hints."""
        self.requested_start, self.requested_end = start, end
        if start is not None and end is not None:
            self.period_start.description = _(
                "The manufacturer asked for %(start)s to %(end)s. The period may start sooner "
                "than asked, but not before today.",
                start=long_date(start),
                end=long_date(end),
            )
        if self.asked_period_over:
            self.period_start.description = self.period_over_said()
        elif end is not None:
            self.period_end.description = _(
                "The last day included: %(date)s at the latest, the last day the manufacturer "
                "asked for.",
                date=long_date(end),
            )
        return self


class IndividualAuthoriseForm(AuthoriseForm):
    # An individual authorisation is for one identified patient, as the request names them.
    max_patients = None
    indication = None
    establishments = None


def decision_form(label, message, hint=GROUNDS_HINT):
    class DecisionForm(FlaskForm):
        reason = reason_text(label, message, hint)

    return DecisionForm


# Before a measure against the manufacturer, how it was heard (or why not).
PROCEDURES = [
    ("observations", _l("The manufacturer was invited to present its observations first")),
    ("urgency", _l("Urgent: the risk to patients did not allow waiting for its observations")),
]


def measure_form(label, message):
    """A suspension or a withdrawal by ANSM: taken after the manufacturer was invited to
    present its observations (code des relations entre le public et l'administration,
    articles L. 121-1 and L. 122-1), unless urgent (L. 121-2, 1°); the signed decision states
    which. A refusal needs none: it decides on the manufacturer's own request (L. 121-1)."""

    class MeasureForm(FlaskForm):
        # The decision now in force, whose date the invitation cannot precede (`heard_after`).
        in_force_by: Decision | None = None
        # The follow-up report asking the authorisation's end, if any (`asked_by`).
        asked_in = None

        reason = reason_text(label, message, GROUNDS_HINT)
        procedure = choice(
            _l("Before this decision"),
            PROCEDURES,
            _l("Say whether the manufacturer was invited to present its observations first."),
            hint=_l("Printed on the signed decision, with the date of the invitation."),
        )
        observations_invited_on = iso_date(
            _l("Date the manufacturer was invited to present its observations"),
            hint=_l("If the manufacturer was invited first. For example 14 March 2024."),
            required_if=(
                "procedure",
                {"observations"},
                _l("Enter the date the manufacturer was invited to present its observations."),
            ),
            rules=[
                not_in_future(
                    lambda form: _("The date of the invitation cannot be in the future.")
                ),
                DateRule(_not_before_in_force, _invited_too_early),
            ],
        )
        observations_received = choice(
            _l("Did the manufacturer present observations in the time given?"),
            [("yes", _l("Yes")), ("no", _l("No"))],
            # (shown with the page's script only once it applies; without it, always)
            hint=_l("Only if the manufacturer was first invited to present its observations."),
            required_if=(
                "procedure",
                {"observations"},
                _l("Say whether the manufacturer presented observations."),
            ),
        )

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # How the manufacturer was heard is asked only if it was invited (app.js).
            asked_with(
                self,
                self.procedure,
                ["observations"],
                self.observations_invited_on,
                self.observations_received,
            )

        def asked_by(self, report) -> None:
            """A withdrawal the manufacturer asked for, in follow-up `report` (None: none
            asked): decided on its request, it needs no invitation to present observations
            (CRPA L. 121-1 excepts decisions taken on a request)."""
            self.asked_in = report
            if report is None:
                return
            number = follow_up_number(report)
            self.procedure.choices = [
                (
                    "requested",
                    _(
                        "The manufacturer asked for it, in its report no. %(number)d of "
                        "%(date)s: no observations to invite",
                        number=number,
                        date=long_date(clock.day_in_paris(report.sent_at)),
                    ),
                ),
                *PROCEDURES,
            ]
            self.procedure.description = _(
                "Printed on the signed decision, with the manufacturer's request or the date of "
                "the invitation."
            )

        def heard_after(self, decision: Decision | None):
            """The decision in force (the authorisation, or its last reinstatement): the
            invitation is on a measure against it, so it cannot come before it."""
            self.in_force_by = decision
            if decision is not None:
                self.observations_invited_on.description = _in_force_hint(decision)
            return self

        def validate_observations_received(self, field):
            invited_on = self.observations_invited_on
            if field.data != "no" or invited_on.errors or not isinstance(invited_on.data, date):
                return
            # A time limit given today cannot have elapsed today (L. 122-1: the manufacturer
            # must have been able to present them).
            if invited_on.data >= clock.today():
                raise ValidationError(
                    _(
                        "The manufacturer was invited today: the time it was given to present "
                        "its observations cannot have ended yet. Wait until it has, or answer "
                        "“Yes” if it has already presented them."
                    )
                )

        def procedure_record(self) -> dict:
            """What the decision record says of it."""
            if self.procedure.data == "urgency":
                return {"kind": "urgency"}
            if self.procedure.data == "requested":
                return {
                    "kind": "requested",
                    "report_number": follow_up_number(self.asked_in),
                    "asked_on": clock.day_in_paris(self.asked_in.sent_at).isoformat(),
                }
            return {
                "kind": "observations",
                "invited_on": self.observations_invited_on.data.isoformat(),
                "observations_received": self.observations_received.data == "yes",
            }

    return MeasureForm


def _signed_on(decision: Decision) -> date:
    return clock.day_in_paris(decision.decided_at)


def _not_before_in_force(value: date, form) -> bool:
    # Invited before the authorisation was signed, the manufacturer was heard on nothing. And
    # once reinstated, the reinstatement's date: it was decided on what was known then
    # (observations included), so a new measure rests on a new invitation, made after it.
    # (Withdrawing a suspended authorisation, the invitation may precede the suspension: one
    # invitation may announce both.)
    return form.in_force_by is None or value >= _signed_on(form.in_force_by)


def _invited_too_early(form) -> str:
    day = long_date(_signed_on(form.in_force_by))
    if form.in_force_by.kind == DecisionKind.REINSTATEMENT:
        return _(
            "The invitation cannot be before %(date)s, the day the authorisation was "
            "reinstated: a measure after the reinstatement needs an invitation made after it.",
            date=day,
        )
    return _(
        "The invitation cannot be before %(date)s, the day the authorisation was signed: the "
        "manufacturer cannot have been heard on a measure against it before it existed.",
        date=day,
    )


def _in_force_hint(decision: Decision) -> str:
    day = long_date(_signed_on(decision))
    if decision.kind == DecisionKind.REINSTATEMENT:
        return _(
            "If the manufacturer was invited first: a date from %(date)s, the day the "
            "authorisation was reinstated, to today.",
            date=day,
        )
    return _(
        "If the manufacturer was invited first: a date from %(date)s, the day the "
        "authorisation was signed, to today.",
        date=day,
    )


# The signed refusal adds the rule it applies (article 59(1) not shown to be met): the grounds
# are the facts it rests on.
RefuseForm = decision_form(
    _l("Grounds for the refusal"),
    _l("Enter the grounds for the refusal."),
    _l(
        "The facts the refusal rests on: for example a benefit not shown to outweigh the "
        "risks, an appropriate CE-marked alternative, clinical data too thin, an urgency not "
        "shown, a device CE-marked since. The decision then states that the conditions of an "
        "authorisation (article 59(1), L. 5211-3 II) are not met. "
        "Printed on the signed decision and sent to the manufacturer by email: leave out any "
        "patient's identity."
    ),
)
SuspendForm = measure_form(
    _l("Grounds for the suspension"), _l("Enter the grounds for the suspension.")
)
ReinstateForm = decision_form(
    _l("Grounds for reinstating the authorisation"), _l("Enter the grounds for reinstating it.")
)
WithdrawForm = measure_form(
    _l("Grounds for withdrawing the authorisation"), _l("Enter the grounds for withdrawing it.")
)


FORMS = {
    "start-review": StartReviewForm,
    "request-information": RequestInformationForm,
    "authorise": AuthoriseForm,
    "refuse": RefuseForm,
    "suspend": SuspendForm,
    "reinstate": ReinstateForm,
    "withdraw": WithdrawForm,
}


def action_form_class(name: str, access_type: str | None):
    if name == "authorise" and access_type != "global":
        return IndividualAuthoriseForm
    return FORMS[name]
