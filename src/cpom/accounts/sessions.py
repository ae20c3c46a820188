"""A session ends after ``CPOM_SESSION_IDLE_MINUTES`` without a page asked, and in any case ``CPOM_SESSION_MAX_HOURS``
after the login: an agent's browser left open in a shared office does not stay signed in.

The last activity is written at most once a minute (a write per page would cost every page a query), which is also
what keeps Django's own cookie alive while the person works."""

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

SEEN = "cpom_seen"
STARTED = "cpom_started"
WRITE_EVERY = 60  # seconds


def start(session, now: int | None = None) -> None:
    """At the login (cpom.accounts.signals), written with the new session: the first page writes nothing more."""
    session[STARTED] = session[SEEN] = int(time.time()) if now is None else now


def _ended(request, now: int) -> str | None:
    """Why the session is over, or None."""
    idle = settings.CPOM_SESSION_IDLE_MINUTES
    if now - request.session.get(SEEN, now) > idle * 60:
        return f"Votre session a pris fin après {idle} minutes sans activité : reconnectez-vous."
    hours = settings.CPOM_SESSION_MAX_HOURS
    if now - request.session.get(STARTED, now) > hours * 3600:
        return f"Votre session a pris fin {hours} heures après la connexion : reconnectez-vous."
    return None


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            reason = _ended(request, now)
            if reason:
                logout(request)
                messages.info(request, reason)
                login = f"{reverse('login')}?next={quote(request.get_full_path())}"
                # A fragment asked by htmx would get the login page inside the page: the whole page goes there.
                if request.headers.get("HX-Request") == "true":
                    return HttpResponseClientRedirect(login)
                return redirect(login)
            if STARTED not in request.session:  # a session opened before this version: counted from now
                start(request.session, now)
            elif now - request.session.get(SEEN, 0) >= WRITE_EVERY:
                request.session[SEEN] = now
        return self.get_response(request)
