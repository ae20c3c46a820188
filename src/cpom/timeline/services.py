"""A contract's timeline: every event the stages registered (:mod:`cpom.history_sources`), filtered by kind and by
party, as the page and its PDF show it."""

from dataclasses import dataclass

from cpom import history_sources
from cpom.history_sources import Event

PLATFORM = "Plateforme cpom"
ALL = ""


@dataclass(frozen=True)
class Filters:
    kind: str = ALL
    party: str = ALL

    @property
    def is_filtered(self) -> bool:
        return bool(self.kind or self.party)


def parties(contract) -> list[str]:
    """The organisations a history can be filtered on: the managing body, then each authority party."""
    return [contract.managing_body.name] + [party.authority.name for party in contract.parties.all()]


def read_filters(contract, query) -> tuple[Filters, list[str]]:
    """The filters of the page's form (``type``, ``partie``); an unknown value is refused by name, and left out."""
    errors = []
    kind, party = query.get("type", "").strip(), query.get("partie", "").strip()
    if kind and kind not in {k.code for k in history_sources.kinds()}:
        errors.append(f"Type d'événement : « {kind} » n'est pas un type de l'historique ; tous les types sont montrés.")
        kind = ALL
    if party and party not in parties(contract) + [PLATFORM]:
        errors.append(f"Partie : « {party} » n'est pas partie au contrat ; toutes les parties sont montrées.")
        party = ALL
    return Filters(kind, party), errors


def history(contract, filters: Filters = Filters()) -> list[Event]:
    """The contract's events, oldest first, those of the chosen kind and party. The platform's own acts (a version
    sealed when the last party signed, a nightly computation) belong to no party: the party « Plateforme cpom »
    selects them."""
    events = history_sources.collect(contract, [filters.kind] if filters.kind else None)
    if filters.party == PLATFORM:
        return [event for event in events if not event.organisation]
    if filters.party:
        return [event for event in events if event.organisation == filters.party]
    return events


def kind_labels() -> dict[str, str]:
    return {kind.code: kind.label for kind in history_sources.kinds()}
