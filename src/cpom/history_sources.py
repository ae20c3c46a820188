"""Every event of a contract's history, said by the stage that records it.

A transition, a signature, an amendment, a review and its decisions, a document sent, an import: each stage keeps
its own records, and the contract's timeline (what a newcomer reads on their first day) must not import every stage.
Each stage registers a :data:`Source` when its app is ready; :func:`collect` asks them all.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Kind:
    code: str  # stable, for the timeline's filter: « transition », « signature », « review »…
    label: str  # in French, as the filter shows it


@dataclass(frozen=True)
class Event:
    """One event of one contract's history."""

    at: datetime
    kind: str  # a registered Kind's code
    label: str  # what happened, in French, whole (« Version n° 2 signée par l'ARS Pays de la Loire »)
    # Who, as they were at that date: the person's name and their organisation then (a contact who has left since is
    # still named as they were); "" when the platform did it (a nightly computation).
    person: str = ""
    organisation: str = ""
    url: str = ""  # where the record is read, "" when it has no page
    detail: str = ""  # a comment, a reason, a file's name


Source = Callable[[object], Iterable[Event]]
_KINDS: dict[str, Kind] = {}
_SOURCES: list[Source] = []


def register(source: Source, *kinds: Kind) -> None:
    """Adds a source and the kinds of event it gives (a kind is registered once, by the stage that owns it)."""
    for kind in kinds:
        _KINDS.setdefault(kind.code, kind)
    if source not in _SOURCES:
        _SOURCES.append(source)


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.label)


def collect(contract, kinds_wanted: Iterable[str] | None = None) -> list[Event]:
    """The events of ``contract``, oldest first, only those of ``kinds_wanted`` when given."""
    wanted = set(kinds_wanted) if kinds_wanted is not None else None
    events = [event for source in _SOURCES for event in source(contract) if wanted is None or event.kind in wanted]
    return sorted(events, key=lambda event: (event.at, event.kind, event.label))
