"""Who may propose, edit and negotiate the objectives. Each ``*_refusal`` answers with the French reason an action is
refused, or None when it is allowed; the views refuse with it and the pages' flags are derived from it."""

from cpom.contracts.models import Contract
from cpom.contracts.rules import can_contribute

from . import negotiation
from .models import Objective

PROPOSAL = "Seules les parties au contrat (rôle contribution) proposent des objectifs, et seulement avant signature."


def proposal_refusal(user, contract: Contract) -> str | None:
    """Proposing an objective (or copying an example) is the parties' act, before signature."""
    return None if can_contribute(user, contract) and contract.is_open else PROPOSAL


def may_propose(user, contract: Contract) -> bool:
    return proposal_refusal(user, contract) is None


def edit_refusal(user, objective: Objective) -> str | None:
    """Editing an objective, its indicators and its calendar is its proposer's (cpom.objectives.negotiation)."""
    return negotiation.refusal(objective, user, "edit")


def may_edit(user, objective: Objective) -> bool:
    return edit_refusal(user, objective) is None
