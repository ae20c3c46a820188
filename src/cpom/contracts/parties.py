"""Who may be party to a contract, and how a co-signatory outside its competence is admitted.

The authorities competent for a perimeter are the ARS of its regions, the councils of its départements and the
funders of its establishments: they take part at once. Any other authority may only be proposed by the lead
authority, and takes part (sees the contract, its establishments and their data) once a managing-body user with
the validation role has accepted it on the contract page. The managing body may also decline it. The rule is
checked on every change of parties or perimeter; :mod:`cpom.contracts.visibility` hides unaccepted parties.
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from cpom.core.refusals import Refused
from cpom.registry.models import Authority, AuthorityKind, Establishment, ManagingBody
from cpom.registry.territories import region_of

from .models import Contract, ContractParty
from .rules import speaks_for


class PartiesRefused(Refused):
    pass


def competence_scope(managing_body: ManagingBody | None, establishments) -> list[Establishment]:
    """The establishments competence is judged on: the perimeter, or all the managing body's before one is chosen."""
    chosen = list(establishments)
    if chosen or managing_body is None:
        return chosen
    return list(managing_body.establishments.all())


def competent_authorities(establishments) -> QuerySet:
    """The ARS of the establishments' regions, the councils of their départements, and their funders."""
    establishments = list(establishments)
    departments = {e.department for e in establishments}
    regions = {region_of(d) for d in departments} - {None}
    return Authority.objects.filter(
        Q(kind=AuthorityKind.ARS, territory__in=regions)
        | Q(kind=AuthorityKind.CD, territory__in=departments)
        | Q(funded_establishments__in=[e.pk for e in establishments])
    ).distinct()


def _names(authorities) -> str:
    return ", ".join(str(a) for a in sorted(authorities, key=str))


def party_refusals(
    user,
    managing_body: ManagingBody | None,
    establishments,
    lead: Authority,
    co_signatories,
    contract: Contract | None = None,
) -> list[str]:
    """Why these parties cannot be set on the contract (new when ``contract`` is None); empty when they can."""
    competent = set(competent_authorities(competence_scope(managing_body, establishments)))
    reasons = []
    if lead not in competent:
        known = f" (compétentes : {_names(competent)})" if competent else ""
        reasons.append(
            f"L'autorité cheffe de file doit être compétente pour le périmètre du contrat : {lead} ne l'est pas{known}."
        )
    already = set(contract.parties.values_list("authority_id", flat=True)) if contract else set()
    added_outside = [a for a in co_signatories if a not in competent and a != lead and a.pk not in already]
    if added_outside and not speaks_for(user, lead):
        reasons.append(
            f"Seule l'autorité cheffe de file peut associer au contrat une autorité qui n'est pas compétente "
            f"pour son périmètre ({_names(added_outside)})."
        )
    return reasons


def set_parties(contract: Contract, user, lead: Authority, co_signatories) -> None:
    """The contract's parties become ``lead`` and ``co_signatories``; each is admitted or waits, per competence now.

    A party kept keeps its acceptance. One that is no longer competent after a change of perimeter waits for the
    managing body's acceptance like a newcomer, unless it was accepted already.
    """
    reasons = party_refusals(
        user, contract.managing_body, contract.establishments.all(), lead, co_signatories, contract
    )
    if reasons:
        raise PartiesRefused(reasons)
    competent = set(competent_authorities(competence_scope(contract.managing_body, contract.establishments.all())))
    wanted = {lead.pk: lead} | {a.pk: a for a in co_signatories}
    contract.parties.exclude(authority_id__in=wanted).delete()
    # One lead per contract, enforced by the database: the former lead steps down before the new one is saved.
    contract.parties.exclude(authority=lead).filter(is_lead=True).update(is_lead=False)
    existing = {p.authority_id: p for p in contract.parties.all()}
    now = timezone.now()
    for authority in sorted(wanted.values(), key=lambda a: a != lead):
        party = existing.get(authority.pk) or ContractParty(contract=contract, authority=authority)
        party.is_lead = authority == lead
        party.acceptance_requested_at = None if authority in competent else party.acceptance_requested_at or now
        party.save()


def awaiting(contract: Contract) -> list[ContractParty]:
    """The co-signatories waiting for the managing body's acceptance."""
    return list(contract.parties.awaiting_acceptance().select_related("authority"))
