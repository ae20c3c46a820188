"""Optimistic locking over HTTP: the ``version`` the pages send back in a hidden field travels as ``ETag``/``If-Match``.

A GET of a writable resource answers ``ETag: "<kind>-<id>-v<version>"`` (the record's ``version``, cpom.records,
that every write bumps). A write names the copy it is based on in ``If-Match``; the service then locks the row and
compares versions as it does for the pages (cpom.core.locking), so two writes sent with the same ETag cannot both
pass: one wins, the other gets 412. Without ``If-Match`` the write is refused with 428 rather than risking to
overwrite someone else's change unseen.
"""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status

# One entity tag of an If-Match list: strong or weak, quoted (RFC 9110 §8.8.3).
ENTITY_TAG = re.compile(r'\s*(?:W/)?"([^"]*)"\s*(?:,|$)')


class PreconditionRequired(exceptions.APIException):
    """A write without If-Match: nothing was saved (428)."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Cette écriture demande l'en-tête « If-Match » avec l'ETag reçu en lisant la ressource (GET) : sans lui, "
        "elle pourrait écraser la modification de quelqu'un d'autre. Rien n'a été enregistré."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    """A write based on an older copy than the one stored: nothing was saved (412)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "Quelqu'un d'autre a modifié cette ressource depuis votre lecture : l'ETag envoyé dans « If-Match » n'est "
        "plus celui de la version actuelle. Relisez-la (GET) et renvoyez votre modification avec le nouvel ETag. "
        "Rien n'a été enregistré."
    )
    default_code = "precondition_failed"


def etag(kind: str, record) -> str:
    """The record's entity tag, quoted as the header carries it."""
    return f'"{kind}-{record.pk}-v{record.version}"'


def _tags(header: str) -> list[str]:
    tags, position = [], 0
    while position < len(header):
        match = ENTITY_TAG.match(header, position)
        if match is None:
            raise PreconditionFailed(
                f"En-tête « If-Match » illisible : « {header} ». Envoyez l'ETag reçu en lisant la ressource, "
                'guillemets compris (par exemple « If-Match: "ligne-12-v3" »). Rien n\'a été enregistré.'
            )
        tags.append(match.group(1))
        position = match.end()
    return tags


def expected_version(request, kind: str, record) -> int:
    """The version the write is based on, from its If-Match (428 without one, or with ``*``). A tag of another
    record names no version of this one: 412. With several tags, the one naming the current version, if any, is kept; the
    service checks it again under its lock."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired
    if header == "*":
        # « any version » would let the write overwrite whatever is stored: the page always names the one it showed.
        raise PreconditionRequired(
            "« If-Match: * » ne nomme aucune version : envoyez l'ETag reçu en lisant la ressource (GET), pour ne pas "
            "écraser une modification faite entre-temps. Rien n'a été enregistré."
        )
    prefix = f"{kind}-{record.pk}-v"
    versions = [
        int(tag[len(prefix) :]) for tag in _tags(header) if tag.startswith(prefix) and tag[len(prefix) :].isdigit()
    ]
    if not versions:
        raise PreconditionFailed
    return record.version if record.version in versions else versions[0]


# The schema's description of the header and of the two refusals, for every write that takes If-Match.
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "L'ETag reçu en lisant la ressource (GET), guillemets compris. Sans lui : 428 ; s'il n'est plus celui de "
        "la version actuelle (quelqu'un a écrit entre-temps) : 412. Dans les deux cas rien n'est enregistré."
    ),
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="La version lue, à renvoyer telle quelle dans « If-Match » pour écrire.",
    response=[200],
)
LOCKING_RESPONSES = {
    412: OpenApiResponse(
        description="ETag périmé : la ressource a changé depuis votre lecture ; rien n'est enregistré."
    ),
    428: OpenApiResponse(description="En-tête « If-Match » absent ; rien n'est enregistré."),
}
