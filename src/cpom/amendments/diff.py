"""The field-by-field difference between two snapshots of a contract (two versions' canonical JSON, read back).

Pure: two plain dicts in, a list of :class:`Difference` out, nothing of Django. Dicts are compared key by key; a list
of records that carry an identity (« finess », « number », « code », « funder », « year »…) is compared record by
record by that identity, so that an establishment entering the perimeter is one added record and not every later
row shifted; any other list is compared position by position.
"""

from dataclasses import dataclass
from typing import Any

IDENTITY_KEYS = ("finess", "id", "number", "code", "reference", "funder", "year")
# A field absent on one side (a JSON null is a value, not an absence).
MISSING = object()
ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class Difference:
    path: str  # « perimeter[49000802].authorised_places »
    old: Any  # None when the field did not exist before (see ``kind``)
    new: Any  # None when it no longer exists
    kind: str  # ADDED, REMOVED or CHANGED


def diff(old: dict, new: dict) -> list[Difference]:
    """Every leaf that differs between ``old`` and ``new``, in the order of their paths."""
    differences: list[Difference] = []
    _walk(old, new, "", differences)
    return sorted(differences, key=lambda d: d.path)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _names_uniquely(key: str, items: list) -> bool:
    values = [item.get(key) for item in items]
    return all(value is not None for value in values) and len(set(map(str, values))) == len(values)


def _identity(old: list, new: list) -> str | None:
    """The key that names every record of each list uniquely, if there is one."""
    items = old + new
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    return next((key for key in IDENTITY_KEYS if _names_uniquely(key, old) and _names_uniquely(key, new)), None)


def _walk(old: Any, new: Any, path: str, out: list[Difference]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            _walk(old.get(key, MISSING), new.get(key, MISSING), _join(path, str(key)), out)
        return
    if isinstance(old, list) and isinstance(new, list):
        key = _identity(old, new)
        if key is not None:
            before = {str(item[key]): item for item in old}
            after = {str(item[key]): item for item in new}
            for name in sorted(set(before) | set(after)):
                _walk(before.get(name, MISSING), after.get(name, MISSING), f"{path}[{name}]", out)
            return
        for index in range(max(len(old), len(new))):
            _walk(
                old[index] if index < len(old) else MISSING,
                new[index] if index < len(new) else MISSING,
                f"{path}[{index}]",
                out,
            )
        return
    if old == new:
        return
    if (old is MISSING or new is MISSING) and isinstance(new if old is MISSING else old, dict | list):
        # A record or a list appearing or disappearing: said leaf by leaf, so every field added or removed shows.
        _spread(old, new, path, out)
        return
    out.append(_difference(path, old, new))


def _difference(path: str, old: Any, new: Any) -> Difference:
    if old is MISSING:
        return Difference(path, None, new, ADDED)
    if new is MISSING:
        return Difference(path, old, None, REMOVED)
    return Difference(path, old, new, CHANGED)


def _spread(old: Any, new: Any, path: str, out: list[Difference]) -> None:
    present = new if old is MISSING else old
    if isinstance(present, dict):
        for key in sorted(present, key=str):
            _walk(
                MISSING if old is MISSING else old[key], MISSING if new is MISSING else new[key], _join(path, key), out
            )
    elif isinstance(present, list):
        for index, item in enumerate(present):
            _walk(MISSING if old is MISSING else item, MISSING if new is MISSING else item, f"{path}[{index}]", out)
    else:
        out.append(_difference(path, old, new))
