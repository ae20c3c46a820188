"""Accounts of an organisation, managed by its administrators."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cpom.access import membership_of
from cpom.audit.services import record
from cpom.core.api_tokens import new_token
from cpom.core.formatting import french_date

from .models import ApiToken, Membership, Side

# The lifetimes offered in « Mon compte », in days: a month for a trial, a quarter, a year for a program in service.
TOKEN_LIFETIMES = (30, 90, 365)


class MemberChangeRefused(Exception):
    """A change an administrator may not make (their own role or account)."""


def members_of(user) -> QuerySet:
    """Memberships of the same organisation as ``user``."""
    m = membership_of(user)
    memberships = Membership.objects.select_related("user").order_by("user__last_name", "user__first_name")
    if m is None:
        return memberships.none()
    if m.side == Side.PLATFORM:
        return memberships.filter(is_platform=True)
    if m.side == Side.MANAGING_BODY:
        return memberships.filter(managing_body_id=m.managing_body_id)
    return memberships.filter(authority_id=m.authority_id)


@transaction.atomic
def add_member(admin, *, username, first_name, last_name, email, role, password) -> Membership:
    m = membership_of(admin)
    user = get_user_model().objects.create_user(
        username=username, first_name=first_name, last_name=last_name, email=email, password=password
    )
    membership = Membership.objects.create(
        user=user,
        managing_body_id=m.managing_body_id,
        authority_id=m.authority_id,
        is_platform=m.side == Side.PLATFORM,
        role=role,
    )
    record(admin, user, f"Création du compte {username}", None, account_snapshot(membership))
    return membership


def account_snapshot(membership: Membership) -> dict:
    """What the journal keeps of an account: never its password."""
    user = membership.user
    return {
        "identifiant": user.username,
        "nom": user.get_full_name(),
        "courriel": user.email,
        "organisation": membership.organisation_label,
        "rôle": membership.get_role_display(),
        "actif": user.is_active,
    }


@transaction.atomic
def change_member(admin, membership: Membership, *, role: str, is_active: bool) -> Membership:
    # An administrator who demoted or deactivated themself could lock the organisation out.
    if membership.user_id == admin.pk and (role != membership.role or not is_active):
        raise MemberChangeRefused("Vous ne pouvez pas modifier votre propre rôle ni désactiver votre propre compte.")
    before = account_snapshot(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    membership.user.is_active = is_active
    membership.user.save(update_fields=["is_active"])
    record(
        admin,
        membership.user,
        f"Modification du compte {membership.user.username}",
        before,
        account_snapshot(membership),
    )
    return membership


def token_lifetimes() -> list[int]:
    """The lifetimes a person may choose, in days: none beyond ``CPOM_API_TOKEN_MAX_DAYS`` (a policy of the authority)."""
    ceiling = settings.CPOM_API_TOKEN_MAX_DAYS
    return [days for days in TOKEN_LIFETIMES if days < ceiling] + [ceiling]


def tokens_of(user) -> QuerySet:
    return ApiToken.objects.filter(user=user)


@transaction.atomic
def create_token(user, *, label: str, days: int) -> tuple[ApiToken, str]:
    """A new API token for ``user`` and its secret, which is nowhere else: the caller shows it once. The journal
    names the token by its label and prefix, never by its secret."""
    if days not in token_lifetimes():
        raise ValueError(f"durée de jeton non permise : {days} jours")
    made, now = new_token(), timezone.now()
    token = ApiToken.objects.create(
        user=user,
        label=label,
        prefix=made.prefix,
        digest=made.digest,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    record(user, user, f"Nouveau jeton d'API « {label} »", None, _token_snapshot(token))
    return token, made.secret


@transaction.atomic
def revoke_token(user, token: ApiToken) -> ApiToken:
    """Stops ``token`` at once; it stays listed (greyed) so that the person sees what they revoked and when."""
    if token.user_id != user.pk:
        raise PermissionError("Ce jeton n'est pas le vôtre.")
    if token.revoked_at is None:
        before = _token_snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(user, user, f"Révocation du jeton d'API « {token.label} »", before, _token_snapshot(token))
    return token


def _token_snapshot(token: ApiToken) -> dict:
    return {
        "jeton": token.label,
        "début": token.prefix,
        "expire le": french_date(timezone.localdate(token.expires_at)),
        "révoqué": token.revoked_at is not None,
    }
