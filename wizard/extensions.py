"""Flask extensions, created unbound here and bound to the app in `create_app()`."""

import os
import sqlite3
from datetime import datetime
from typing import Annotated

from flask import Flask
from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, mapped_column

from wizard.csrf import CSRFProtect
from wizard.i18n import RequestDomain


class Base(DeclarativeBase):
    pass


# Every timestamp is stored with its zone (UTC), so PostgreSQL never reinterprets it.
Timestamp = Annotated[datetime, mapped_column(DateTime(timezone=True))]


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
babel.domain_instance = RequestDomain()
htmx = HTMX()


@event.listens_for(Engine, "connect")
def _sqlite_write_ahead_log(connection, _record) -> None:
    """SQLite in write-ahead-log mode: pages are read while a step is being saved, instead of
    waiting for the save to finish. (PostgreSQL needs nothing of the kind.)"""
    if isinstance(connection, sqlite3.Connection):
        connection.execute("PRAGMA journal_mode=WAL")
        _owner_only(connection)


def _owner_only(connection: sqlite3.Connection) -> None:
    """The database file and its log read and written by the server's own user alone, as
    backups, uploads and exported receipts are: it holds the same health data and the
    password hashes (created 0644 under the usual umask otherwise)."""
    for _seq, name, path in connection.execute("PRAGMA database_list"):
        if name != "main" or not path:  # an in-memory database
            continue
        for file in (path, f"{path}-wal", f"{path}-shm"):
            try:
                if os.stat(file).st_mode & 0o077:
                    os.chmod(file, 0o600)
            except OSError:  # not there (yet), or another user's: left as it is
                pass


def rate_limiter(app: Flask) -> Limiter:
    """A Flask-Limiter bound to `app` (storage and `RATELIMIT_*` from its config). Unlike the
    extensions above, one per app: Flask-Limiter keeps its settings on the instance, and two
    apps sharing one (as tests build) would overwrite each other's. Limits per client address;
    behind a reverse proxy, that is the client's only with `TRUSTED_PROXIES` set."""
    return Limiter(get_remote_address, app=app, default_limits=[])
