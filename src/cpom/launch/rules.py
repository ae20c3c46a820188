"""Who may keep a contract's launch kit, said in French.

A party to the contract (its managing body or an admitted authority) with at least the contribution role keeps the
kit (committee, referents, RACI, check-list, steps done) until the contract is signed; afterwards the kit is the
history of the launch and changes no more (the database holds it too: cpom.launch.seal). The platform team sees
it and speaks for no party; read-only members read it. Generating a letter changes nothing of the kit: whoever sees
the contract may.
"""

from datetime import date

from cpom.access import Role, membership_of
from cpom.contracts.models import SIGNED_STATES, Contract
from cpom.contracts.rules import contract_side

PARTIES_ONLY = (
    "Seules les parties au contrat (l'organisme gestionnaire et les autorités signataires) tiennent son kit de "
    "lancement."
)
SIGNED = "Le contrat est signé : son kit de lancement est l'histoire de son lancement et ne se modifie plus."


def edit_refusal(user, contract: Contract) -> str | None:
    """Why ``user`` may not change the contract's launch kit, or None."""
    if contract.state in SIGNED_STATES:
        return SIGNED
    if contract_side(user, contract) is None:
        return PARTIES_ONLY
    if not membership_of(user).has_role(Role.CONTRIBUTE):
        return f"Tenir le kit de lancement demande le rôle « {Role.CONTRIBUTE.label} »."
    return None


def done_date_refusal(done_on: date | None, today: date) -> str | None:
    if done_on is None:
        return "Date de réalisation : indiquez le jour où l'étape a été réalisée ."
    if done_on > today:
        return "Date de réalisation : une étape ne peut pas être déclarée réalisée à une date future."
    return None
