"""The signed decision PDF, through the receipt's pipeline: the decision record → HTML
(`templates/receipts/decision.html`, French with English beneath) → PDF/A with the record
attached as `decision.json` (canonical JSON) → PAdES signature with the portal's key.

No Flask here: the caller passes the Jinja2 environment and the signer.
"""

from __future__ import annotations

import datetime as dt

import jinja2
from pyhanko.sign.signers import Signer
from pyhanko.sign.timestamps import TimeStamper

from wizard.domain.canonical import canonical_json
from wizard.i18n import in_french_and_english
from wizard.receipts.context import ACCESS_TYPES, PARIS, grouped_in_both
from wizard.receipts.layout import template_geometry
from wizard.receipts.render import EmbeddedFile, render_pdf
from wizard.receipts.signing import sign_pdf
from wizard.receipts.verify import DECISION_FILENAME

TEMPLATE_NAME = "receipts/decision.html"
ACT_TEMPLATE = "receipts/_act.html"  # the act itself, read back before it is signed too

TITLES = {
    "authorisation": ("Autorisation d’accès dérogatoire", "Derogatory-access authorisation"),
    "refusal": ("Refus d’autorisation", "Refusal of authorisation"),
    "suspension": ("Suspension de l’autorisation", "Suspension of the authorisation"),
    "reinstatement": ("Rétablissement de l’autorisation", "Reinstatement of the authorisation"),
    "withdrawal": ("Abrogation de l’autorisation", "Withdrawal of the authorisation"),
}
# A manufacturer withdrawing their own request before any decision.
REQUEST_WITHDRAWAL = ("Retrait de la demande", "Withdrawal of the request")

STATUSES = {
    "authorised": ("Autorisée", "Authorised"),
    "refused": ("Refusée", "Refused"),
    "suspended": ("Suspendue", "Suspended"),
    "withdrawn": ("Abrogée", "Withdrawn"),
}


def decision_context(record: dict) -> dict:
    """Template variables for `receipts/decision.html`."""
    decided = dt.datetime.fromisoformat(record["decided_at"]).astimezone(dt.UTC)
    by_manufacturer = _by_manufacturer(record)
    kind = record["kind"]
    title = REQUEST_WITHDRAWAL if by_manufacturer else TITLES[kind]
    request = record["request"]
    submitted = dt.datetime.fromisoformat(request["submitted_at"]).astimezone(dt.UTC)
    return {
        "record": record,
        "reference": record["reference"],
        "number": record["decision_number"],
        "portal_name": record["portal_name"],
        "title_fr": title[0],
        "title_en": title[1],
        "by_manufacturer": by_manufacturer,
        "status_fr": _status_after(record, by_manufacturer)[0],
        "status_en": _status_after(record, by_manufacturer)[1],
        "decided_utc": decided.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "decided_paris": _moment_in_paris(decided),
        "decided_on": _day_in_paris(decided),
        "submitted_utc": submitted.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "submitted_on": _day_in_paris(submitted),
        "submitted_paris": _moment_in_paris(submitted),
        "created_iso": decided.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "access_fr": ACCESS_TYPES.get(request["access_type"], ("", ""))[0],
        "access_en": ACCESS_TYPES.get(request["access_type"], ("", ""))[1],
        "authorisation": record["authorisation"],
        "measures": [
            {**measure, "on": in_french_and_english(measure.get("decided_on"))}
            for measure in _measures_cited(record)
        ],
        # The authorisation a later act cites, dated (records of earlier versions are not).
        "authorised_on": in_french_and_english((record["authorisation"] or {}).get("decided_on")),
        "invited_on": in_french_and_english(record.get("procedure", {}).get("invited_on")),
        "asked_on": in_french_and_english(record.get("procedure", {}).get("asked_on")),
        "period": _period_of(record["authorisation"]),
        "period_begun": _period_begun(record["authorisation"], decided),
        "max_patients": grouped_in_both((record["authorisation"] or {}).get("max_patients")),
        "estimated_patients": grouped_in_both(
            (request.get("scope") or {}).get("estimated_patients")
        ),
        "reports_due": _reports_due(record["authorisation"]),
        "request": request,
        # Ends a sentence of the act: without the full stop it may have of its own. ANSM's
        # words; a decision of an earlier version quoted the request's.
        "indication": (
            (record["authorisation"] or {}).get("indication")
            or (request.get("scope") or {}).get("indication", "")
        )
        .strip()
        .rstrip("."),
        # One per line, blank lines left out.
        "establishments": [
            line.strip()
            for line in ((record["authorisation"] or {}).get("establishments") or "").splitlines()
            if line.strip()
        ],
        "geometry": template_geometry(),
        "act_template": ACT_TEMPLATE,
    }


