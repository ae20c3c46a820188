"""Who may change what in the registry; each function answers for one user and one record."""

from cpom.access import Role, Side, membership_of

from .models import Authority, Establishment, ManagingBody


def _belongs_to(membership, organisation: ManagingBody | Authority) -> bool:
    if isinstance(organisation, ManagingBody):
        return membership.managing_body_id == organisation.pk
    return membership.authority_id == organisation.pk


def can_edit_organisation(user, organisation: ManagingBody | Authority) -> bool:
    """An organisation's own administrators keep its record; the platform team may too."""
    membership = membership_of(user)
    if membership is None:
        return False
    if membership.side == Side.PLATFORM:
        return membership.has_role(Role.CONTRIBUTE)
    return _belongs_to(membership, organisation) and membership.has_role(Role.ADMINISTER)


def can_create_establishment(user) -> bool:
    membership = membership_of(user)
    return (
        membership is not None
        and membership.side in (Side.PLATFORM, Side.MANAGING_BODY)
        and membership.has_role(Role.CONTRIBUTE)
    )


def can_edit_establishment(user, establishment: Establishment) -> bool:
    membership = membership_of(user)
    if membership is None or not membership.has_role(Role.CONTRIBUTE):
        return False
    return membership.side == Side.PLATFORM or membership.managing_body_id == establishment.managing_body_id


def can_manage_contacts_of(user, organisation: ManagingBody | Authority) -> bool:
    membership = membership_of(user)
    if membership is None or not membership.has_role(Role.CONTRIBUTE):
        return False
    return membership.side == Side.PLATFORM or _belongs_to(membership, organisation)
