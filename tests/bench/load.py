"""Load benchmark: the app under gunicorn with the production config (PostgreSQL when
DATABASE_URL is set, SQLite otherwise), driven by wrk from a separate process.

Measures a bare endpoint (the stack's limit), the signed-in floor (what every signed-in
request does before its own work: session, CSRF, user and request lookup; `floor_app.py`), a
wizard step page, the htmx live validation of one field (at the address the page uses, and at
the request's own, which reads the request) and the POST of a full valid step;
prints absolute figures and ratios to the bare endpoint, and the compressed size of the JS and
CSS a step page loads. Run by `make bench`.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
WORKERS = os.environ.get("BENCH_WORKERS", "2")
THREADS = os.environ.get("BENCH_THREADS", "4")
EMAIL, PASSWORD = "bench@cardiotech.example", "correct horse battery staple"

SEED = textwrap.dedent(
    f"""
    from wizard import create_app
    from wizard.extensions import db
    from wizard.models import Organisation, User
    from wizard.filing import service
    from wizard.demo import sample_answers
    app = create_app()
    with app.app_context():
        user = User(email="{EMAIL}", name="Bench", organisation=Organisation(name="Bench SAS"))
        user.confirm_email()
        user.set_password("{PASSWORD}")
        db.session.add(user); db.session.commit()
        dossier = service.create_dossier(user)
        for step in ("before-you-start", "situation"):
            service.save_step(dossier, step, sample_answers()[step])
        print(dossier.id)
    """
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Session:
    """A signed-in browser, by hand: cookie jar of one cookie and the CSRF token."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, body: dict | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Cookie": self.cookie, **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, urlencode(body) if body else None, sent)
        response = connection.getresponse()
        content = response.read()
        for cookie in response.headers.get_all("Set-Cookie") or ():
            name, _eq, value = cookie.split(";")[0].partition("=")
            self.cookies[name.strip()] = value
        return response.status, content.decode("utf-8", "replace")

    def token(self, path: str) -> str:
        _status, page = self.request("GET", path)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def wrk(url: str, *, headers=(), script: Path | None = None, connections=CONNECTIONS) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{DURATION}", "--latency", url]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)

    def latency(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def post_script(folder: Path, name: str, body: dict, headers: dict) -> Path:
    lines = ['wrk.method = "POST"', f"wrk.body = {lua(urlencode(body))}"]
    lines += [f"wrk.headers[{lua(k)}] = {lua(v)}" for k, v in headers.items()]
    path = folder / f"{name}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def paced(script: Path, rate: float, connections: int) -> Path:
    """The same requests, each connection pausing between them so that all together offer
    about `rate` requests per second: latency under load rather than at saturation, where it
    only measures the queue (even the bare endpoint's p99 is tens of ms there)."""
    path = script.with_name(f"paced-{script.name}")
    pause = 1000 * connections / rate
    path.write_text(script.read_text() + f"function delay()\n  return {pause:.1f}\nend\n")
    return path


def lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def static_bytes(session: Session, page: str) -> tuple[int, int]:
    assets = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', page)
    raw = compressed = 0
    for asset in assets:
        _status, content = session.request("GET", asset)
        data = content.encode()
        raw += len(data)
        compressed += len(gzip.compress(data, 9))
    return raw, compressed


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk): load benchmark skipped.")
        return 0
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    from wizard.receipts.keys import ensure_dev_signing_identity

    key, cert = ensure_dev_signing_identity(folder / "signing")
    env = {
        **os.environ,
        "WIZARD_ENV": "production",
        "PUBLIC_BASE_URL": "https://derogations.example",
        "SECRET_KEY": secrets.token_hex(32),
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "RECEIPT_KEY_PATH": str(key),
        "RECEIPT_CERT_PATH": str(cert),
        "FLASK_APP": "wizard",
        "RATELIMIT_ENABLED": "false",
        "TRUSTED_PROXIES": "0",  # wrk reaches gunicorn directly
        # Production needs one; nothing the benchmark does sends an email.
        "MAIL_HOST": "127.0.0.1",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    subprocess.run([BIN / "flask", "db", "upgrade"], env=env, check=True, capture_output=True)
    dossier_id = subprocess.run(
        [sys.executable, "-c", SEED], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "-w",
            WORKERS,
            "-k",
            "gthread",
            "--threads",
            THREADS,
            "-b",
            f"127.0.0.1:{port}",
            # Each worker its own listening socket: the kernel spreads connections between
            # them (with one shared socket, a run could see one worker take every connection).
            "--reuse-port",
            "--log-level",
            "warning",
            "--pythonpath",
            str(Path(__file__).parent),
            "floor_app:create_app()",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        session = Session(port)
        for _ in range(100):
            try:
                if session.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        token = session.token("/login")
        status, _ = session.request(
            "POST", "/login", {"email": EMAIL, "password": PASSWORD, "csrf_token": token}
        )
        assert status == 303, status
        step = f"/requests/{dossier_id}/steps/manufacturer"
        token = session.token(step)
        _status, page = session.request("GET", step)
        # Where the page sends its live checks: the form checked alone, no request read.
        checked_at = re.search(r'hx-post="([^"]+)"', page).group(1)
        cookie = [f"Cookie: {session.cookie}"]
        manufacturer = {
            "legal_name": "Bench SAS",
            "country": "FR",
            "address": "1 rue X",
            "srn": "FR-MF-000012345",
            "siret": "73282932000074",
            "contact_name": "A B",
            "contact_email": "a@b.example",
            "contact_phone": "+33 1 23 45 67 89",
            "csrf_token": token,
            "action": "continue",
        }
        live = post_script(
            folder,
            "live",
            {"srn": "FR-MF-000012345", "csrf_token": token},
            {
                "HX-Request": "true",
                "HX-Trigger-Name": "srn",
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": session.cookie,
            },
        )
        full = post_script(
            folder,
            "full",
            manufacturer,
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": session.cookie},
        )
        floor = f"{base}/bench/floor/{dossier_id}"
        floor_post = post_script(
            folder,
            "floor",
            {"csrf_token": token},
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": session.cookie},
        )
        results = {
            "bare endpoint (/healthz)": wrk(f"{base}/healthz"),
            FLOOR_GET: wrk(floor, headers=cookie),
            FLOOR_POST: wrk(floor, script=floor_post),
            "wizard step page (GET)": wrk(f"{base}{step}", headers=cookie),
            "live validation (htmx POST)": wrk(f"{base}{checked_at}", script=live),
            LIVE_WITH_REQUEST: wrk(f"{base}{step}/validate", script=live),
            "full valid step (POST)": wrk(f"{base}{step}", script=full),
        }
        capacity = results["live validation (htmx POST)"]["rps"]
        results[LIVE_PACED] = wrk(
            f"{base}{checked_at}", script=paced(live, capacity / 2, 8), connections=8
        )
        raw, compressed = static_bytes(session, page)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    report(results, database, raw, compressed)
    return 0


LIVE_PACED = "live validation, half load"
# The same check at the request's own address, as a step whose rules read other steps' answers
# (the period) is checked: the request and the account read, as every signed-in page does.
LIVE_WITH_REQUEST = "  … reading the request"
FLOOR_GET, FLOOR_POST = "signed-in floor (GET)", "signed-in floor (POST)"
# Each target, and the floor under it: the same kind of request doing nothing of its own (the
# live check reads no account or request, so the signed-in floor is not under it).
TARGETS = {
    "wizard step page (GET)": (0.3, FLOOR_GET),
    "live validation (htmx POST)": (0.5, None),
    LIVE_WITH_REQUEST: (0.5, FLOOR_POST),
}


def report(results: dict, database: str, raw: int, compressed: int) -> None:
    bare = results["bare endpoint (/healthz)"]["rps"]
    print(
        f"\nLoad benchmark — gunicorn ({WORKERS} workers × {THREADS} threads), {database}, wrk "
        f"{CONNECTIONS} connections × {DURATION} (half load: 8 connections, paced)"
    )
    print(f"{'endpoint':<30}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}  target")
    for name, figures in results.items():
        ratio = figures["rps"] / bare
        verdict = ""
        if name in TARGETS:
            target, floor = TARGETS[name]
            verdict = f"≥ {target:.0%}: {'met' if ratio >= target else 'MISSED'}"
            floor_ratio = results[floor]["rps"] / bare if floor else 1
            if floor_ratio < target:
                verdict += f" (its floor: {floor_ratio:.0%})"
        if name == LIVE_PACED:
            verdict = f"p99 < 25 ms: {'met' if figures['p99'] < 25 else 'MISSED'}"
        if figures["errors"]:
            verdict += f"  ({figures['errors']} non-2xx/3xx responses)"
        shown = "—" if name == LIVE_PACED else f"{ratio:.0%}"
        print(
            f"{name:<30}{figures['rps']:>9.0f}{figures['p50']:>9.1f}{figures['p99']:>9.1f}"
            f"{shown:>9}  {verdict}"
        )
    if any(floor and results[floor]["rps"] / bare < target for target, floor in TARGETS.values()):
        print(
            "A target above its floor cannot be met by any signed-in request on this stack as "
            "configured: the floor does no work of its own."
        )
    verdict = "met" if compressed < 60 * 1024 else "MISSED"
    print(
        f"JS + CSS of a step page: {raw / 1024:.1f} KB, {compressed / 1024:.1f} KB gzip "
        f"(target < 60 KB compressed: {verdict})"
    )


if __name__ == "__main__":
    sys.exit(main())
