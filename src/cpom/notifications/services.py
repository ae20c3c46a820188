"""Deadlines that reach people: whose they are, a person's choices, the daily digest and the calendar feed.

Every deadline comes from :func:`cpom.deadline_sources.collect` (each stage computes its own); this module decides
who is told: a person hears of the deadlines of the contracts they may see (:func:`cpom.access.visible`), of their
side (or of every party), or of those naming them alone (``Due.person_id``). The platform team, which sees every
contract but speaks for no party, is told only what names one of them.
"""

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cpom import deadline_sources
from cpom.access import Side, membership_of, rule_for, visible
from cpom.audit.services import record
from cpom.contracts.models import Contract
from cpom.core.locking import locked
from cpom.core.refusals import Refused

from . import ical, schedule
from .models import MAX_DAYS_BEFORE, KindChoice, Preference, Sent
from .schedule import Choice


class PreferencesRefused(Refused):
    """Preferences refused, each reason naming its field, in French."""


# --- A person's choices -----------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def preference_for(user) -> Preference:
    """The person's preferences, made with a fresh calendar secret the first time they are asked."""
    preference = Preference.objects.filter(user=user).first()
    if preference is not None:
        return preference
    try:
        with transaction.atomic():
            return Preference.objects.create(user=user, feed_token=new_token(), token_created_at=timezone.now())
    except IntegrityError:  # made meanwhile by another request of the same person
        return Preference.objects.get(user=user)


def defaults() -> dict[str, Choice]:
    return {kind.code: Choice(True, kind.days_before) for kind in deadline_sources.kinds()}


def choices_of(preference: Preference | None) -> dict[str, Choice]:
    """Every registered kind: the person's choice where they made one, the kind's default elsewhere."""
    chosen = defaults()
    if preference is not None:
        for row in preference.kinds.all():
            if row.kind in chosen:
                chosen[row.kind] = Choice(row.enabled, row.days_before)
    return chosen


def _as_record(chosen: dict[str, Choice]) -> dict:
    return {
        deadline_sources.kind(code).label: (f"{choice.days_before} jours avant" if choice.enabled else "non")
        for code, choice in sorted(chosen.items())
    }


@transaction.atomic
def save_choices(user, expected_version: int | None, wanted: dict[str, tuple]) -> Preference:
    """``wanted``: kind code → (told or not, days before), for every registered kind; refused whole on any error."""
    preference = preference_for(user)
    preference = locked(Preference.objects, expected_version, pk=preference.pk)
    known = {kind.code: kind for kind in deadline_sources.kinds()}
    reasons = []
    for code in wanted:
        if code not in known:
            reasons.append(f"Type d'échéance inconnu : « {code} ».")
    for code, kind in known.items():
        enabled, days = wanted.get(code, (True, kind.days_before))
        if days is None or not isinstance(days, int) or not 0 <= days <= MAX_DAYS_BEFORE:
            reasons.append(
                f"{kind.label} — jours avant : indiquez un nombre entier de jours entre 0 et {MAX_DAYS_BEFORE}."
            )
    if reasons:
        raise PreferencesRefused(reasons)
    before = _as_record(choices_of(preference))
    for code, kind in known.items():
        enabled, days = wanted.get(code, (True, kind.days_before))
        KindChoice.objects.update_or_create(
            preference=preference, kind=code, defaults={"enabled": bool(enabled), "days_before": days}
        )
    preference.bump_version("updated_at")
    after = _as_record(choices_of(preference))
    if before != after:
        record(user, preference, "Préférences d'échéances modifiées", before, after)
    return preference


@transaction.atomic
def regenerate_token(user, expected_version: int | None) -> Preference:
    """A new secret for the calendar's address: the old address answers nothing from now on."""
    preference = preference_for(user)
    preference = locked(Preference.objects, expected_version, pk=preference.pk)
    preference.feed_token = new_token()
    preference.token_created_at = timezone.now()
    preference.bump_version("feed_token", "token_created_at", "updated_at")
    # The secret itself is never written to the journal.
    record(user, preference, "Nouvelle adresse du calendrier des échéances (l'ancienne ne répond plus)", None, None)
    return preference


