"""Negotiating objectives: who may do what to an objective in which status, and the record of it.

Both sides see the same objective. Only the side that proposed it edits it; every
party comments. An objective is agreed when every party it concerns (the managing body,
the lead authority, and each other authority of the contract whose competence or money
it touches) has agreed to its current version: an edit makes earlier agreements lapse.
Proposing a version is agreeing to it. An authority it does not concern (a council and an
objective of an IME the ARS alone funds) neither agrees, rejects nor reopens it: its word
is neither required nor accepted.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction

from cpom.audit.services import record
from cpom.contracts.models import Contract
from cpom.contracts.rules import ContractSide, can_contribute, contract_side
from cpom.core.locking import StaleWrite
from cpom.core.text import the
from cpom.registry.models import Establishment

from .models import Agreement, Funding, Level, Message, Objective, Status
from .snapshots import objective_snapshot

# Action → the statuses it may start from.
ALLOWED_FROM = {
    "edit": {Status.PROPOSED, Status.UNDER_DISCUSSION, Status.AGREED, Status.INTENTION},
    "agree": {Status.PROPOSED, Status.UNDER_DISCUSSION},
    "reject": {Status.PROPOSED, Status.UNDER_DISCUSSION},
    "reopen": {Status.AGREED, Status.INTENTION, Status.REJECTED},
    "comment": set(Status.values),
}
SETTLED = {Status.AGREED, Status.INTENTION}
# What a party says about the objective itself, only for the parties it concerns (commenting is open to all).
WORD_ACTIONS = {"agree", "reject", "reopen"}
ACTION_LABELS = {
    "edit": "modifier",
    "agree": "donner son accord",
    "reject": "rejeter",
    "reopen": "rouvrir la discussion",
    "comment": "commenter",
}


class NegotiationRefused(Exception):
    """The rules forbid this action now; the message says why, in French."""


class StaleObjective(StaleWrite, NegotiationRefused):
    """The objective changed since the user read it."""


@dataclass(frozen=True)
class Party:
    label: str
    managing_body_id: int | None
    authority_id: int | None


_READING = "_negotiation_reading"


@contextmanager
def reading(contract: Contract):
    """While a page reads every objective of ``contract`` (the readiness check), what they all ask of it (its parties,
    its perimeter and their funders) is read once, not once per objective; nothing is kept after."""
    contract.__dict__[_READING] = {}
    try:
        yield
    finally:
        contract.__dict__.pop(_READING, None)


def _once(contract: Contract, key: str, read: Callable[[], list]) -> list:
    kept = contract.__dict__.get(_READING)
    if kept is None:
        return read()
    if key not in kept:
        kept[key] = read()
    return kept[key]


def parties(contract: Contract) -> list[Party]:
    """Everyone whose agreement an objective needs: the managing body, then each authority party."""

    def read():
        admitted = contract.parties.admitted().select_related("authority")
        return [Party(str(contract.managing_body), contract.managing_body_id, None)] + [
            Party(str(p.authority), None, p.authority_id) for p in admitted
        ]

    return _once(contract, "parties", read)


def _named(objective: Objective) -> list[Establishment]:
    if "establishments" in getattr(objective, "_prefetched_objects_cache", {}):
        return list(objective.establishments.all())  # the caller prefetched them with their funders
    return list(objective.establishments.prefetch_related("funders"))


def _children(objective: Objective) -> list[Objective]:
    if "children" in getattr(objective, "_prefetched_objects_cache", {}):
        return list(objective.children.all())
    return list(objective.children.prefetch_related("establishments__funders"))


def _perimeter(contract: Contract) -> list[Establishment]:
    return _once(contract, "perimeter", lambda: list(contract.establishments.prefetch_related("funders")))


def concerned_establishments(objective: Objective) -> list[Establishment]:
    """What an objective is about: the establishments it names; else, for a strategic objective, those of its
    operational objectives, for another, those its parent names; else the whole perimeter (the managing body's)."""
    named = _named(objective)
    if named:
        return named
    perimeter = _perimeter(objective.contract)
    if objective.level == Level.STRATEGIC:
        children = [child for child in _children(objective) if child.status != Status.REJECTED]
        if children:
            return list({e.pk: e for child in children for e in (_named(child) or perimeter)}.values())
    elif objective.parent is not None:
        return _named(objective.parent) or perimeter
    return perimeter


def concerns(objective: Objective, authority_id: int) -> bool:
    """Whether the objective touches an authority's competence or money: the lead authority steers every objective
    and the proposer stands by its own; any other authority is concerned when it funds (the registry's funders: its
    tariff competence) one of the establishments the objective is about, and so pays for the means it brings."""
    contract = objective.contract
    if authority_id in (contract.lead_authority_id, objective.proposed_by_authority_id):
        return True
    return any(authority_id in {a.pk for a in e.funders.all()} for e in concerned_establishments(objective))


def unconcerned(objective: Objective) -> list[Party]:
    """The authority parties this objective does not concern, shown as « ne concerne pas … »."""
    return [
        p for p in parties(objective.contract) if p.authority_id is not None and not concerns(objective, p.authority_id)
    ]


def is_proposer(side: ContractSide | None, objective: Objective) -> bool:
    if side is None:
        return False
    if objective.proposed_by_authority_id is None:
        return side.is_managing_body
    return side.authority_id == objective.proposed_by_authority_id


def refusal(objective: Objective, user, action: str) -> str | None:
    """Why ``user`` may not take ``action`` on ``objective`` now, or None when allowed."""
    contract = objective.contract
    if not contract.is_open:
        return f"Les objectifs ne se négocient plus : le contrat est à l'état « {contract.get_state_display()} »."
    if not can_contribute(user, contract):
        return "Seules les parties au contrat (rôle contribution au moins) négocient les objectifs."
    if action == "edit" and not is_proposer(contract_side(user, contract), objective):
        return (
            f"Cet objectif ne peut être modifié que par {the(objective.proposer_label)}, qui l'a proposé ; "
            "les autres parties en discutent."
        )
    side = contract_side(user, contract)
    if action in WORD_ACTIONS and side.authority_id is not None and not concerns(objective, side.authority_id):
        return (
            f"Cet objectif ne concerne pas {the(side.label)} : il ne porte sur aucun établissement financé par "
            "cette autorité, ni sur ses crédits. Son accord n'est ni requis ni recueilli."
        )
    agreed = action == "agree" and _key(side) in _agreed_parties(objective)
    # A party admitted after the others agreed still gives its word on the settled version.
    late_party = action == "agree" and objective.status in SETTLED and not agreed
    if objective.status not in ALLOWED_FROM[action] and not late_party:
        return f"Impossible de {ACTION_LABELS[action]} un objectif au statut « {objective.get_status_display()} »."
    if action == "agree" and agreed:
        return "Votre organisation a déjà donné son accord à cette version."
    return None


def may(objective: Objective, user, action: str) -> bool:
    return refusal(objective, user, action) is None


def _key(party) -> tuple:
    return (party.managing_body_id, party.authority_id)


def _agreed_parties(objective: Objective) -> set[tuple]:
    return {(a.managing_body_id, a.authority_id) for a in objective.agreements.all() if a.version == objective.version}


def agreement_state(objective: Objective) -> list[tuple[Party, Agreement | None]]:
    """Each party whose agreement the objective needs (see :func:`concerns`), with its agreement to the current
    version, if given."""
    current = {
        (a.managing_body_id, a.authority_id): a for a in objective.agreements.all() if a.version == objective.version
    }
    return [
        (party, current.get(_key(party)))
        for party in parties(objective.contract)
        if party.authority_id is None or concerns(objective, party.authority_id)
    ]


def _locked(objective: Objective, user, action: str, expected_version: int | None = None) -> Objective:
    current = Objective.objects.select_for_update().select_related("contract").get(pk=objective.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleObjective
    reason = refusal(current, user, action)
    if reason:
        raise NegotiationRefused(reason)
    return current


def _say(objective: Objective, user, event: str = "", text: str = "") -> Message:
    return Message.objects.create(
        objective=objective,
        author=user,
        organisation_label=contract_side(user, objective.contract).label,
        event=event,
        text=text.strip(),
        objective_version=objective.version,
    )


@transaction.atomic
def edit(
    objective: Objective, user, change: Callable[[Objective], None], expected_version: int, what: str
) -> Objective:
    """Applies ``change`` as a new version of the proposal; agreements given to the previous version lapse."""
    current = _locked(objective, user, "edit", expected_version)
    before = objective_snapshot(current)
    change(current)
    after = objective_snapshot(current)
    if after == before:
        return current
    if current.status != Status.PROPOSED:
        current.status = Status.UNDER_DISCUSSION
    current.bump_version("status")
    record(user, current, f"Version {current.version} : {what}", before, after)
    agree_as_proposer(current, user)
    return current


def agree_as_proposer(objective: Objective, user) -> Agreement:
    """Whoever puts a version forward agrees to it; the other parties' word is still awaited."""
    side = contract_side(user, objective.contract)
    return Agreement.objects.create(
        objective=objective,
        managing_body_id=side.managing_body_id,
        authority_id=side.authority_id,
        version=objective.version,
        user=user,
    )


@transaction.atomic
def comment(objective: Objective, user, text: str) -> Message:
    current = _locked(objective, user, "comment")
    if not text.strip():
        raise NegotiationRefused("Le message est vide.")
    if current.status == Status.PROPOSED and not is_proposer(contract_side(user, current.contract), current):
        # The other side's first word opens the discussion.
        _set_status(current, user, Status.UNDER_DISCUSSION)
    return _say(current, user, text=text)


@transaction.atomic
def agree(objective: Objective, user, expected_version: int) -> Objective:
    """Records the user's organisation's agreement to the version it read; the last agreement settles the objective."""
    current = _locked(objective, user, "agree", expected_version)
    side = contract_side(user, current.contract)
    Agreement.objects.create(
        objective=current,
        managing_body_id=side.managing_body_id,
        authority_id=side.authority_id,
        version=current.version,
        user=user,
    )
    _say(current, user, event=f"a donné son accord à la version {current.version}")
    if current.status in SETTLED:
        return current
    if all(agreement for _, agreement in agreement_state(current)):
        _set_status(current, user, Status.INTENTION if current.funding == Funding.INTENTION else Status.AGREED)
    elif current.status == Status.PROPOSED:
        _set_status(current, user, Status.UNDER_DISCUSSION)
    return current


@transaction.atomic
def reject(objective: Objective, user, reason: str) -> Objective:
    current = _locked(objective, user, "reject")
    if not reason.strip():
        raise NegotiationRefused("Indiquez pourquoi l'objectif est rejeté.")
    _set_status(current, user, Status.REJECTED)
    _say(current, user, event="a rejeté l'objectif", text=reason)
    return current


@transaction.atomic
def reopen(objective: Objective, user, reason: str) -> Objective:
    current = _locked(objective, user, "reopen")
    if not reason.strip():
        raise NegotiationRefused("Indiquez ce qui doit être rediscuté.")
    # Agreements lapse: the reopened objective needs every party's word again.
    current.bump_version()
    _set_status(current, user, Status.UNDER_DISCUSSION)
    _say(current, user, event="a rouvert la discussion", text=reason)
    return current


def _set_status(objective: Objective, user, status: str) -> None:
    before = {"statut": objective.get_status_display()}
    objective.status = status
    objective.save(update_fields=["status"])
    record(user, objective, "Changement de statut", before, {"statut": objective.get_status_display()})
