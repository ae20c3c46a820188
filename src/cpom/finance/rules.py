"""Who may do what in finance: import accounts, map sections, enter mean costs, type the budget, edit trajectories.

Each ``*_refusal`` function answers for one user (and one record) with the French reason of a refusal, or None when
the user may; views and templates derive their permissions from them, the services check them again before writing.
"""

from django.db.models import QuerySet

from cpom.access import Role, Side, membership_of
from cpom.contracts.models import Contract
from cpom.contracts.rules import can_contribute, contract_side
from cpom.core.text import the
from cpom.registry.models import Authority, AuthorityKind, Establishment
from cpom.registry.rules import can_edit_establishment

IMPORT_REFUSAL = (
    "L'import des comptes est réservé à l'organisme gestionnaire de l'établissement (rôle contribution) "
    "et à l'équipe de la plateforme."
)
MEAN_COSTS_REFUSAL = "Seules l'équipe de la plateforme et les ARS (rôle validation) saisissent les coûts moyens."
LINES_REFUSAL = "Seul l'organisme gestionnaire (rôle contribution ou plus) propose les lignes du budget de référence."
SCENARIO_REFUSAL = (
    "Seules les parties au contrat (rôle contribution) modifient les scénarios, et seulement avant signature."
)


# --- Accounting imports -------------------------------------------------------------------------------------------


def may_import(user, establishment: Establishment) -> bool:
    """Who keeps an establishment's record keeps its accounts: its managing body (contribution role), or the platform."""
    return can_edit_establishment(user, establishment)


def importable_establishments(user) -> QuerySet:
    """The rule of :func:`may_import` as a query, for the choice lists."""
    membership = membership_of(user)
    if membership is None or not membership.has_role(Role.CONTRIBUTE) or membership.side == Side.AUTHORITY:
        return Establishment.objects.none()
    if membership.side == Side.PLATFORM:
        return Establishment.objects.order_by("name")
    return Establishment.objects.filter(managing_body_id=membership.managing_body_id).order_by("name")


def import_refusal(user) -> str | None:
    """Why ``user`` may import no account file at all (nor map sections), or None when some establishment is theirs."""
    return None if importable_establishments(user).exists() else IMPORT_REFUSAL


def section_refusal(user, establishment: Establishment, removing: bool = False) -> str | None:
    """Why ``user`` may not map (or remove) an analytical section of ``establishment``, or None."""
    if may_import(user, establishment):
        return None
    verb = "retire" if removing else "rattache"
    return f"Seul l'organisme gestionnaire de l'établissement (rôle contribution) {verb} ses sections analytiques."


# --- National mean costs ------------------------------------------------------------------------------------------


def mean_costs_refusal(user) -> str | None:
    """The platform team and ARS users with the validation role enter the national reference; None for them."""
    membership = membership_of(user)
    if membership is not None and membership.has_role(Role.VALIDATE):
        if membership.side == Side.PLATFORM:
            return None
        if membership.side == Side.AUTHORITY and membership.authority.kind == AuthorityKind.ARS:
            return None
    return MEAN_COSTS_REFUSAL


# --- The reference budget and the trajectory, before signature ----------------------------------------------------


def _budget_state_refusal(contract: Contract) -> str | None:
    if not contract.is_open:
        return (
            f"Le contrat est à l'état « {contract.get_state_display()} » : le budget de référence ne se modifie "
            "qu'avant la signature (contrat lancé, en diagnostic partagé ou en négociation), ensuite par avenant."
        )
    return None


def lines_refusal(user, contract: Contract) -> str | None:
    """Why ``user`` may not propose the budget lines now; None when they may."""
    side = contract_side(user, contract)
    if side is None or not side.is_managing_body or not can_contribute(user, contract):
        return LINES_REFUSAL
    return _budget_state_refusal(contract)


def funder_authorities(contract: Contract) -> list[Authority]:
    """The authorities whose envelope the budget holds, each of which sets its own growth: the lead, then every other
    admitted authority party that funds an establishment of the perimeter (a party that funds none has no envelope)."""
    parties = [p for p in contract.parties.select_related("authority").order_by("-is_lead", "pk") if p.is_admitted]
    funding = set(contract.establishments.values_list("funders", flat=True).exclude(funders=None))
    return [p.authority for p in parties if p.is_lead or p.authority_id in funding]


def growth_refusal(user, contract: Contract, authority: Authority) -> str | None:
    """Why ``user`` may not set how ``authority``'s envelope grows now; None when they may.

    Each funder decides for its own money: only its members with the validation role, never another party (the lead
    does not set a council's rate, nor a council the ARS's).
    """
    if authority not in funder_authorities(contract):
        return (
            f"Aucun établissement du contrat n'est financé par {the(str(authority))} : "
            "pas de dotation dont fixer l'évolution."
        )
    side = contract_side(user, contract)
    if side is None or side.authority_id != authority.pk or not membership_of(user).has_role(Role.VALIDATE):
        return (
            f"Le mode et le taux d'évolution de cette dotation sont fixés par {the(str(authority))} (rôle "
            "validation) : chaque financeur décide de l'évolution de ses propres crédits."
        )
    return _budget_state_refusal(contract)


def own_funder(user, contract: Contract) -> Authority | None:
    """The funder ``user`` speaks for on this contract, if any: whose growth the budget page offers them to set."""
    side = contract_side(user, contract)
    if side is None or side.authority_id is None:
        return None
    return next((a for a in funder_authorities(contract) if a.pk == side.authority_id), None)


def scenario_refusal(user, contract: Contract) -> str | None:
    """Why ``user`` may not write the contract's trajectory scenarios now, or None when they may."""
    if not can_contribute(user, contract):
        return SCENARIO_REFUSAL
    if not contract.is_open:
        return (
            f"Le contrat est à l'état « {contract.get_state_display()} » : les scénarios de trajectoire ne se "
            "modifient que pendant le lancement, le diagnostic partagé et la négociation du contrat."
        )
    return None
