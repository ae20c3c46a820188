"""What each membership sees of the contracts, and what a party sees of the registry through them (registered with
cpom.access when the app is ready).

A managing body sees its contracts; an authority sees the contracts it is an admitted party to (a co-signatory the
managing body has not accepted yet sees nothing), their perimeter, the bodies that run it, and the contacts of the
other side of its contracts.
"""

from django.db.models import Q, QuerySet

from cpom.access import Side, register

from .models import ContractParty


def _parties(membership) -> QuerySet:
    return ContractParty.objects.admitted().filter(authority_id=membership.authority_id)


def contracts(membership) -> Q:
    if membership.side == Side.MANAGING_BODY:
        return Q(managing_body_id=membership.managing_body_id)
    return Q(parties__in=_parties(membership))


def perimeters(membership) -> Q:
    if membership.side == Side.MANAGING_BODY:
        return Q(pk__in=[])
    return Q(contracts__parties__in=_parties(membership))


def contract_partners(membership) -> Q:
    if membership.side == Side.MANAGING_BODY:
        return Q(authority__contract_parties__contract__managing_body_id=membership.managing_body_id)
    return Q(pk__in=[])


def register_rules() -> None:
    register("contracts.contract", contracts)
    register("registry.establishment", perimeters)
    register("registry.managingbody", perimeters)
    register("registry.contact", contract_partners)
