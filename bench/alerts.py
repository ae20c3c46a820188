"""The alerts of 100 contracts in force, each of 7 establishments with five years of data (2021-2025).

    .venv/bin/python bench/alerts.py

Built (not timed) in a fresh SQLite database in a temporary folder: the national catalogue, the ARS, 100 managing
bodies of 7 establishments each, five years of synthetic figures computed by the engine (the demo's generator, a
few peers per category for the benchmarks), and per contract an objective with a milestone already due, a reference
budget pre-filled from the accounts with a retained trajectory scenario; each contract is then taken to « En vigueur »
(2024-2028). The tests' factories build them, as the tests do (``tests/`` is put on the path).

Timed: :func:`cpom.alerts.services.compute_all` over the 100 contracts, first run (every alert raised) and second run
(every alert found again and updated, none duplicated). Each figure is printed as ``bench: NAME VALUE UNIT``.
``bench/followup.py`` gives ``alerts_100_contracts`` on its contracts with open campaigns (the grid's kinds); this
one adds the reference budgets and retained trajectories, so that the deficit is computed too.
"""

import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

CONTRACTS = 100
ESTABLISHMENTS = 7
PEERS_PER_CATEGORY = 5

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="cpom-bench-alerts-"))
    try:
        measure(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def build(folder: Path):
    from django.core.management import call_command

    import factories
    from cpom.access import Role
    from cpom.contracts.models import State
    from cpom.demo.indicator_data import load_demo_indicators
    from cpom.finance.models import GrowthMode
    from cpom.indicators import catalogues
    from cpom.objectives.models import Level, Milestone, Objective
    from cpom.registry.models import AuthorityKind
    from support import walk_to

    call_command("migrate", verbosity=0)
    catalogues.load_national()
    ars = factories.authority(AuthorityKind.ARS, "52", "ARS Pays de la Loire")
    lead = factories.member(ars, Role.ADMINISTER, username="ars")
    bodies = [factories.managing_body(f"Organisme {n + 1:03d}") for n in range(CONTRACTS)]
    establishments = [
        factories.establishment(body, funders=[ars], department="44") for body in bodies for _ in range(ESTABLISHMENTS)
    ]
    # The data before any contract is in force: the import hook finds nothing to recompute yet.
    load_demo_indicators(establishments, PEERS_PER_CATEGORY)
    contracts = []
    for body in bodies:
        contract = factories.contract(lead, body, ars, start_date=date(2024, 1, 1))
        walk_to(contract, State.NEGOTIATION)
        strategic = Objective.objects.create(contract=contract, level=Level.STRATEGIC, number="1", title="Axe")
        objective = Objective.objects.create(
            contract=contract, level=Level.OPERATIONAL, parent=strategic, number="1.1", title="Réduire l'absentéisme"
        )
        Milestone.objects.create(objective=objective, label="Plan de prévention adopté", due_date=date(2025, 6, 30))
        # The managing body proposes the budget's lines from its accounts, the ARS sets its growth.
        director = factories.member(body, Role.VALIDATE)
        budget = factories.reference_budget(
            contract, director, 2023, GrowthMode.AUTHORITY_RATE, "1.5", authority_users=[lead]
        )
        factories.retained_scenario(budget, director)
        contracts.append(walk_to(contract, State.IN_FORCE))
    return contracts


def measure(folder: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'cpom.sqlite3'}"
    os.environ["CPOM_VAR_DIR"] = str(folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpom.config.settings")
    import django

    django.setup()
    from cpom.alerts import services
    from cpom.alerts.models import Alert

    started = time.perf_counter()
    contracts = build(folder)
    print(
        f"{len(contracts)} contrats en vigueur de {ESTABLISHMENTS} établissements, données 2021-2025, construits en "
        f"{time.perf_counter() - started:.1f} s (non chronométré)",
        flush=True,
    )
    for run in ("first", "again"):
        began = time.perf_counter()
        count, total = services.compute_all()
        seconds = time.perf_counter() - began
        print(f"{run}: {services.summary_text(count, total)}")
        print(
            f"bench: alerts_100_contracts_with_budgets{'' if run == 'first' else '_again'} {seconds:.2f} s", flush=True
        )
    by_kind = {kind: Alert.objects.filter(kind=kind).count() for kind in Alert.objects.values_list("kind", flat=True)}
    print("alertes par type : " + ", ".join(f"{kind} {n}" for kind, n in sorted(by_kind.items())))


if __name__ == "__main__":
    sys.exit(main())