def user_for_token(token: str):
    """The active person whose calendar secret ``token`` is, or None."""
    if not token or len(token) > 64:
        return None
    preference = Preference.objects.select_related("user").filter(feed_token=token).first()
    if preference is None or not preference.user.is_active:
        return None
    # Equality found it; compare again in constant time, so the answer's timing says nothing of a near miss.
    if not secrets.compare_digest(preference.feed_token, token):
        return None
    return preference.user


# --- Whose deadline --------------------------------------------------------------------------------------------


def concerns(due: deadline_sources.Due, user, membership) -> bool:
    """Whether ``due`` (of a contract ``user`` may see) is theirs: named to them, or of their side, or of all."""
    if due.person_id is not None:
        return due.person_id == user.pk
    if membership is None or membership.side == Side.PLATFORM:
        return False
    return due.side in ("", membership.side)


def deadlines_of(user, since: date | None = None, until: date | None = None) -> list[deadline_sources.Due]:
    """The deadlines of ``user`` between ``since`` and ``until``, one per key, by day."""
    membership = membership_of(user)
    if membership is None:
        return []
    contracts = list(visible(user, Contract.objects.all()))
    seen, items = set(), []
    for due in deadline_sources.collect(contracts, since, until):
        if due.key not in seen and concerns(due, user, membership):
            seen.add(due.key)
            items.append(due)
    return items


@dataclass(frozen=True)
class Upcoming:
    due: deadline_sources.Due
    kind_label: str
    told_on: date
    told: bool  # already told by email


def upcoming(user, today: date) -> tuple[list[Upcoming], int]:
    """« Mes échéances »: the person's deadlines of the coming days (``CPOM_NOTIFICATIONS["page_days"]``) of the
    kinds they are told of, with the day they are told; and how many of the kinds they turned off are left out."""
    preference = Preference.objects.filter(user=user).prefetch_related("kinds").first()
    chosen = choices_of(preference)
    until = today + timedelta(days=settings.CPOM_NOTIFICATIONS["page_days"])
    dues = deadlines_of(user, today, until)
    told = set(Sent.objects.filter(user=user, key__in=[d.key for d in dues]).values_list("key", flat=True))
    shown, left_out = [], 0
    for due in dues:
        choice = chosen.get(due.kind)
        if choice is None or not choice.enabled:
            left_out += 1
            continue
        shown.append(
            Upcoming(
                due,
                deadline_sources.kind(due.kind).label,
                schedule.told_on(due.day, choice.days_before),
                due.key in told,
            )
        )
    return shown, left_out


def site_url(path: str) -> str:
    return f"{settings.CPOM_SITE_URL}{path}"


def feed_for(user, today: date, base: str | None = None) -> bytes:
    """The person's calendar: their deadlines of the kinds they are told of, from a few days back
    (``CPOM_NOTIFICATIONS["feed_past_days"]``) to the last one known; the links start with ``base`` (the address
    the feed was asked at), else ``CPOM_SITE_URL``."""
    preference = Preference.objects.filter(user=user).prefetch_related("kinds").first()
    chosen = choices_of(preference)
    since = today - timedelta(days=settings.CPOM_NOTIFICATIONS["feed_past_days"])
    entries = [
        ical.Entry(
            key=due.key,
            day=due.day,
            label=due.label,
            url=f"{base}{due.url}" if base else site_url(due.url),
            description=deadline_sources.kind(due.kind).label,
        )
        for due in deadlines_of(user, since)
        if chosen.get(due.kind, Choice(False, 0)).enabled
    ]
    name = user.get_full_name() or user.username
    return ical.feed(name, entries, datetime.now(UTC).replace(microsecond=0))


# --- The daily digest ------------------------------------------------------------------------------------------


