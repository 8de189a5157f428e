"""The agency's side: the reviewers' queue and request pages with their actions (`views`),
the manufacturer's answers, withdrawal and decisions (`filer_views`), a healthcare
professional's answer through a link (`hcp_views`), and the expiry job (`cli`).

Importing the package registers nothing: `init_app` does. So `status`, used by the receipt
check, stays cheap to import.
"""

from flask import Flask
from flask_limiter import Limiter

from wizard.token_links import is_failed_lookup


def init_app(app: Flask, limiter: Limiter) -> None:
    from wizard.cli import schema_needed
    from wizard.review import (
        cli,
        filer_views,
        follow_up,
        hcp_views,
        history,
        late_answers,
        pages,
        views,
    )
    from wizard.review.status import (
        effective_status,
        measure_of,
        stopped_before_its_period,
        suspended_before_period,
    )

    limiter.shared_limit(
        app.config["INVITE_RATE_LIMIT"],
        scope="questions",
        deduct_when=is_failed_lookup,
    )(hcp_views.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(filer_views.bp)
    app.register_blueprint(hcp_views.bp)
    app.cli.add_command(schema_needed(cli.decisions_cli))
    app.jinja_env.globals.update(
        effective_status=effective_status,
        expected_ce=follow_up.expected_ce,
        certified_by=follow_up.certified_by,
        stopped_by=follow_up.stopped_by,
        overdue_count=follow_up.overdue_count,
        suspended_before_period=suspended_before_period,
        end_request_open=follow_up.end_request_open,
        reinstatement_ending=follow_up.reinstatement_ending,
        measure_of=measure_of,
        stopped_before_its_period=stopped_before_its_period,
        review_state=pages.review_state,
        actor_role=history.actor_role,
        decision_title=history.decision_title,
        procedure_text=history.procedure_text,
        event_text=history.event_text,
        history_text=history.history_text,
        closed_unanswered=late_answers.closed_unanswered,
    )
