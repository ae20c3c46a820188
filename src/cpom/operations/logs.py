"""Logs: one line per request with its user and organisation, JSON lines when ``CPOM_LOG_FORMAT=json``.

Every record written while a request is served carries that request's user and organisation (the filter reads them
from the request being served, only when a record is actually written, and only what is already loaded: a log line
never costs a query in the middle of a view). The request's own line, written when its response leaves, looks the
membership up if the view did not. Nothing secret is written: no query string, no cookie, and the path parts that are
tokens (a password reset's, a calendar feed's) are masked.
"""

import contextvars
import json
import logging
import re
import time
from datetime import UTC, datetime

from django.utils.functional import empty

from cpom.access import Side, membership_of

REQUEST_LOGGER = logging.getLogger("cpom.requests")
# Path parameters whose value is a secret: masked in the logged path.
SECRET_PARAMETERS = frozenset({"token", "uidb64"})
MASK = "…"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# The fields a record may carry besides its message, in the order a JSON line gives them.
FIELDS = ("request_id", "user", "organisation", "method", "path", "view", "status", "duration_ms")

_current = contextvars.ContextVar("cpom_request", default=None)


def organisation_of(membership) -> str:
    """``managing_body:12``, ``authority:3`` or ``platform``: identifiers, never a name to look up."""
    if membership is None:
        return ""
    if membership.side == Side.PLATFORM:
        return "platform"
    if membership.side == Side.MANAGING_BODY:
        return f"managing_body:{membership.managing_body_id}"
    return f"authority:{membership.authority_id}"


def _loaded_user(request):
    """The request's user if authentication already read it, else None (reading it would query the session)."""
    user = request.__dict__.get("user") if request is not None else None
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    return None if wrapped is empty else wrapped


def who(request, *, load: bool = False) -> tuple[str, str]:
    """(username, organisation) of the request's user; empty strings for an anonymous one."""
    user = getattr(request, "user", None) if load else _loaded_user(request)
    if user is None or not getattr(user, "is_authenticated", False):
        return "", ""
    if load or user.is_superuser:
        membership = membership_of(user)
    else:
        membership = user._state.fields_cache.get("membership")
    return user.get_username(), organisation_of(membership)


def request_id(request) -> str:
    """The reverse proxy's request identifier (nginx ``$request_id`` as ``X-Request-ID``), when it is well formed."""
    value = request.META.get("HTTP_X_REQUEST_ID", "")
    return value if REQUEST_ID.match(value) else ""


def logged_path(request) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name, value in match.kwargs.items() if match else ():
        if name in SECRET_PARAMETERS and value:
            path = path.replace(str(value), MASK)
    return path


class RequestContextFilter(logging.Filter):
    """Gives every record ``user``, ``organisation`` and ``request_id`` (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None) or _current.get()
        if not hasattr(record, "user"):
            try:
                record.user, record.organisation = who(request)
            except Exception:  # a log line never breaks what it reports on
                record.user, record.organisation = "", ""
        if not hasattr(record, "request_id"):
            record.request_id = request_id(request) if request is not None else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request's fields, the error."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value not in (None, ""):
                line[field] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Plain text, the request's user and organisation at the end when there are some."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        context = " ".join(
            f"{label}={getattr(record, field)}"
            for label, field in (("utilisateur", "user"), ("organisation", "organisation"), ("requete", "request_id"))
            if getattr(record, field, "")
        )
        if not context:
            return text
        head, newline, rest = text.partition("\n")  # after the message, before a traceback
        return f"{head} [{context}]{newline}{rest}"


class RequestLogMiddleware:
    """One line per request on the ``cpom.requests`` logger, at INFO whatever the status (Django's ``django.request``
    logger already reports the 4xx and 5xx, a 5xx with its traceback): the settings turn it on in production."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if REQUEST_LOGGER.isEnabledFor(logging.INFO):
            self.log(request, response.status_code, time.perf_counter() - started)
        return response

    def log(self, request, status: int, seconds: float) -> None:
        try:
            user, organisation = who(request, load=True)
        except Exception:
            user, organisation = "", ""
        match = getattr(request, "resolver_match", None)
        path = logged_path(request)
        duration = round(seconds * 1000, 1)
        REQUEST_LOGGER.info(
            "%s %s %s %s ms",
            request.method,
            path,
            status,
            duration,
            extra={
                "user": user,
                "organisation": organisation,
                "request_id": request_id(request),
                "method": request.method,
                "path": path,
                "view": match.view_name if match else "",
                "status": status,
                "duration_ms": duration,
            },
        )
