"""``cpom worker`` whose recompute of the indicators stops in the middle of writing: once the first table is written
(the old values deleted, the new ones inserted, the transaction still open) it says so in a file and waits, for the
test to kill it there. Run as ``python held_worker.py MARKER``, with the environment of the platform."""

import os
import sys
import time
from pathlib import Path

import django

MARKER = Path(sys.argv[1])

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpom.config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402

from cpom.indicators import services  # noqa: E402

written = services.bulk_insert


def held(*args, **kwargs):
    written(*args, **kwargs)
    MARKER.write_text("au milieu de l'enregistrement")
    time.sleep(600)


services.bulk_insert = held
call_command("worker")
