"""Who speaks for which side of a contract, and who may program it, keep its frame and answer for its parties."""

from dataclasses import dataclass

from cpom.access import Role, Side, membership_of
from cpom.registry.models import Authority

from .models import Contract


def can_create_contract(user) -> bool:
    """Programming a contract is the authorities' act."""
    membership = membership_of(user)
    return (
        membership is not None
        and membership.side in (Side.PLATFORM, Side.AUTHORITY)
        and membership.has_role(Role.VALIDATE)
    )


def can_edit_contract(user, contract: Contract) -> bool:
    """The lead authority (or the platform) keeps the contract's frame up to date until signature."""
    membership = membership_of(user)
    if membership is None or not membership.has_role(Role.CONTRIBUTE) or contract.is_frozen:
        return False
    if membership.side == Side.PLATFORM:
        return True
    return membership.side == Side.AUTHORITY and contract.lead_authority_id == membership.authority_id


def speaks_for(user, authority: Authority) -> bool:
    """A member of ``authority`` itself (the platform team speaks for no authority)."""
    membership = membership_of(user)
    return membership is not None and membership.side == Side.AUTHORITY and membership.authority_id == authority.pk


def can_answer_party_request(user, contract: Contract) -> bool:
    """Accepting or declining a co-signatory outside its competence binds the managing body: its validation role."""
    membership = membership_of(user)
    return (
        membership is not None
        and membership.side == Side.MANAGING_BODY
        and membership.managing_body_id == contract.managing_body_id
        and membership.has_role(Role.VALIDATE)
    )


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
    membership = membership_of(user)
    if membership is None or membership.side == Side.PLATFORM:
        return None
    if membership.side == Side.MANAGING_BODY:
        if membership.managing_body_id != contract.managing_body_id:
            return None
        return ContractSide(membership.managing_body_id, None, membership.organisation_label)
    if not any(p.authority_id == membership.authority_id and p.is_admitted for p in contract.parties.all()):
        return None
    return ContractSide(None, membership.authority_id, membership.organisation_label)


def can_contribute(user, contract: Contract) -> bool:
    """Parties with at least the contribution role write the diagnostic and negotiate objectives."""
    membership = membership_of(user)
    return contract_side(user, contract) is not None and membership.has_role(Role.CONTRIBUTE)


CREATE = "Seules les autorités (rôle validation) programment un contrat."
EDIT = "Seule l'autorité cheffe de file modifie le cadre du contrat, et seulement avant signature."


def create_refusal(user) -> str | None:
    """The French reason :func:`can_create_contract` refuses, or None."""
    return None if can_create_contract(user) else CREATE


def edit_refusal(user, contract: Contract) -> str | None:
    """The French reason :func:`can_edit_contract` refuses, or None."""
    return None if can_edit_contract(user, contract) else EDIT


def may_answer_party_requests(user, contract: Contract) -> bool:
    """The buttons accepting or declining a co-signatory: before signature only."""
    return can_answer_party_request(user, contract) and not contract.is_frozen
