"""The contract document of the demo association: 12 objectives with their fiches, 7 establishments.

    .venv/bin/python bench/contract_document.py

The demo is loaded by its own loader into a fresh SQLite database in a temporary folder (not timed), exactly as
``cpom demo`` writes it (the ARS drafts the contract on the ARS Pays de la Loire 2011 model). Then the snapshot is
read once (not timed: the page and the command read it the same way) and the Word and the PDF are each generated
three times from it; the median of each is reported, with the size of the files and the PDF's pages.

Each figure is printed as ``bench: NAME VALUE UNIT``. Goal: under 2 s each.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

RUNS = 3


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="cpom-bench-document-"))
    try:
        measure(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(folder: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'cpom.sqlite3'}"
    os.environ["CPOM_VAR_DIR"] = str(folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpom.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from pypdf import PdfReader

    from cpom.contracts.models import Contract
    from cpom.demo.loader import ASSOCIATION_REFERENCE, load_demo
    from cpom.documents import contract as documents
    from cpom.objectives.models import Level

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_demo()
    contract = Contract.objects.get(reference=ASSOCIATION_REFERENCE)
    snapshot = documents.current_snapshot(contract)
    objectives = contract.objectives.filter(level=Level.OPERATIONAL).count()
    print(
        f"démo chargée en {time.perf_counter() - started:.1f} s (non chronométré) : {ASSOCIATION_REFERENCE}, "
        f"{len(snapshot['perimeter'])} établissements, {objectives} objectifs opérationnels, "
        f"modèle {snapshot['drafting']['model']['code']}",
        flush=True,
    )
    digest = documents.content_hash(snapshot)
    for name, writer in (("docx", documents.contract_docx), ("pdf", documents.contract_pdf)):
        times, data = [], b""
        for _ in range(RUNS):
            began = time.perf_counter()
            data = writer(snapshot, content_hash=digest, draft=True)
            times.append(time.perf_counter() - began)
        detail = f"{len(data) / 1024:.0f} Kio"
        if name == "pdf":
            detail += f", {len(PdfReader(BytesIO(data)).pages)} pages"
        print(f"runs {name}: {', '.join(f'{t:.2f}' for t in times)} s ({detail})")
        print(f"bench: contract_{name}_seconds {statistics.median(times):.2f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
