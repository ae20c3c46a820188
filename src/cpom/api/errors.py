"""The API's refusals in French, as the pages' are."""

from math import ceil

from rest_framework.exceptions import Throttled
from rest_framework.views import exception_handler


def _in(wait: float | None) -> str:
    if wait is None:
        return "dans un instant"
    seconds = max(1, ceil(wait))
    return f"dans {seconds} seconde{'s' if seconds > 1 else ''}"


def french_errors(exc, context):
    response = exception_handler(exc, context)
    if isinstance(exc, Throttled) and response is not None:
        response.data = {"detail": f"Trop de requêtes sur l'API cpom : réessayez {_in(exc.wait)}."}
    return response
