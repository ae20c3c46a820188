"""The API's refusals as ``application/problem+json`` (RFC 9457), in French, as the pages' are.

Every error the API answers has the same body: ``type`` (a URN naming the kind of problem), ``title`` (the kind in
French), ``status``, ``detail`` (what happened, in French) and ``instance`` (the address asked); a refused input adds
``errors``, one entry per field with a JSON pointer to it (``#/values/0/year``). Views raise DRF's exceptions (or
Django's Http404 and PermissionDenied); the handler turns each into its problem.
"""

import json
import logging
from math import ceil

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions
from rest_framework.views import exception_handler, set_rollback

from cpom.core.locking import StaleWrite

from .concurrency import PreconditionFailed, PreconditionRequired
from .querying import InvalidQuery

PROBLEM_JSON = "application/problem+json"

logger = logging.getLogger("cpom.api")


# status → (the type's last part, the title): one kind of problem per status the API answers.
PROBLEMS = {
    400: ("invalid-request", "Requête invalide"),
    401: ("not-authenticated", "Authentification requise"),
    403: ("forbidden", "Accès refusé"),
    404: ("not-found", "Introuvable"),
    405: ("method-not-allowed", "Méthode non permise"),
    406: ("not-acceptable", "Format de réponse indisponible"),
    412: ("precondition-failed", "Version périmée"),
    413: ("too-large", "Requête trop volumineuse"),
    415: ("unsupported-media-type", "Format de requête non pris en charge"),
    428: ("precondition-required", "En-tête If-Match requis"),
    429: ("throttled", "Trop de requêtes"),
    500: ("server-error", "Erreur interne du serveur"),
    503: ("busy", "Service momentanément indisponible"),
}
TYPE_PREFIX = "urn:cpom:problem:"


def _in(wait: float | None) -> str:
    if wait is None:
        return "dans un instant"
    seconds = max(1, ceil(wait))
    return f"dans {seconds} seconde{'s' if seconds > 1 else ''}"


# The French of the refusals DRF raises with its own words; a message given where the exception is raised is kept.
DEFAULT_DETAILS = {
    exceptions.NotAuthenticated: "Authentifiez-vous avec votre jeton d'API : en-tête « Authorization: Token <jeton> ».",
    exceptions.AuthenticationFailed: "Jeton d'API invalide ou révoqué : créez-en un nouveau depuis « Mon compte ».",
    exceptions.NotFound: "Aucune ressource à cette adresse parmi celles que votre organisation peut voir.",
    exceptions.PermissionDenied: "Votre rôle ne permet pas cette action.",
    exceptions.ParseError: "Le corps de la requête n'est pas du JSON valide.",
    exceptions.UnsupportedMediaType: "Envoyez le corps de la requête en JSON (en-tête « Content-Type: application/json »).",
    exceptions.NotAcceptable: "L'API ne répond qu'en JSON : demandez « Accept: application/json ».",
    PreconditionFailed: PreconditionFailed.default_detail,
    PreconditionRequired: PreconditionRequired.default_detail,
}


def _detail(exc, request) -> str:
    """What happened, in French."""
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = request.method if request is not None else ""
        return f"La méthode {method} n'est pas permise à cette adresse."
    if isinstance(exc, exceptions.Throttled):
        return f"Trop de requêtes sur l'API cpom : réessayez {_in(exc.wait)}."
    if isinstance(exc, InvalidQuery):
        return f"Paramètre de requête refusé : {', '.join(exc.detail)} (voir « errors ») ; rien n'a été lu."
    if isinstance(exc, exceptions.ValidationError):
        return "Les données envoyées sont refusées (voir « errors », un message par champ) ; rien n'a été enregistré."
    for kind, french in DEFAULT_DETAILS.items():
        if isinstance(exc, kind) and str(exc.detail) in (str(kind.default_detail), ""):
            return french
    return str(exc.detail)


def _pointed(detail, pointer: str = "#") -> list[tuple[str, str]]:
    """Each message of a validation error with the JSON pointer of its field (« #/values/0/year », « # » for the
    whole body)."""
    if isinstance(detail, dict):
        return [
            item
            for key, value in detail.items()
            for item in _pointed(value, pointer if key == "non_field_errors" else f"{pointer}/{key}")
        ]
    if isinstance(detail, list):
        if all(not isinstance(item, (list, dict)) for item in detail):
            return [(pointer, str(item)) for item in detail]
        return [item for index, value in enumerate(detail) for item in _pointed(value, f"{pointer}/{index}")]
    return [(pointer, str(detail))]


def problem(status_code: int, detail: str, instance: str, **extra) -> HttpResponse:
    """A problem+json response: written as JSON whatever the request accepts (a 406 cannot negotiate either)."""
    slug, title = PROBLEMS.get(status_code, PROBLEMS[500 if status_code >= 500 else 400])
    body = {
        "type": TYPE_PREFIX + slug,
        "title": title,
        "status": status_code,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status_code, content_type=PROBLEM_JSON)


# Headers DRF's handler sets that the client needs: how to authenticate, when to retry, which methods exist.
KEPT_HEADERS = ("WWW-Authenticate", "Retry-After", "Allow")


def problem_details(exc, context):
    """DRF's EXCEPTION_HANDLER: every exception of an API view becomes its problem+json answer."""
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    # Django's own refusals, raised by get_object_or_404 and the rules, answer as DRF's do.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, StaleWrite):
        # A service's optimistic lock refused the If-Match's version: the write was based on an older copy.
        exc = PreconditionFailed()
    response = exception_handler(exc, context)
    if response is None:
        # Not an API exception: a defect. Whatever it wrote is rolled back, it is logged with its traceback, and
        # the client gets no internals.
        set_rollback()
        logger.exception("Erreur interne de l'API sur %s", instance, exc_info=exc)
        return problem(500, "Une erreur interne est survenue ; elle a été consignée pour l'équipe cpom.", instance)
    extra = {}
    if isinstance(exc, InvalidQuery):
        extra["errors"] = [
            {"parameter": name, "detail": str(message)} for name, messages in exc.detail.items() for message in messages
        ]
    elif isinstance(exc, exceptions.ValidationError):
        extra["errors"] = [{"pointer": pointer, "detail": message} for pointer, message in _pointed(exc.detail)]
    detail = _detail(exc, request)
    if request is not None:
        # For the refused-access log (cpom.operations.security), which reads the Django request.
        request._request.cpom_refusal = detail
    answer = problem(response.status_code, detail, instance, **extra)
    for header in KEPT_HEADERS:
        if header in response:
            answer[header] = response[header]
    return answer


def _names_an_endpoint(path: str) -> bool:
    try:
        return resolve(path).func is not unknown_address
    except Resolver404:
        return False


def unknown_address(request, path=""):
    """Any address under the API that names no endpoint: a problem too, never the pages' HTML 404. Django's own
    redirect to the address with its final slash no longer applies here, so the answer says it."""
    detail = "Aucun point d'accès de l'API cpom à cette adresse."
    if not request.path.endswith("/") and _names_an_endpoint(request.path + "/"):
        detail += f" Les adresses de l'API finissent par « / » : {request.path}/"
    return problem(404, detail, request.get_full_path())
