"""Who may do what with a contract's management reviews, said in French (None: allowed).

The lead authority runs the dialogue (seed 000 L884-888: « Envoi, par l'ARS, d'un courrier… », « Rédaction d'un
relevé de décisions par le représentant de l'A.R.S et envoi à l'établissement pour éventuels ajustements et
signature »): it plans the reviews, records them held, drafts the relevé, answers the adjustments and sends it for
signature. The managing body sends its questions beforehand (seed 003 L5775-5783) and proposes adjustments. Both sides
sign (the managing body and the lead authority), with the validation role. A decision's status is set by its owner's
side or by the lead authority. The platform team, read-only members and outsiders are refused.
"""

from cpom.access import Role, Side, membership_of
from cpom.amendments.rules import draft_refusal as amendment_draft_refusal
from cpom.contracts.models import SIGNED_STATES, Contract, State
from cpom.contracts.rules import contract_side

from .models import DecisionKind, PartySide, Review, ReviewState

# A review belongs to a signed contract's life: in force or being renewed (a closed one keeps its records).
REVIEWABLE_STATES = {State.SIGNED, State.IN_FORCE, State.RENEWAL}
NOT_REVIEWABLE = "Seul un contrat signé, en vigueur ou en renouvellement a des dialogues de gestion."


def side_of(user, contract: Contract) -> str | None:
    """« managing_body » or « authority » for a party's member, None otherwise."""
    party = contract_side(user, contract)
    if party is None:
        return None
    return PartySide.MANAGING_BODY if party.managing_body_id else PartySide.AUTHORITY


def is_lead(user, contract: Contract) -> bool:
    membership = membership_of(user)
    return (
        membership is not None
        and membership.side == Side.AUTHORITY
        and membership.authority_id == contract.lead_authority_id
        and contract_side(user, contract) is not None
    )


def _lead_refusal(user, contract: Contract, what: str, role: str = Role.CONTRIBUTE) -> str | None:
    if not is_lead(user, contract):
        return f"Seule l'autorité cheffe de file {what}."
    if not membership_of(user).has_role(role):
        return f"Il faut le rôle « {Role(role).label} » pour cela."
    return None


def _managing_body_refusal(user, contract: Contract, what: str, role: str = Role.CONTRIBUTE) -> str | None:
    if side_of(user, contract) != PartySide.MANAGING_BODY:
        return f"Seul l'organisme gestionnaire {what}."
    if not membership_of(user).has_role(role):
        return f"Il faut le rôle « {Role(role).label} » pour cela."
    return None


def _state_refusal(review: Review | None, states: set[str], message: str) -> str | None:
    if review is not None and review.state not in states:
        return message
    return None


def plan_refusal(user, contract: Contract) -> str | None:
    if contract.state not in REVIEWABLE_STATES:
        return NOT_REVIEWABLE
    return _lead_refusal(user, contract, "planifie les dialogues de gestion")


def edit_refusal(user, review: Review) -> str | None:
    return _state_refusal(
        review, {ReviewState.PLANNED}, "Ce dialogue est déjà tenu : sa date et son lieu ne changent plus."
    ) or _lead_refusal(user, review.contract, "fixe la date et le lieu d'un dialogue de gestion")


def hold_refusal(user, review: Review, today) -> str | None:
    if review.state != ReviewState.PLANNED:
        return "Ce dialogue est déjà enregistré comme tenu."
    if review.day > today:
        return f"Ce dialogue est prévu le {review.day:%d/%m/%Y} : il ne peut pas être tenu avant cette date."
    return _lead_refusal(user, review.contract, "enregistre qu'un dialogue de gestion s'est tenu")


def question_refusal(user, review: Review) -> str | None:
    return _state_refusal(
        review,
        {ReviewState.PLANNED},
        "Les questions se transmettent avant le dialogue : celui-ci est déjà tenu.",
    ) or _managing_body_refusal(user, review.contract, "transmet ses questions avant le dialogue")


def draft_refusal(user, review: Review) -> str | None:
    return _state_refusal(
        review,
        {ReviewState.HELD},
        "Le relevé de décisions se rédige une fois le dialogue tenu, avant son envoi pour signature.",
    ) or _lead_refusal(user, review.contract, "rédige le relevé de décisions")


def propose_refusal(user, review: Review) -> str | None:
    return _state_refusal(
        review,
        {ReviewState.HELD},
        "Un ajustement se propose sur le projet de relevé, avant son envoi pour signature.",
    ) or _managing_body_refusal(user, review.contract, "propose des ajustements au relevé")


def answer_refusal(user, review: Review) -> str | None:
    return _state_refusal(
        review, {ReviewState.HELD}, "Le relevé est déjà envoyé pour signature : les ajustements sont clos."
    ) or _lead_refusal(user, review.contract, "répond aux ajustements proposés")


def send_refusal(user, review: Review) -> str | None:
    refusal = _state_refusal(
        review, {ReviewState.HELD}, "Seul un relevé en rédaction s'envoie pour signature."
    ) or _lead_refusal(user, review.contract, "envoie le relevé pour signature", Role.VALIDATE)
    if refusal:
        return refusal
    if not review.decisions.exists():
        return "Le relevé ne compte aucune décision : inscrivez-en au moins une avant de l'envoyer."
    if review.adjustments.filter(answer="pending").exists():
        return "Un ajustement proposé par l'organisme gestionnaire attend votre réponse : répondez avant l'envoi."
    return None


def sign_refusal(user, review: Review) -> str | None:
    if review.state != ReviewState.SIGNING:
        return "Seul un relevé envoyé pour signature se signe."
    side = side_of(user, review.contract)
    if side is None:
        return "Seules les parties au contrat signent le relevé."
    if side == PartySide.AUTHORITY and not is_lead(user, review.contract):
        return "Côté autorités, l'autorité cheffe de file signe le relevé."
    if not membership_of(user).has_role(Role.VALIDATE):
        return f"Signer le relevé demande le rôle « {Role.VALIDATE.label} »."
    if review.signatures.filter(side=side).exists():
        return "Votre partie a déjà signé ce relevé."
    return None


def status_refusal(user, decision) -> str | None:
    contract = decision.review.contract
    if decision.review.state == ReviewState.PLANNED:
        return "Ce dialogue n'est pas encore tenu."
    side = side_of(user, contract)
    if side is None:
        return "Seules les parties au contrat suivent les décisions."
    if not membership_of(user).has_role(Role.CONTRIBUTE):
        return f"Il faut le rôle « {Role.CONTRIBUTE.label} » pour cela."
    if side != decision.owner_side and not is_lead(user, contract):
        return "L'état d'une décision est tenu par la partie qui la porte, ou par l'autorité cheffe de file."
    return None


def amendment_refusal(user, decision) -> str | None:
    if decision.kind != DecisionKind.PREPARE_AMENDMENT:
        return "Seule une décision « Préparer un avenant » ouvre un projet d'avenant."
    if decision.review.state != ReviewState.SEALED:
        return "Le projet d'avenant s'ouvre une fois le relevé signé par les deux parties."
    if decision.amendment_id is not None:
        return f"Cette décision a déjà ouvert l'avenant n° {decision.amendment.number}."
    if decision.review.contract.state not in SIGNED_STATES:
        return NOT_REVIEWABLE
    return amendment_draft_refusal(user, decision.review.contract)
