"""Who may write what in the shared diagnostic. Each ``*_refusal`` answers with the French reason an action is
refused, or None when it is allowed: the views refuse with it, the templates show a button only when it is None
(through the ``may_*`` flags of the page), the services check the same rule before writing."""

from cpom.contracts.models import Contract
from cpom.contracts.rules import can_contribute, contract_side

from .models import Finding

ANALYSIS = "Seul l'organisme gestionnaire (rôle contribution) rédige l'analyse d'une section."
REMARK = "Les remarques sont celles des autorités parties au contrat (rôle contribution)."
ATTACHMENT = "Seules les parties au contrat (rôle contribution) joignent des documents."
FINDING = "Seules les parties au contrat (rôle contribution) rédigent des constats."
FINDING_EDIT = "Seule la partie qui a rédigé ce constat peut le modifier ; les autres en discutent."
SYNTHESIS = "Seules les parties au contrat (rôle contribution) rédigent la synthèse."


def closed_refusal(contract: Contract) -> str | None:
    """A closed diagnostic is said first, whatever the rule the user would otherwise meet."""
    if contract.is_open:
        return None
    return f"Le diagnostic ne se modifie plus : le contrat est à l'état « {contract.get_state_display()} »."


def may_write_analysis(user, contract: Contract) -> bool:
    side = contract_side(user, contract)
    return contract.is_open and can_contribute(user, contract) and side.is_managing_body


def may_remark(user, contract: Contract) -> bool:
    side = contract_side(user, contract)
    return contract.is_open and can_contribute(user, contract) and not side.is_managing_body


def may_contribute(user, contract: Contract) -> bool:
    return contract.is_open and can_contribute(user, contract)


def may_edit_finding(user, finding: Finding) -> bool:
    side = contract_side(user, finding.diagnostic.contract)
    return may_contribute(user, finding.diagnostic.contract) and side.authority_id == finding.authority_id


def _refusal(allowed: bool, contract: Contract, reason: str) -> str | None:
    return None if allowed else closed_refusal(contract) or reason


def analysis_refusal(user, contract: Contract) -> str | None:
    return _refusal(may_write_analysis(user, contract), contract, ANALYSIS)


def remark_refusal(user, contract: Contract) -> str | None:
    return _refusal(may_remark(user, contract), contract, REMARK)


def attachment_refusal(user, contract: Contract) -> str | None:
    return _refusal(may_contribute(user, contract), contract, ATTACHMENT)


def finding_refusal(user, contract: Contract) -> str | None:
    return _refusal(may_contribute(user, contract), contract, FINDING)


def finding_edit_refusal(user, finding: Finding) -> str | None:
    return _refusal(may_edit_finding(user, finding), finding.diagnostic.contract, FINDING_EDIT)


def synthesis_refusal(user, contract: Contract) -> str | None:
    return _refusal(may_contribute(user, contract), contract, SYNTHESIS)


def rights(user, contract: Contract) -> dict:
    """The page's flags, each derived from a rule above."""
    return {
        "may_write_analysis": may_write_analysis(user, contract),
        "may_remark": may_remark(user, contract),
        "may_contribute": may_contribute(user, contract),
        "is_open": contract.is_open,
    }
