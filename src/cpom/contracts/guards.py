"""What keeps a contract from signature, said by the stages that come after the contract.

The lifecycle cannot import the objectives (they read the contract, not the reverse): each later stage registers
a guard when its app is ready (the objectives' readiness check), and the lifecycle, the contract page and
``cpom contrats verification`` ask :func:`blockers`. A guard returns the :class:`Blocker` list of one contract.
"""

from collections.abc import Callable
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


def blockers(contract) -> list[Blocker]:
    """Everything that keeps ``contract`` from signature, guard after guard; empty when it may go."""
    return [blocker for guard in _GUARDS for blocker in guard(contract)]
