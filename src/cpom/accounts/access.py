"""The one place that decides what a user may see and change.

Every page and API view filters its querysets through :func:`visible`; the
``can_*`` functions answer the questions of who may edit what. Users without a
membership (and anonymous visitors) see nothing; superusers see everything.
"""

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from cpom.contracts.models import Contract, ContractParty
from cpom.registry.models import Authority, Contact, Establishment, ManagingBody

from .models import Membership, Role, Side

PLATFORM = Membership(is_platform=True, role=Role.ADMINISTER)


def membership_of(user) -> Membership | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return PLATFORM
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def _territory(authority: Authority) -> Q:
    return Q(department__in=authority.department_codes())


def _parties(m: Membership) -> QuerySet:
    """The authority's admitted parties: a co-signatory the managing body has not accepted yet sees nothing."""
    return ContractParty.objects.admitted().filter(authority_id=m.authority_id)


def _contracts(m: Membership) -> Q:
    if m.side == Side.MANAGING_BODY:
        return Q(managing_body_id=m.managing_body_id)
    return Q(parties__in=_parties(m))


def _establishments(m: Membership) -> Q:
    if m.side == Side.MANAGING_BODY:
        return Q(managing_body_id=m.managing_body_id)
    return _territory(m.authority) | Q(funders=m.authority_id) | Q(contracts__parties__in=_parties(m))


def _managing_bodies(m: Membership) -> Q:
    if m.side == Side.MANAGING_BODY:
        return Q(pk=m.managing_body_id)
    establishments = Establishment.objects.filter(_establishments(m)).values("managing_body_id")
    return Q(pk__in=establishments) | Q(contracts__parties__in=_parties(m))


def _authorities(m: Membership) -> Q:
    # Authorities are public bodies: every signed-in user may see who they are.
    return Q()


def _contacts(m: Membership) -> Q:
    own = Q(managing_body_id=m.managing_body_id) if m.side == Side.MANAGING_BODY else Q(authority_id=m.authority_id)
    if m.side == Side.MANAGING_BODY:
        partners = Q(authority__contract_parties__contract__managing_body_id=m.managing_body_id)
    else:
        partners = Q(managing_body__in=ManagingBody.objects.filter(_managing_bodies(m)))
    return own | partners


_RULES = {
    Contract: _contracts,
    Establishment: _establishments,
    ManagingBody: _managing_bodies,
    Authority: _authorities,
    Contact: _contacts,
}


def visible(user, queryset: QuerySet) -> QuerySet:
    """The subset of ``queryset`` that ``user`` may see."""
    membership = membership_of(user)
    if membership is None:
        return queryset.none()
    if membership.side == Side.PLATFORM:
        return queryset
    rule = _RULES[queryset.model]
    # A subquery rather than .distinct(): joins through parties would duplicate rows.
    return queryset.filter(pk__in=queryset.model.objects.filter(rule(membership)).values("pk"))


def is_visible(user, obj: Model) -> bool:
    return visible(user, type(obj).objects.filter(pk=obj.pk)).exists()


def has_role(user, minimum: str) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.has_role(minimum)


def is_platform_admin(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.side == Side.PLATFORM and membership.has_role(Role.ADMINISTER)


def _belongs_to(m: Membership, organisation: ManagingBody | Authority) -> bool:
    if isinstance(organisation, ManagingBody):
        return m.managing_body_id == organisation.pk
    return m.authority_id == organisation.pk


def can_edit_organisation(user, organisation: ManagingBody | Authority) -> bool:
    """An organisation's own administrators keep its record; the platform team may too."""
    m = membership_of(user)
    if m is None:
        return False
    if m.side == Side.PLATFORM:
        return m.has_role(Role.CONTRIBUTE)
    return _belongs_to(m, organisation) and m.has_role(Role.ADMINISTER)


def can_create_establishment(user) -> bool:
    m = membership_of(user)
    return m is not None and m.side in (Side.PLATFORM, Side.MANAGING_BODY) and m.has_role(Role.CONTRIBUTE)


def can_edit_establishment(user, establishment: Establishment) -> bool:
    m = membership_of(user)
    if m is None or not m.has_role(Role.CONTRIBUTE):
        return False
    return m.side == Side.PLATFORM or m.managing_body_id == establishment.managing_body_id


def can_manage_contacts_of(user, organisation: ManagingBody | Authority) -> bool:
    m = membership_of(user)
    if m is None or not m.has_role(Role.CONTRIBUTE):
        return False
    return m.side == Side.PLATFORM or _belongs_to(m, organisation)


def can_create_contract(user) -> bool:
    """Programming a contract is the authorities' act."""
    m = membership_of(user)
    return m is not None and m.side in (Side.PLATFORM, Side.AUTHORITY) and m.has_role(Role.VALIDATE)


def can_edit_contract(user, contract: Contract) -> bool:
    """The lead authority (or the platform) keeps the contract's frame up to date until signature."""
    m = membership_of(user)
    if m is None or not m.has_role(Role.CONTRIBUTE) or contract.is_signed:
        return False
    if m.side == Side.PLATFORM:
        return True
    return m.side == Side.AUTHORITY and contract.lead_authority_id == m.authority_id


def speaks_for(user, authority: Authority) -> bool:
    """A member of ``authority`` itself (the platform team speaks for no authority)."""
    m = membership_of(user)
    return m is not None and m.side == Side.AUTHORITY and m.authority_id == authority.pk


def can_answer_party_request(user, contract: Contract) -> bool:
    """Accepting or declining a co-signatory outside its competence binds the managing body: its validation role."""
    m = membership_of(user)
    return (m is not None and m.side == Side.MANAGING_BODY and m.managing_body_id == contract.managing_body_id
            and m.has_role(Role.VALIDATE))


def can_administer_members(user) -> bool:
    """An organisation's administrators manage the accounts of their own organisation."""
    m = membership_of(user)
    return m is not None and m.has_role(Role.ADMINISTER)


@dataclass(frozen=True)
class ContractSide:
    """The party of a contract a user speaks for: its managing body, or one of its authorities."""

    managing_body_id: int | None
    authority_id: int | None
    label: str

    @property
    def is_managing_body(self) -> bool:
        return self.managing_body_id is not None


def contract_side(user, contract: Contract) -> ContractSide | None:
    """None for outsiders and for the platform team, who see contracts but speak for no party."""
    m = membership_of(user)
    if m is None or m.side == Side.PLATFORM:
        return None
    if m.side == Side.MANAGING_BODY:
        if m.managing_body_id != contract.managing_body_id:
            return None
        return ContractSide(m.managing_body_id, None, m.organisation_label)
    if not any(p.authority_id == m.authority_id and p.is_admitted for p in contract.parties.all()):
        return None
    return ContractSide(None, m.authority_id, m.organisation_label)


def can_contribute(user, contract: Contract) -> bool:
    """Parties with at least the contribution role write the diagnostic and negotiate objectives."""
    m = membership_of(user)
    return contract_side(user, contract) is not None and m.has_role(Role.CONTRIBUTE)
