"""Who may do what in finance: import accounts, map sections, enter mean costs, type the budget, edit trajectories.

Each ``*_refusal`` function answers for one user (and one record) with the French reason of a refusal, or None when
the user may; views and templates derive their permissions from them, the services check them again before writing.
"""

from django.db.models import QuerySet

from cpom.access import Role, Side, membership_of
from cpom.contracts.models import Contract
from cpom.contracts.rules import can_contribute, contract_side
from cpom.registry.models import AuthorityKind, Establishment
from cpom.registry.rules import can_edit_establishment

IMPORT_REFUSAL = (
    "L'import des comptes est réservé à l'organisme gestionnaire de l'établissement (rôle contribution) "
    "et à l'équipe de la plateforme."
)
MEAN_COSTS_REFUSAL = "Seules l'équipe de la plateforme et les ARS (rôle validation) saisissent les coûts moyens."
LINES_REFUSAL = "Seul l'organisme gestionnaire (rôle contribution ou plus) propose les lignes du budget de référence."
GROWTH_REFUSAL = "Seule l'autorité cheffe de file (rôle validation) fixe le mode et le taux d'évolution de la dotation."
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


def growth_refusal(user, contract: Contract) -> str | None:
    """Why ``user`` may not set the growth mode and rate now; None when they may."""
    side = contract_side(user, contract)
    lead = side is not None and side.authority_id is not None and side.authority_id == contract.lead_authority_id
    if not lead or not membership_of(user).has_role(Role.VALIDATE):
        return GROWTH_REFUSAL
    return _budget_state_refusal(contract)


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
