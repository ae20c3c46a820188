"""What each membership sees of the registry (registered with cpom.access when the app is ready).

A managing body sees itself, its establishments and its contacts; an authority sees the establishments of its
territory and those it funds, the bodies that run them, and their contacts. Authorities are public bodies: every
signed-in user sees who they are. The contracts app adds what a party to a contract sees of its perimeter.
"""

from django.db.models import Q

from cpom.access import Side, register, rule_for

from .models import Establishment, ManagingBody


def establishments(membership) -> Q:
    if membership.side == Side.MANAGING_BODY:
        return Q(managing_body_id=membership.managing_body_id)
    return Q(department__in=membership.authority.department_codes()) | Q(funders=membership.authority_id)


def managing_bodies(membership) -> Q:
    if membership.side == Side.MANAGING_BODY:
        return Q(pk=membership.managing_body_id)
    return Q(pk__in=Establishment.objects.filter(rule_for(Establishment, membership)).values("managing_body_id"))


def authorities(membership) -> Q:
    return ~Q(pk=None)


def contacts(membership) -> Q:
    if membership.side == Side.MANAGING_BODY:
        return Q(managing_body_id=membership.managing_body_id)
    return Q(authority_id=membership.authority_id) | Q(
        managing_body__in=ManagingBody.objects.filter(rule_for(ManagingBody, membership))
    )


def register_rules() -> None:
    register("registry.establishment", establishments)
    register("registry.managingbody", managing_bodies)
    register("registry.authority", authorities)
    register("registry.contact", contacts)
