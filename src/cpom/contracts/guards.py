"""What keeps a contract from signature, said by the stages that come after the contract.

The lifecycle cannot import the objectives (they read the contract, not the reverse): each later stage registers
a guard when its app is ready (the objectives' readiness check), and the lifecycle, the contract page and
``cpom contrats verification`` ask :func:`blockers`. A guard returns the :class:`Blocker` list of one contract.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Blocker:
    rule: str  # which rule, for code and tests: « not_agreed », « no_indicator »…
    message: str  # what is missing, in French
    url: str  # where to fix it


Guard = Callable[[object], list[Blocker]]
_GUARDS: list[Guard] = []


def register(guard: Guard) -> None:
    if guard not in _GUARDS:
        _GUARDS.append(guard)


_CHECKED = "_guards_checked"


def blockers(contract) -> list[Blocker]:
    """Everything that keeps ``contract`` from signature, guard after guard; empty when it may go."""
    kept = contract.__dict__.get(_CHECKED)
    if kept:
        return kept[0]
    found = [blocker for guard in _GUARDS for blocker in guard(contract)]
    if kept is not None:
        kept.append(found)
    return found


@contextmanager
def checking(contract):
    """While a page shows ``contract`` (nothing written meanwhile), its blockers are computed once: the page counts
    them and the lifecycle's options ask for them again."""
    contract.__dict__[_CHECKED] = []  # filled by the first ask, if any
    try:
        yield
    finally:
        contract.__dict__.pop(_CHECKED, None)
