"""Who sees a managing body's portfolio: the body's members, the authorities party to one of its contracts (admitted:
a co-signatory the body has not accepted yet sees nothing), and the platform team. Nobody else learns it exists."""

from cpom.access import Side, membership_of
from cpom.contracts.models import ContractParty


def may_see_portfolio(user, managing_body) -> bool:
    membership = membership_of(user)
    if membership is None:
        return False
    if membership.side == Side.PLATFORM:
        return True
    if membership.side == Side.MANAGING_BODY:
        return membership.managing_body_id == managing_body.pk
    return (
        ContractParty.objects.admitted()
        .filter(authority_id=membership.authority_id, contract__managing_body=managing_body)
        .exists()
    )
