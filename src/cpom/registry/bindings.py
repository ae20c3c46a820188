"""What binds an establishment's record, said by the later stages without the registry importing them.

A signed contract covering an establishment freezes what its perimeter depends on (the database refuses any
change); the contracts app registers a binder here so that the edit page can say so and leave those fields alone.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Binding:
    reason: str  # French, for the page: « couvert par le contrat signé CPOM-… (En vigueur) »
    fields: frozenset[str]  # the form fields that cannot change


_binders: list[Callable] = []


def register(binder: Callable) -> None:
    """``binder(establishment)`` returns the bindings that hold on it now (none when it is free)."""
    if binder not in _binders:
        _binders.append(binder)


def bindings(establishment) -> list[Binding]:
    if establishment.pk is None:
        return []
    return [binding for binder in _binders for binding in binder(establishment)]


def bound_fields(establishment) -> frozenset[str]:
    return frozenset().union(*(b.fields for b in bindings(establishment)))
