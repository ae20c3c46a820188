"""Every computed deadline of a contract, said by the stage that computes it.

The contract's life (renewal windows, intentions, end), an amendment's procedure, a campaign's calendar, a review, a
decision due, a step of the backward schedule: each stage knows its own dates, and the pages and messages that show
deadlines (the portfolios, the emails of ``cpom notify``, the calendar feed) must not import every stage. Each stage
registers a :data:`Source` when its app is ready; :func:`collect` asks them all.

A source reads many contracts at once and must not query per contract (the portfolio of an authority with a thousand
contracts asks them all in one page): it receives the contracts and the :class:`Window` asked, and answers with their :class:`Due` items.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Kind:
    code: str  # stable, for settings and the people's preferences: « contract_end », « review »…
    label: str  # in French, as a person chooses it in their preferences
    days_before: int  # how early a person is told by default


@dataclass(frozen=True)
class Due:
    """One deadline of one contract."""

    contract_id: int
    day: date
    kind: str  # a registered Kind's code
    label: str  # what is due, in French, whole (« Relevé de décisions du dialogue de l'année 3 à signer »)
    url: str  # where the people concerned act on it
    key: str  # stable identity, so that a deadline told once is not told again: « review:12:2026-10-15 »
    # Who must act: « managing_body », « authority », or "" for every party; a person when one is named (the owner
    # of a decision), who is then the only one told.
    side: str = ""
    person_id: int | None = None


@dataclass(frozen=True)
class Window:
    """The days a caller asks, both included, either open. A source may narrow its query to them (the evaluations of
    seven thousand establishments, when the portfolio asks the next 90 days); :func:`collect` filters in any case."""

    since: date | None = None
    until: date | None = None

    def holds(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


ALWAYS = Window()
# ``source(contracts)``, or ``source(contracts, window)`` for a source registered as narrowing to the window.
Source = Callable[..., Iterable[Due]]
_KINDS: dict[str, Kind] = {}
_SOURCES: dict[Source, bool] = {}  # each source, and whether it narrows its query to the window asked


def register(source: Source, *kinds: Kind, narrows: bool = False) -> None:
    """Adds a source and the kinds of deadline it gives (a kind is registered once, by the stage that owns it).

    A source that ``narrows`` is handed the :class:`Window` asked as its second argument.
    """
    for kind in kinds:
        _KINDS.setdefault(kind.code, kind)
    _SOURCES.setdefault(source, narrows)


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.label)


def kind(code: str) -> Kind:
    return _KINDS[code]


def collect(contracts: Sequence[object], since: date | None = None, until: date | None = None) -> list[Due]:
    """The deadlines of ``contracts`` between ``since`` and ``until`` (both included, either open), by day."""
    contracts = list(contracts)
    if not contracts:
        return []
    window = Window(since, until)
    items = [
        due
        for source, narrows in _SOURCES.items()
        for due in (source(contracts, window) if narrows else source(contracts))
        if window.holds(due.day)
    ]
    return sorted(items, key=lambda due: (due.day, due.contract_id, due.label))
