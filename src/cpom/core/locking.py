"""Optimistic locking, written once: a save based on a copy someone else changed meanwhile is refused, never merged.

Each editable record carries a ``version`` that every write bumps; the page sends back the version it showed, and
:func:`locked` refuses the write when the record has moved on. Records without a version (a year of national mean
costs, a scenario's figures) compare a :func:`fingerprint` of what the page showed instead. Every refusal is the
same :class:`StaleWrite`, which the web layer answers with the same French message and status 409 everywhere.
"""

import hashlib
import json

STALE_MESSAGE = (
    "Quelqu'un d'autre a enregistré une modification pendant que vous consultiez cette page : la vôtre n'a pas été "
    "enregistrée. Rechargez la page pour repartir de la version actuelle."
)
STALE_STATUS = 409


class StaleWrite(Exception):
    """The write was based on an outdated copy; nothing was saved."""

    def __init__(self, *args):
        super().__init__(STALE_MESSAGE)


def check_version(current_version: int, expected_version: int | None) -> None:
    if expected_version is None or current_version != expected_version:
        raise StaleWrite


def locked(queryset, expected_version: int | None, **lookup):
    """The row, locked until the end of the transaction, if it is still the version the user saw."""
    current = queryset.select_for_update().get(**lookup)
    check_version(current.version, expected_version)
    return current


def fingerprint(data) -> str:
    """A short digest of what a page showed (any JSON-serialisable data, numbers and dates as text)."""
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
