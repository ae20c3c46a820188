"""Every refused access, on the ``cpom.security`` logger: what a security officer reads after an incident.

A refusal is a 401 or a 403 answer, page or API, with its French reason when the refusing code gave one (a rule's
reason, the API's problem detail); failed and locked-out logins are logged by :mod:`cpom.accounts.signals`. A 404
is not logged: cpom answers 404 for what another organisation holds, and cannot tell that from a typing error."""

import logging

from django.core.exceptions import PermissionDenied

from .logs import logged_path

SECURITY_LOGGER = logging.getLogger("cpom.security")
REFUSED = (401, 403)


class RefusedAccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in REFUSED:
            reason = getattr(request, "cpom_refusal", "") or "sans motif donné"
            SECURITY_LOGGER.warning(
                "Accès refusé (%s) %s %s : %s",
                response.status_code,
                request.method,
                logged_path(request),
                reason,
                extra={"status": response.status_code, "method": request.method, "path": logged_path(request)},
            )
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            request.cpom_refusal = str(exception)
        return
