"""The OpenAPI schema's refusals: every operation documents the problems it may answer (cpom.api.errors), as
``application/problem+json``, so that an integrator (and schemathesis) knows their shape."""

from .errors import PROBLEM_JSON, PROBLEMS

# The refusals any read may meet: a bad filter, no or a bad token, a role, an object not seen, too many requests.
READ_REFUSALS = (400, 401, 403, 404, 406, 429)
# A write may also be refused for its body's format.
WRITE_REFUSALS = (*READ_REFUSALS, 405, 415)

METHODS = {"get", "post", "put", "patch", "delete"}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Un refus de l'API (RFC 9457), en français.",
    "properties": {
        "type": {"type": "string", "description": "URN du genre de problème (urn:cpom:problem:…)."},
        "title": {"type": "string", "description": "Le genre de problème."},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "Ce qui s'est passé."},
        "instance": {"type": "string", "description": "L'adresse demandée."},
        "errors": {
            "type": "array",
            "description": "Un message par champ (pointer) ou par paramètre de requête (parameter) refusé.",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {"type": "string"},
                    "parameter": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "instance"],
}


def problem_responses(result, generator, request, public):
    """drf-spectacular's postprocessing hook: the Problem component, referenced by each operation's refusals."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in READ_REFUSALS if method == "get" else WRITE_REFUSALS:
                responses.setdefault(str(status), {"description": PROBLEMS[status][1]})
            # Every refusal, those an operation describes itself included (a write's 412, 413, 428), is a problem.
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    response.setdefault("content", {PROBLEM_JSON: {"schema": reference}})
    return result
