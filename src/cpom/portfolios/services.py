"""Writing the programming: adding a line, changing it (optimistic locking), each change in the audit journal.

The form has checked each field; :func:`cpom.portfolios.rules.entry_problems` checks what links them (the
establishments are the body's, the authorities are competent, the referent is one of theirs). A refusal says every
reason at once and nothing is written.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction

from cpom.audit.services import record, snapshot
from cpom.core.locking import StaleWrite, locked
from cpom.core.refusals import Refused

from . import rules
from .models import ProgrammingEntry

FIELDS = ("managing_body", "target_year", "territorial_priority", "maturity", "situation", "referent", "comment")
RELATED = ("establishments", "authorities")


class ProgrammingRefused(Refused):
    """A change to the programming its rules refuse, with the reasons in French, field by field."""


class StaleProgramming(StaleWrite, ProgrammingRefused):
    def __init__(self):
        StaleWrite.__init__(self)
        self.reasons = [str(self)]


def _require(refusal: str | None) -> None:
    if refusal:
        raise ProgrammingRefused(refusal)


def choices(name: str) -> list[tuple[str, str]]:
    """The levels of an ANAP factor the settings give (``territorial_priorities`` or ``maturity_levels``)."""
    return [tuple(pair) for pair in settings.CPOM_PROGRAMMING[name]]


def _check(authority, data: dict, entry: ProgrammingEntry | None) -> None:
    problems = rules.entry_problems(authority, data)
    taken = ProgrammingEntry.objects.filter(managing_body=data["managing_body"], target_year=data["target_year"])
    if entry is not None:
        taken = taken.exclude(pk=entry.pk)
    if taken.exists():
        problems.append(
            f"Année de signature visée : « {data['managing_body']} » est déjà programmé en {data['target_year']}."
        )
    contract = data.get("contract")
    if contract is not None:
        linked = ProgrammingEntry.objects.filter(contract=contract)
        if entry is not None:
            linked = linked.exclude(pk=entry.pk)
        if linked.exists():
            problems.append(f"Contrat programmé : « {contract.reference} » est déjà lié à une autre ligne.")
    if problems:
        raise ProgrammingRefused(problems)


def _apply(entry: ProgrammingEntry, data: dict) -> None:
    for name in FIELDS:
        setattr(entry, name, data.get(name) if name != "comment" else data.get(name) or "")
    entry.contract = data.get("contract")


@transaction.atomic
def create_entry(user, authority, data: dict, at: datetime | None = None) -> ProgrammingEntry:
    """Adds a line to ``authority``'s programming (and to that of every authority concerned)."""
    _require(rules.write_refusal(user, authority))
    _check(authority, data, None)
    entry = ProgrammingEntry()
    _apply(entry, data)
    entry.save()
    entry.establishments.set(data["establishments"])
    entry.authorities.set(data["authorities"])
    record(user, entry, f"Programmation : {entry} ajouté", None, snapshot(entry), at=at)
    return entry


@transaction.atomic
def update_entry(
    user, authority, entry: ProgrammingEntry, data: dict, expected_version: int | None, at: datetime | None = None
) -> ProgrammingEntry:
    """Changes a line, if it is still the version the user saw (another authority may have changed it meanwhile)."""
    _require(rules.write_refusal(user, authority, entry))
    try:
        current = locked(ProgrammingEntry.objects.all(), expected_version, pk=entry.pk)
    except StaleWrite:
        raise StaleProgramming from None
    _check(authority, data, current)
    before = snapshot(current)
    _apply(current, data)
    current.version += 1
    current.save()
    current.establishments.set(data["establishments"])
    current.authorities.set(data["authorities"])
    record(user, current, f"Programmation : {current} modifié", before, snapshot(current), at=at)
    return current


@transaction.atomic
def remove_entry(user, authority, entry: ProgrammingEntry, expected_version: int | None, at: datetime | None = None):
    """Takes a line out of the programming (« Mettre à jour la programmation annuellement », ANAP): the journal keeps
    what it held."""
    _require(rules.write_refusal(user, authority, entry))
    try:
        current = locked(ProgrammingEntry.objects.all(), expected_version, pk=entry.pk)
    except StaleWrite:
        raise StaleProgramming from None
    before = snapshot(current)
    label = str(current)
    record(user, current, f"Programmation : {label} retiré", before, None, at=at)
    current.delete()
    return label
