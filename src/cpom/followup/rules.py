"""Who may do what in the yearly follow-up, each refusal said in French (None when allowed).

- The lead authority (validation role) opens a campaign, on a contract in force, once per year of the contract.
- The managing body (contribution role) declares values, writes the « situation actuelle » and comments, marks
  milestones done, while the campaign is open; it submits the campaign (validation role).
- An authority party (validation role) confirms or overrides the proposed levels, while the campaign is open or
  submitted; an override needs its comment.
- Both sides write the shared conclusions; each party signs them (validation role), in the order fixed when they are
  sent for signature.
The platform team sees every campaign but speaks for no party; read-only members and outsiders are refused.
"""

from cpom.access import Role, membership_of
from cpom.contracts.models import Contract, State
from cpom.contracts.rules import contract_side

from .models import Campaign, CampaignStatus

FOLLOWED_STATES = (State.IN_FORCE, State.AMENDING, State.RENEWAL)
NOT_A_PARTY = "Seules les parties au contrat (l'organisme gestionnaire et les autorités signataires) {action}."


def _role_refusal(user, role: str) -> str | None:
    if not membership_of(user).has_role(role):
        return f"Cette action demande le rôle « {Role(role).label} »."
    return None


def _side(user, contract: Contract, action: str, role: str):
    side = contract_side(user, contract)
    if side is None:
        return None, NOT_A_PARTY.format(action=action)
    return side, _role_refusal(user, role)


def open_refusal(user, contract: Contract, year: int) -> str | None:
    if contract.state not in FOLLOWED_STATES:
        return f"Le contrat est à l'état « {contract.get_state_display()} » : seul un contrat en vigueur se suit."
    if not contract.start_date.year <= year <= contract.end_date.year:
        return f"L'année {year} n'est pas une année du contrat ({contract.start_date.year} à {contract.end_date.year})."
    side = contract_side(user, contract)
    if side is None or side.authority_id is None or side.authority_id != contract.lead_authority_id:
        return "Seule l'autorité cheffe de file ouvre une campagne de suivi."
    return _role_refusal(user, Role.VALIDATE)


def _editable(campaign: Campaign, statuses, what: str) -> str | None:
    if campaign.status not in statuses:
        return f"La campagne {campaign.year} est « {campaign.get_status_display()} » : {what}"
    return None


def entry_refusal(user, campaign: Campaign) -> str | None:
    """Declared values, « situation actuelle », comments, milestones: the managing body, while the campaign is open."""
    refusal = _editable(
        campaign, (CampaignStatus.OPEN,), "l'organisme gestionnaire ne la renseigne que tant qu'elle est ouverte."
    )
    if refusal:
        return refusal
    side, refusal = _side(user, campaign.contract, "renseignent la grille", Role.CONTRIBUTE)
    if refusal:
        return refusal
    if side.managing_body_id is None:
        return "La grille se renseigne par l'organisme gestionnaire ; l'autorité confirme les niveaux."
    return None


def submit_refusal(user, campaign: Campaign) -> str | None:
    refusal = _editable(campaign, (CampaignStatus.OPEN,), "elle n'est plus à transmettre.")
    if refusal:
        return refusal
    side, refusal = _side(user, campaign.contract, "transmettent la grille", Role.VALIDATE)
    if refusal:
        return refusal
    if side.managing_body_id is None:
        return "Seul l'organisme gestionnaire transmet sa grille et son bilan."
    return None


def confirm_refusal(user, campaign: Campaign) -> str | None:
    refusal = _editable(
        campaign,
        (CampaignStatus.OPEN, CampaignStatus.SUBMITTED),
        "les niveaux ne se confirment plus une fois les conclusions envoyées pour signature.",
    )
    if refusal:
        return refusal
    side, refusal = _side(user, campaign.contract, "confirment les niveaux", Role.VALIDATE)
    if refusal:
        return refusal
    if side.authority_id is None:
        return "Les niveaux de réalisation se confirment par une autorité signataire ; l'organisme les commente."
    return None


def override_refusal(proposed: str, confirmed: str, comment: str) -> str | None:
    if confirmed != proposed and not comment.strip():
        return (
            f"Le niveau retenu ({confirmed}) diffère du niveau proposé ({proposed or 'aucun'}) : "
            "indiquez le motif de l'écart dans le commentaire."
        )
    return None


def conclusions_refusal(user, campaign: Campaign) -> str | None:
    """Both sides write the shared conclusions, until they are sent for signature."""
    refusal = _editable(
        campaign,
        (CampaignStatus.OPEN, CampaignStatus.SUBMITTED),
        "les conclusions ne changent plus une fois envoyées pour signature.",
    )
    return refusal or _side(user, campaign.contract, "écrivent les conclusions partagées", Role.CONTRIBUTE)[1]


def send_conclusions_refusal(user, campaign: Campaign) -> str | None:
    refusal = _editable(
        campaign, (CampaignStatus.SUBMITTED,), "les conclusions s'envoient pour signature une fois la grille transmise."
    )
    if refusal:
        return refusal
    if not campaign.conclusions.strip():
        return "Écrivez les éléments conclusifs partagés avant de les envoyer pour signature."
    side = contract_side(user, campaign.contract)
    if side is None or side.authority_id is None or side.authority_id != campaign.contract.lead_authority_id:
        return "Seule l'autorité cheffe de file envoie les conclusions pour signature."
    return _role_refusal(user, Role.VALIDATE)


def sign_conclusions_refusal(user, campaign: Campaign, party: str | None, signed: set[str]) -> str | None:
    refusal = _editable(campaign, (CampaignStatus.SIGNING,), "ses conclusions ne sont pas en signature.")
    if refusal:
        return refusal
    if party is None or party not in campaign.signature_order:
        return NOT_A_PARTY.format(action="signent les conclusions")
    if party in signed:
        return "Votre organisation a déjà signé ces conclusions."
    waiting = next(key for key in campaign.signature_order if key not in signed)
    if waiting != party:
        return "Les conclusions se signent dans l'ordre du contrat : une autre partie signe d'abord."
    return _role_refusal(user, Role.VALIDATE)