def render_decision_html(record: dict, env: jinja2.Environment) -> str:
    return env.get_template(TEMPLATE_NAME).render(decision_context(record))


def build_decision_pdf(
    record: dict,
    *,
    signer: Signer,
    env: jinja2.Environment,
    timestamp_url: str | None = None,
    timestamper: TimeStamper | None = None,
) -> bytes:
    """The signed PDF/A decision, with `record` attached as canonical JSON."""
    unsigned = render_pdf(
        render_decision_html(record, env),
        base_url=None,
        attachments=[
            EmbeddedFile(
                filename=DECISION_FILENAME,
                content=canonical_json(record),
                description="Décision, JSON canonique / Decision, canonical JSON",
                mime_type="application/json",
                relationship="Data",
            )
        ],
    )
    if _by_manufacturer(record):  # no decision of ANSM: the request withdrawn
        label = f"Retrait / Withdrawal {record['reference']}"
    else:
        label = f"Décision / Decision {record['reference']} n° {record['decision_number']}"
    return sign_pdf(
        unsigned,
        signer,
        reason=label,
        timestamp_url=timestamp_url,
        timestamper=timestamper,
        stamp_text=(
            f"Signé électroniquement par / Digitally signed by\n%(signer)s\nLe / On %(ts)s\n{label}"
        ),
    )


def _status_after(record: dict, by_manufacturer: bool) -> tuple[str, str]:
    """The request's status once decided, as the portal's pages write it: "withdrawn" is the
    request withdrawn by its manufacturer, or an authorisation withdrawn by ANSM
    (`web.status_label`)."""
    if record["status_after"] == "withdrawn":
        if by_manufacturer:
            return ("Demande retirée", "Request withdrawn")
        return ("Autorisation abrogée par l’ANSM", "Authorisation withdrawn by ANSM")
    return STATUSES[record["status_after"]]


def _measures_cited(record: dict) -> list[dict]:
    """The suspensions and reinstatements of the authorisation an act cites, oldest first; of
    a record from before they were listed, the suspension a reinstatement lifts."""
    if "measures" in record:
        return record["measures"]
    if suspension := record.get("suspension"):
        return [{"decision_number": suspension["decision_number"], "kind": "suspension"}]
    return []


def _by_manufacturer(record: dict) -> bool:
    return record["decided_by"]["role"] == "manufacturer"


def _period_of(authorisation: dict | None) -> dict | None:
    """The authorised period written out: {"start": (fr, en), "end": (fr, en)}."""
    if not authorisation:
        return None
    return {
        "start": in_french_and_english(authorisation["period_start"]),
        "end": in_french_and_english(authorisation["period_end"]),
    }


def _period_begun(authorisation: dict | None, decided: dt.datetime) -> bool:
    """Whether the authorised period had begun on the day (in France) the act was decided: a
    suspension lifted before it began does not put the authorisation back "in force"."""
    if not authorisation:
        return False
    return authorisation["period_start"] <= decided.astimezone(PARIS).date().isoformat()


def _reports_due(authorisation: dict | None) -> dict | None:
    """The dates reports are due by, written out as the act lists them, and how often:
    {"fr": "le 1er avril 2027 et le 30 juin 2027", "en": "1 April 2027 and 30 June 2027",
    "every_months": 3}; None without set dates (and in the records of earlier versions)."""
    days = [in_french_and_english(day) for day in (authorisation or {}).get("reports_due") or ()]
    if not days:
        return None
    french = [f"le {fr}" for fr, _en in days]
    english = [en for _fr, en in days]
    return {
        "fr": " et ".join(filter(None, [", ".join(french[:-1]), french[-1]])),
        "en": " and ".join(filter(None, [", ".join(english[:-1]), english[-1]])),
        "every_months": authorisation["report_every_months"],
        "single": len(days) == 1,  # a period shorter than the interval: its last day only
    }


def _moment_in_paris(moment: dt.datetime) -> tuple[str, str]:
    """The moment in France, written as the act and the pages write it, to the minute:
    ("4 décembre 2026 à 12 h 30", "4 December 2026, 12:30")."""
    day_fr, day_en = _day_in_paris(moment)
    local = moment.astimezone(PARIS)
    return f"{day_fr} à {local.hour} h {local.minute:02d}", f"{day_en}, {local:%H:%M}"


def _day_in_paris(moment: dt.datetime) -> tuple[str, str]:
    """The day of `moment` in France, written out: ("1er mars 2027", "1 March 2027")."""
    return in_french_and_english(moment.astimezone(PARIS).date().isoformat())
