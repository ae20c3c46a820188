"""Who may do what in the life of a signed contract, each refusal said in French.

- An amendment is drafted and its changes edited by a party (the managing body or an admitted authority) with the
  contribution role; each party gives its agreement with the validation role (it binds it); the lead authority sends
  the agreed amendment for signature.
- A prorogation by the light form is recorded by the lead authority (validation role), attesting every party's
  agreement to the decision.
- A termination is notified by any party (validation role).
- A renewal is prepared by the lead authority (validation role): it programs the successor contract.
The platform team sees every contract but speaks for no party: it is refused, as are read-only members and
outsiders.
"""

from cpom.access import Role, membership_of
from cpom.contracts.lifecycle import AMENDABLE_STATES
from cpom.contracts.models import Contract, State
from cpom.contracts.rules import contract_side

RENEWABLE_STATES = (State.IN_FORCE, State.RENEWAL)

NOT_A_PARTY = "Seules les parties au contrat (l'organisme gestionnaire et les autorités signataires) {action}."


def _role_refusal(user, role: str) -> str | None:
    membership = membership_of(user)
    if not membership.has_role(role):
        return f"Cette action demande le rôle « {Role(role).label} »."
    return None


def _party_refusal(user, contract: Contract, role: str, action: str) -> str | None:
    if contract_side(user, contract) is None:
        return NOT_A_PARTY.format(action=action)
    return _role_refusal(user, role)


def _lead_refusal(user, contract: Contract, action: str) -> str | None:
    side = contract_side(user, contract)
    if side is None or side.authority_id is None or side.authority_id != contract.lead_authority_id:
        return f"Seule l'autorité cheffe de file {action}."
    return _role_refusal(user, Role.VALIDATE)


def _state_refusal(contract: Contract, states, what: str) -> str | None:
    if contract.state not in states:
        return f"Le contrat est à l'état « {contract.get_state_display()} » : {what}"
    return None


AMENDABLE = "un avenant ne se prépare que sur un contrat signé, en vigueur ou en renouvellement."


def draft_refusal(user, contract: Contract) -> str | None:
    return _state_refusal(contract, AMENDABLE_STATES, AMENDABLE) or _party_refusal(
        user, contract, Role.CONTRIBUTE, "préparent un avenant"
    )


def agree_refusal(user, contract: Contract) -> str | None:
    return _state_refusal(contract, AMENDABLE_STATES, AMENDABLE) or _party_refusal(
        user, contract, Role.VALIDATE, "donnent leur accord à un avenant"
    )


def send_refusal(user, contract: Contract) -> str | None:
    return _state_refusal(contract, AMENDABLE_STATES, AMENDABLE) or _lead_refusal(
        user, contract, "envoie un avenant pour signature"
    )


def prorogation_refusal(user, contract: Contract) -> str | None:
    return _state_refusal(
        contract, AMENDABLE_STATES, "seul un contrat signé, en vigueur ou en renouvellement se proroge."
    ) or _lead_refusal(user, contract, "enregistre la décision de prorogation")


def termination_refusal(user, contract: Contract) -> str | None:
    return _state_refusal(
        contract, AMENDABLE_STATES, "seul un contrat signé, en vigueur ou en renouvellement se dénonce."
    ) or _party_refusal(user, contract, Role.VALIDATE, "dénoncent le contrat")


def renewal_refusal(user, contract: Contract) -> str | None:
    return _state_refusal(
        contract, RENEWABLE_STATES, "seul un contrat en vigueur ou en renouvellement se renouvelle."
    ) or _lead_refusal(user, contract, "prépare le renouvellement du contrat")


def take_up_refusal(user, successor: Contract) -> str | None:
    """Taking the predecessor's material into the successor's diagnostic is writing a finding there."""
    if not successor.is_open:
        return (
            f"Le nouveau contrat est à l'état « {successor.get_state_display()} » : son diagnostic partagé s'ouvre "
            "au lancement de la démarche ; reprenez ces éléments ensuite."
        )
    return _party_refusal(user, successor, Role.CONTRIBUTE, "reprennent ces éléments dans le diagnostic")