@dataclass
class Run:
    """What one run of ``cpom notify`` did."""

    day: date
    emails: int = 0
    deadlines: int = 0
    failures: list[str] = field(default_factory=list)


def _people():
    """Every active person with an email address and an organisation, with their choices."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False, membership__isnull=False)
        .exclude(email="")
        .select_related("membership", "deadline_preference")
        .prefetch_related("deadline_preference__kinds")
        .order_by("pk")
    )


def _organisation(membership) -> tuple:
    return (membership.side, membership.managing_body_id, membership.authority_id)


def _choices_of_user(user) -> dict[str, Choice]:
    try:
        return choices_of(user.deadline_preference)
    except Preference.DoesNotExist:
        return choices_of(None)


def to_tell(today: date) -> dict:
    """Person → the deadlines to tell them today, not told yet: every contract's deadlines are collected once, and
    each organisation's contracts read once."""
    people = _people()
    if not people:
        return {}
    seen_by = {}
    for person in people:
        organisation = _organisation(person.membership)
        if organisation not in seen_by:
            seen_by[organisation] = set(
                Contract.objects.filter(rule_for(Contract, person.membership)).values_list("pk", flat=True)
            )
    contract_ids = set().union(*seen_by.values())
    horizon = max([choice.days_before for person in people for choice in _choices_of_user(person).values()] or [0])
    by_contract = defaultdict(list)
    for due in deadline_sources.collect(
        Contract.objects.filter(pk__in=contract_ids), today, today + timedelta(horizon)
    ):
        by_contract[due.contract_id].append(due)
    told = set(Sent.objects.filter(user__in=people, day__gte=today).values_list("user_id", "key"))
    result = {}
    for person in people:
        chosen = _choices_of_user(person)
        keys, items = set(), []
        for contract_id in sorted(seen_by[_organisation(person.membership)]):
            for due in by_contract.get(contract_id, ()):
                choice = chosen.get(due.kind)
                if (
                    choice is not None
                    and due.key not in keys
                    and (person.pk, due.key) not in told
                    and concerns(due, person, person.membership)
                    and schedule.to_tell(due.day, choice, today)
                ):
                    keys.add(due.key)
                    items.append((due, schedule.told_on(due.day, choice.days_before)))
        if items:
            result[person] = sorted(items, key=lambda item: (item[0].day, item[0].label))
    return result


def _message(person, items, today: date, connection) -> EmailMessage:
    lines = [schedule.Line(due.day, due.label, site_url(due.url)) for due, _ in items]
    name = person.get_full_name() or person.username
    return EmailMessage(
        subject=schedule.digest_subject(len(items), today),
        body=schedule.digest_text(name, lines, today, site_url(reverse("notifications:mine"))),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
        connection=connection,
    )


def _tell(person, items, today: date, connection) -> list:
    """Records then sends one person's digest, in one transaction: a deadline another run recorded meanwhile is
    left out, and a failed sending records nothing (the next run tells it)."""
    now = timezone.now()
    with transaction.atomic():
        kept = []
        for due, told_on in items:
            try:
                with transaction.atomic():
                    Sent.objects.create(
                        user=person,
                        key=due.key,
                        told_on=told_on,
                        day=due.day,
                        kind=due.kind,
                        contract_id=due.contract_id,
                        label=due.label[:500],
                        sent_at=now,
                    )
            except IntegrityError:
                continue
            kept.append((due, told_on))
        if kept:
            _message(person, kept, today, connection).send()
    return kept


def notify(today: date | None = None) -> Run:
    """Tells every person, in one email, the deadlines of theirs that reached the day they chose; idempotent."""
    today = today or timezone.localdate()
    run = Run(today)
    connection = get_connection()
    for person, items in to_tell(today).items():
        try:
            kept = _tell(person, items, today, connection)
        except Exception as error:  # noqa: BLE001 (one person's mail server refusal must not stop the others)
            run.failures.append(f"{person.email} : {error}")
            continue
        if kept:
            run.emails += 1
            run.deadlines += len(kept)
    return run
