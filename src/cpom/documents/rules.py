"""Which objectives have a document. Each ``*_refusal`` answers with the French reason a document is refused, or None
when it can be produced; the download views refuse with it."""

from cpom.objectives.models import Level, Objective, Status

SHEET = "Seuls les objectifs opérationnels ont une fiche objectif."


def sheet_refusal(objective: Objective) -> str | None:
    """A fiche objectif is an operational objective's: a strategic objective is read through the ones it groups."""
    return None if objective.level == Level.OPERATIONAL else SHEET


def in_annex(objective: Objective) -> bool:
    """The annex of the contract holds every fiche but those of the objectives the parties rejected."""
    return sheet_refusal(objective) is None and objective.status != Status.REJECTED
