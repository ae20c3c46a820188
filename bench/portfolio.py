"""The portfolio page of an authority with 1,000 contracts and 7,000 establishments, and with 500 contracts.

    .venv/bin/python bench/portfolio.py

Built (not timed) in a fresh SQLite database in a temporary folder, with ``tests/territory.py``: the ARS of Pays de la
Loire, 1,000 managing bodies of 7 establishments each over the region's five départements, each with a contract whose
lead is the ARS (states in turn from programmed to in renewal, an open alert on one in five). Then a second territory
with half the contracts, in a database of its own.

Timed: the page ``autorites/<id>/portefeuille/`` through Django's test client, signed in as a member of the ARS,
after one warm-up request: the median server time of several requests (wall clock, and the process's CPU time,
which a loaded machine does not inflate: the server and SQLite run in the bench's process), and the number of SQL
queries of one request. Each figure is printed as ``bench: NAME VALUE UNIT``. Goal: under 300 ms, and a query count that does not
grow with the number of contracts.
"""

import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REQUESTS = 9
ESTABLISHMENTS = 7
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    if len(sys.argv) > 1:
        measure(int(sys.argv[1]))
        return
    # One process per size: each its own database, Django set up once per process.
    for contracts in (1000, 500):
        subprocess.run([sys.executable, __file__, str(contracts)], check=True)


def measure(contracts: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="cpom-bench-portfolio-"))
    try:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'cpom.sqlite3'}"
        os.environ["CPOM_VAR_DIR"] = str(folder)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpom.config.settings")
        import django

        django.setup()
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        _run(contracts)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(contracts: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    import factories
    import territory
    from cpom.access import Role
    from cpom.registry.models import AuthorityKind

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    ars = factories.authority(AuthorityKind.ARS, "52", "ARS Pays de la Loire")
    user = factories.member(ars, Role.ADMINISTER, username="ars")
    built = territory.build(ars, bodies=contracts, sites_per_body=ESTABLISHMENTS)
    print(
        f"{len(built.contracts)} contrats, {len(built.establishments)} établissements, {len(built.bodies)} organismes "
        f"construits en {time.perf_counter() - started:.1f} s (non chronométré)",
        flush=True,
    )
    # The build's objects are the bench's, not a server's: a worker would not hold them, and Python's collector
    # would walk them on every full collection the page's allocations trigger (the median then doubled at 1,000).
    gc.collect()
    gc.freeze()
    client = Client()
    client.force_login(user)
    url = reverse("portfolios:portfolio", kwargs={"authority_id": ars.pk})
    assert client.get(url).status_code == 200  # warm-up: templates compiled, caches filled
    times, cpu = [], []
    for _ in range(REQUESTS):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(f"bench: portfolio_page_{contracts}_contracts_median {statistics.median(times) * 1000:.0f} ms")
    # The server and SQLite run in this process: its CPU time is the request's work, whatever else the machine runs.
    print(f"bench: portfolio_page_{contracts}_contracts_cpu_median {statistics.median(cpu) * 1000:.0f} ms")
    print(f"bench: portfolio_page_{contracts}_contracts_fastest {min(times) * 1000:.0f} ms")
    print(f"load average: {os.getloadavg()[0]:.1f} (the machine's other work inflates the wall clock)")
    print(f"bench: portfolio_page_{contracts}_contracts_queries {len(queries)} queries")
    export = reverse("portfolios:portfolio_export", kwargs={"authority_id": ars.pk, "table": "tout"})
    began = time.perf_counter()
    assert client.get(export).status_code == 200
    print(
        f"bench: portfolio_export_all_{contracts}_contracts {(time.perf_counter() - began) * 1000:.0f} ms", flush=True
    )


if __name__ == "__main__":
    sys.exit(main())
