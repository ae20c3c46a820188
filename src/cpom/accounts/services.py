"""Accounts of an organisation, managed by its administrators."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from rest_framework.authtoken.models import Token

from cpom.access import membership_of
from cpom.audit.services import record

from .models import Membership, Side


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


@transaction.atomic
def renew_token(user) -> Token:
    """A new API token for ``user``; the old one stops working. The journal says when, never the token itself."""
    had_one = Token.objects.filter(user=user).exists()
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    record(user, user, "Nouveau jeton d'API", {"jeton": "révoqué"} if had_one else None, {"jeton": "créé"})
    return token
