"""At most a few imports read their file at once, across every process of the platform.

Reading a 200 MB FEC takes a core and about a gigabyte for a few seconds: two or three at once are fine, twenty
would take the server down. Each import holds one of ``CPOM_MAX_CONCURRENT_IMPORTS`` slots while it reads;
a slot is a lock on a file of ``VAR_DIR/import-slots`` (beside the pending imports, shared the same way), so
the web workers, the command line and the threads of one server all count, and a killed process lets go of
its slot with its file descriptors. When every slot is taken the import is refused at once, in French: the
person tries again a moment later rather than waiting on a page that may time out.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import transaction

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt


class ImportsBusy(Exception):
    """Every slot is taken; the message names the file and says to try again."""


def _locked(handle) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


@contextmanager
def import_slot(file_name: str) -> Iterator[None]:
    """Holds a free slot while the block runs; raises ImportsBusy when there is none."""
    folder = Path(settings.VAR_DIR) / "import-slots"
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(settings.CPOM_MAX_CONCURRENT_IMPORTS):
        handle = (folder / f"slot-{number}").open("a+b")
        if not _locked(handle):
            handle.close()
            continue
        try:
            yield
        finally:
            handle.close()  # closing the descriptor releases the lock
        return
    raise ImportsBusy(f"Fichier {file_name} : trop d'imports en cours, réessayez dans un instant.")


# What runs after a successful import (the alerts recompute): registered by the apps above, so that the importers
# announce what they stored without importing them.
ImportHook = Callable[[list[int], list[int]], None]  # (establishment ids, years) → None
_AFTER_IMPORT: list[ImportHook] = []


def after_import(hook: ImportHook) -> None:
    if hook not in _AFTER_IMPORT:
        _AFTER_IMPORT.append(hook)


_HELD = threading.local()


@contextmanager
def announcements_held():
    """Imports inside say nothing: the demo loads years of history at their own dates, and the hooks would run after
    its commit, at the real time, making the quick start's journal differ from the loaded one."""
    _HELD.depth = getattr(_HELD, "depth", 0) + 1
    try:
        yield
    finally:
        _HELD.depth -= 1


def imported(establishment_ids, years) -> None:
    """Announces data stored for these establishments and years, once the import's transaction is committed (a
    refused import announces nothing)."""
    if getattr(_HELD, "depth", 0):
        return
    establishments, stored_years = sorted(set(establishment_ids)), sorted(set(years))
    for hook in _AFTER_IMPORT:
        transaction.on_commit(lambda hook=hook: hook(establishments, stored_years))
