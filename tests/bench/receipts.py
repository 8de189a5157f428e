"""Benchmark: time to produce one signed receipt vs a plain WeasyPrint render of the same HTML.

Run with `make bench`. Prints median and p90 of each and their ratio (target: signed ≤ 1.5×).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from wizard import create_app
from wizard.domain.canonical import canonical_json
from wizard.extensions import db
from wizard.receipts import service
from wizard.receipts.document import render_receipt_html
from wizard.receipts.render import render_pdf

RUNS = 15


def timed(function, runs: int = RUNS) -> list[float]:
    function()  # warm-up: fonts, templates, key loading
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.9 * (len(ordered) - 1))]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "INSTANCE_PATH": folder,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "UPLOAD_FOLDER": Path(folder) / "uploads",
            }
        )
        with app.app_context(), app.test_request_context():
            db.create_all()
            app.test_cli_runner().invoke(args=["demo"])
            from sqlalchemy import select

            from wizard.models import Dossier

            dossier = db.session.scalar(select(Dossier).where(Dossier.reference.is_not(None)))
            html = render_receipt_html(service.receipt_fields(dossier), app.jinja_env)
            canonical_json(dossier.submitted_answers)
            # The same WeasyPrint call the receipt uses (PDF/A-3b, tagged), without the
            # attachment and the signature: the cost of the signing pipeline is the difference.
            plain = summary(timed(lambda: render_pdf(html, base_url=None, attachments=[])))
            signed = summary(timed(lambda: service.produce_pdf(dossier)))
    ratio = signed[0] / plain[0]
    print(f"{'receipt benchmark':<34}{'median':>10}{'p90':>10}")
    print(f"{'plain WeasyPrint render':<34}{plain[0] * 1000:>8.0f}ms{plain[1] * 1000:>8.0f}ms")
    print(
        f"{'signed receipt (render+sign)':<34}{signed[0] * 1000:>8.0f}ms{signed[1] * 1000:>8.0f}ms"
    )
    verdict = "met" if ratio <= 1.5 else "MISSED"
    print(f"ratio signed/plain (median): {ratio:.2f}  (target ≤ 1.50: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
