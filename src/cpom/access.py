"""The one place that decides what a user may see: roles, the user's membership, and the visibility of records.

Every page and API view filters its querysets through :func:`visible`. What a membership sees of a model is the
union of the rules the apps register for it (:func:`register`): the registry says that an authority sees the
establishments of its territory, the contracts app adds that a party sees the perimeter of its contracts. So this
module sits below every app and imports none of them; who may change what is said by each app's ``rules.py``.
Users without a membership (and anonymous visitors) see nothing; superusers see everything.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet


class Role(models.TextChoices):
    """Ordered from least to most: each role includes the rights of the ones before."""

    READ = "read", "Lecture"
    CONTRIBUTE = "contribute", "Contribution"
    VALIDATE = "validate", "Validation et signature"
    ADMINISTER = "administer", "Administration"


ROLE_RANK = {role: rank for rank, role in enumerate(Role.values)}


class Side(models.TextChoices):
    MANAGING_BODY = "managing_body", "Organisme gestionnaire"
    AUTHORITY = "authority", "Autorité"
    PLATFORM = "platform", "Plateforme"


def role_reaches(role: str, minimum: str) -> bool:
    return ROLE_RANK[role] >= ROLE_RANK[minimum]


@dataclass(frozen=True)
class PlatformMembership:
    """What a superuser is: the platform team, with every right, speaking for no organisation."""

    role: str = Role.ADMINISTER
    side: str = Side.PLATFORM
    is_platform: bool = True
    managing_body_id: None = None
    authority_id: None = None
    managing_body: None = None
    authority: None = None
    organisation_label: str = "Plateforme cpom"

    def has_role(self, minimum: str) -> bool:
        return role_reaches(self.role, minimum)


PLATFORM = PlatformMembership()


def membership_of(user):
    """The user's membership (cpom.accounts.models.Membership), PLATFORM for a superuser, None for nobody."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return PLATFORM
    try:
        return user.membership
    except ObjectDoesNotExist:
        return None


Rule = Callable[[object], Q]  # a membership (never the platform's) → what it sees of one model
_RULES: dict[str, list[Rule]] = {}


def register(label: str, rule: Rule) -> None:
    """Adds what a membership sees of the model ``label`` (« registry.establishment »); the rules of a model add up."""
    rules = _RULES.setdefault(label.lower(), [])
    if rule not in rules:
        rules.append(rule)


def rule_for(model, membership) -> Q:
    """Every registered rule of ``model`` for ``membership``, joined: a record one of them lets through is visible."""
    rules = _RULES.get(model._meta.label_lower)
    if not rules:
        raise LookupError(f"No visibility rule is registered for {model._meta.label}.")
    condition = Q(pk__in=[])
    for rule in rules:
        condition |= rule(membership)
    return condition


def visible(user, queryset: QuerySet) -> QuerySet:
    """The subset of ``queryset`` that ``user`` may see."""
    membership = membership_of(user)
    if membership is None:
        return queryset.none()
    if membership.side == Side.PLATFORM:
        return queryset
    model = queryset.model
    # A subquery rather than .distinct(): joins through parties would duplicate rows.
    return queryset.filter(pk__in=model.objects.filter(rule_for(model, membership)).values("pk"))


def is_visible(user, obj) -> bool:
    return visible(user, type(obj).objects.filter(pk=obj.pk)).exists()


def has_role(user, minimum: str) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.has_role(minimum)


def is_platform_admin(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.side == Side.PLATFORM and membership.has_role(Role.ADMINISTER)


def can_administer_members(user) -> bool:
    """An organisation's administrators manage the accounts of their own organisation."""
    membership = membership_of(user)
    return membership is not None and membership.has_role(Role.ADMINISTER)
