"""Who did it, as they were at that date: the person's name, their contact role that day and their organisation.

The stages keep the organisation a person spoke for when they acted (``organisation_label``); where one does not,
the person's membership says it. The role comes from the registry's contacts (each holds a role for a period): a
contact of the same organisation with the person's address, or their name, whose period holds the day. The contacts
of the contract's organisations are read once per contract, never per event.
"""

from collections import defaultdict
from datetime import date, datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.utils import timezone

from cpom.registry.models import Contact

from .dating import Period, person_label, role_on

# What the stages' queries join to name a person and their organisation in the same query.
PERSON = ("membership__managing_body", "membership__authority")


def related(field: str) -> list[str]:
    """``select_related`` paths for the user held in ``field``."""
    return [field] + [f"{field}__{path}" for path in PERSON]


def _key(first: str, last: str) -> str:
    return f"{first.strip().lower()} {last.strip().lower()}"


class People:
    def __init__(self, contract):
        authority_ids = [party.authority_id for party in contract.parties.all()]
        contacts = Contact.objects.filter(
            Q(managing_body_id=contract.managing_body_id) | Q(authority_id__in=authority_ids)
        ).only("first_name", "last_name", "email", "role", "managing_body_id", "authority_id", "start_date", "end_date")
        self._periods: dict[tuple, list[Period]] = defaultdict(list)
        for contact in contacts:
            organisation = ("mb", contact.managing_body_id) if contact.managing_body_id else ("a", contact.authority_id)
            period = Period(contact.role, contact.start_date, contact.end_date)
            self._periods[(organisation, "name", _key(contact.first_name, contact.last_name))].append(period)
            if contact.email:
                self._periods[(organisation, "email", contact.email.strip().lower())].append(period)

    def who(self, user, at: date | datetime, organisation_label: str = "") -> tuple[str, str]:
        """(person, organisation) of ``user`` on the day of ``at``; ("", "") for the platform's own computations."""
        if user is None:
            return "", organisation_label
        day = timezone.localtime(at).date() if isinstance(at, datetime) else at
        try:
            membership = user.membership
        except ObjectDoesNotExist:
            membership = None
        organisation = organisation_label or (membership.organisation_label if membership else "")
        role = ""
        if membership is not None and not membership.is_platform:
            key = ("mb", membership.managing_body_id) if membership.managing_body_id else ("a", membership.authority_id)
            periods = self._periods.get((key, "email", (user.email or "").strip().lower()), []) if user.email else []
            periods = periods or self._periods.get((key, "name", _key(user.first_name, user.last_name)), [])
            role = role_on(periods, day)
        return person_label(user.get_full_name() or user.username, role), organisation


def people_for(contract) -> People:
    """The contract's people, read once for all the sources of one timeline (kept on the contract instance)."""
    people = getattr(contract, "_timeline_people", None)
    if people is None:
        people = People(contract)
        contract._timeline_people = people
    return people
