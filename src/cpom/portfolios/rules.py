"""Who sees an authority's portfolio and who writes its programming, said in French.

An authority's portfolio (its contracts, coverage, deadlines, programming) is seen by its own members and by the
platform team; anyone else is told the page does not exist (404, as for a contract they may not see). A programming
entry is written by a member of one of the authorities it concerns, with at least the contribution role: the ARS and
the council edit a shared entry alike (« co-construction entre ARS et CD », seed 001 L260). The platform team reads,
it speaks for no authority.
"""

from django.http import Http404

from cpom.access import Role, Side, membership_of
from cpom.registry import territories
from cpom.registry.models import Authority, AuthorityKind

NOT_AN_AUTHORITY = "Seules les autorités écrivent leur programmation."
ROLE_NEEDED = f"Modifier la programmation demande le rôle « {Role.CONTRIBUTE.label} »."
NOT_CONCERNED = "Seules les autorités concernées par cette ligne de la programmation la modifient."


def authority_or_404(user, authority_id: int) -> Authority:
    """The authority whose portfolio the user opens: their own, or any for the platform team."""
    membership = membership_of(user)
    if membership is None:
        raise Http404
    if membership.side != Side.PLATFORM and membership.authority_id != authority_id:
        raise Http404
    try:
        return Authority.objects.get(pk=authority_id)
    except Authority.DoesNotExist:
        raise Http404 from None


def write_refusal(user, authority: Authority, entry=None) -> str | None:
    """May the user write the programming of ``authority`` (add a line), or ``entry`` (change it)?"""
    membership = membership_of(user)
    if membership is None or membership.side != Side.AUTHORITY or membership.authority_id != authority.pk:
        return NOT_AN_AUTHORITY
    if not membership.has_role(Role.CONTRIBUTE):
        return ROLE_NEEDED
    if entry is not None and not entry.authorities.filter(pk=authority.pk).exists():
        return NOT_CONCERNED
    return None


def competent_authorities(departments: set[str]):
    """The authorities that may share an entry on establishments of ``departments``: the ARS of their regions and
    the councils of those départements."""
    regions = {territories.region_of(code) for code in departments} - {None}
    return Authority.objects.filter(kind=AuthorityKind.ARS, territory__in=regions) | Authority.objects.filter(
        kind=AuthorityKind.CD, territory__in=departments
    )


def entry_problems(authority: Authority, data: dict) -> list[str]:
    """What is wrong with an entry's content, each reason naming its field; [] when it may be saved."""
    problems = []
    body = data["managing_body"]
    establishments = list(data["establishments"])
    if any(e.managing_body_id != body.pk for e in establishments):
        problems.append(f"Établissements concernés : ils doivent tous être gérés par « {body} ».")
    concerned = list(data["authorities"])
    if authority not in concerned:
        problems.append(f"Autorités concernées : « {authority} » doit en faire partie (c'est sa programmation).")
    departments = {e.department for e in establishments}
    competent = set(competent_authorities(departments).values_list("pk", flat=True)) | {authority.pk}
    strangers = [a for a in concerned if a.pk not in competent]
    if strangers:
        names = ", ".join(f"« {a} »" for a in strangers)
        problems.append(
            f"Autorités concernées : {names} n'est compétente pour aucun des départements des établissements choisis."
        )
    referent = data.get("referent")
    if referent is not None and referent.authority_id not in {a.pk for a in concerned}:
        problems.append("Référent : choisissez un contact de l'une des autorités concernées.")
    contract = data.get("contract")
    if contract is not None and contract.managing_body_id != body.pk:
        problems.append(f"Contrat programmé : ce contrat n'est pas celui de « {body} ».")
    return problems
