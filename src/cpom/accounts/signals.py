"""When a session starts (for its timeout, cpom.accounts.sessions); failed and locked-out logins on the
``cpom.security`` logger (the refused pages are logged by :mod:`cpom.operations.security`). The identifier typed is
logged, never the password."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import sessions
from .client_address import client_address

SECURITY_LOGGER = logging.getLogger("cpom.security")


def _typed_identifier(credentials: dict) -> str:
    # Bounded and on one line: the identifier is what an attacker typed.
    return repr(str(credentials.get("username", ""))[:150])


@receiver(user_logged_in)
def start_the_session_clock(sender, request=None, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.start(request.session)


@receiver(user_login_failed)
def log_failed_login(sender, credentials, request=None, **kwargs):
    address = client_address(request) if request is not None else ""
    SECURITY_LOGGER.warning(
        "Connexion refusée pour l'identifiant %s depuis %s", _typed_identifier(credentials), address
    )


@receiver(user_locked_out)
def log_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    SECURITY_LOGGER.warning(
        "Identifiant %s bloqué après trop d'essais depuis %s", _typed_identifier({"username": username}), ip_address
    )
