"""The RACI matrix of the launch: for each activity (a step of the procedure), who does it (R), the one who decides
and answers for it (A), who is consulted (C) and who is informed (I). Plain computation, no Django.

The sources name the « Matrice RACI » as an ANAP tool without giving its content (seed 001 L243, L532-538: SILENT);
the rule checked here is RACI's own: exactly one A per activity and at least one R. The default matrix is an
inference from the steps' actors (seed 000 L860-870) and the referents the parties name (seed 002 L83-87): the acting
party's referent answers for its step and its other members do it; a party with a single member has its referent do
the step and the lead authority's referent answer for it; a joint step is done by the managing body's referent and
answered for by the lead authority's; the other referents are consulted, everyone else informed.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .schedule import AUTHORITY, BOTH, CO_SIGNATORIES, MANAGING_BODY, Step

R, A, C, INFORMED = "R", "A", "C", "I"
ROLES = (R, A, C, INFORMED)

# The side of a member: the managing body, the lead authority, or a co-signing authority.
OG, LEAD, CO = "managing_body", "lead", "co_signatory"


@dataclass(frozen=True)
class Person:
    id: int
    side: str  # OG, LEAD or CO
    is_referent: bool


Matrix = Mapping[str, Mapping[int, str]]  # activity code → member id → role ("" or absent for none)


def problems(steps: Sequence[Step], matrix: Matrix, member_ids: set[int]) -> list[str]:
    """Every broken rule, in French, one per activity and rule (empty when the matrix holds)."""
    reasons = []
    for step in steps:
        row = {member: role for member, role in matrix.get(step.code, {}).items() if role}
        unknown = [role for role in row.values() if role not in ROLES]
        if unknown:
            reasons.append(f"Étape « {step.title} » : « {unknown[0]} » n'est pas un rôle RACI (R, A, C ou I).")
        strangers = set(row) - member_ids
        if strangers:
            reasons.append(f"Étape « {step.title} » : une personne qui n'est pas au comité de pilotage a un rôle.")
        accountable = sum(1 for role in row.values() if role == A)
        if accountable != 1:
            said = "aucune personne" if accountable == 0 else f"{accountable} personnes"
            reasons.append(
                f"Étape « {step.title} » : il faut exactement une personne « A » (qui décide et rend compte) ; "
                f"la matrice en donne {said}."
            )
        if not any(role == R for role in row.values()):
            reasons.append(f"Étape « {step.title} » : il faut au moins une personne « R » (qui réalise l'étape).")
    return reasons


def _actors(step: Step) -> tuple[str, ...]:
    return {MANAGING_BODY: (OG,), AUTHORITY: (LEAD,), BOTH: (LEAD, OG), CO_SIGNATORIES: (CO,)}[step.actor]


def default(steps: Sequence[Step], people: Sequence[Person]) -> dict[str, dict[int, str]]:
    """The matrix the sources suggest, from the steps' actors and the referents (see the module's note)."""
    referents = {p.side: p for p in people if p.is_referent}
    lead = referents.get(LEAD)
    if lead is None or OG not in referents:
        raise ValueError("The default matrix needs the managing body's referent and the lead authority's.")
    matrix = {}
    for step in steps:
        row: dict[int, str] = {}
        actors = [side for side in _actors(step) if side in referents]
        first = actors[0] if actors else LEAD
        doers = [p for p in people if p.side == first and not p.is_referent]
        if step.actor == BOTH:
            # A joint step (a meeting, the calendar): the lead authority's referent answers, the managing body's does.
            row[referents[LEAD].id] = A
            row[referents[OG].id] = R
        elif doers:
            row[referents[first].id] = A
            for person in doers:
                row[person.id] = R
        else:
            row[referents[first].id] = R
            # The lead authority answers for the procedure it leads; its own steps, when it is alone, to the
            # managing body's referent, who must accept what the authority sends.
            row[(referents[OG] if first == LEAD else lead).id] = A
        for person in people:
            if person.id not in row:
                row[person.id] = C if person.is_referent else INFORMED
        matrix[step.code] = row
    return matrix
