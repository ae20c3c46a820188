"""The migration to each funder's growth, on a database of its own (in a process of its own, as ``cpom migrate``
runs): a budget whose lead chose a growth before the migration gives that choice to every funder of the contract,
and the freeze holds the new table."""

import json
import os
import subprocess
import sys
from pathlib import Path

from support import empty_database

# Migrated up to the budget's single growth, a contract written with the models of then, migrated to today's.
SCRIPT = """
import json, django
django.setup()
from datetime import date
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

call_command("migrate", "finance", "0001", verbosity=0)
call_command("migrate", "contracts", "0005", verbosity=0)
then = MigrationExecutor(connection).loader.project_state(
    [("finance", "0001_initial"), ("contracts", "0005_party_acceptance")]
).apps
Authority = then.get_model("registry", "Authority")
ars = Authority.objects.create(kind="ars", territory="52", name="ARS Pays de la Loire")
cd44 = Authority.objects.create(kind="cd", territory="44", name="Conseil départemental de Loire-Atlantique")
cd49 = Authority.objects.create(kind="cd", territory="49", name="Conseil départemental de Maine-et-Loire")
body = then.get_model("registry", "ManagingBody").objects.create(name="Association Les Chemins de Loire")
fam = then.get_model("registry", "Establishment").objects.create(
    managing_body=body, finess="440005014", name="FAM Le Clos Fleuri", category="FAM", department="44",
    authorised_places=32, installed_places=32, opening_days=365,
)
fam.funders.add(ars, cd44)
contract = then.get_model("contracts", "Contract").objects.create(
    reference="CPOM-PDL-2027-044-01", title="CPOM", managing_body=body, legal_basis="L313-12-2",
    start_date=date(2027, 1, 1), end_date=date(2031, 12, 31), duration_years=5,
)
contract.establishments.add(fam)
Party = then.get_model("contracts", "ContractParty")
Party.objects.create(contract=contract, authority=ars, is_lead=True)
Party.objects.create(contract=contract, authority=cd44)
# Outside the perimeter's competence and funding nothing, still awaiting the managing body's acceptance.
Party.objects.create(contract=contract, authority=cd49, acceptance_requested_at="2026-03-01T09:00:00Z")
then.get_model("finance", "ReferenceBudget").objects.create(
    contract=contract, base_year=2026, growth_mode="zero_rate", growth_rate="1.3", zero_rate_years=2
)

call_command("migrate", verbosity=0)
from cpom.backups.services import expected_triggers, installed_triggers
from cpom.finance.models import FunderGrowth
installed = installed_triggers(connection)
print(json.dumps({
    "growths": [
        [g.authority.name, g.growth_mode, str(g.growth_rate), g.zero_rate_years, g.contradictory_procedure]
        for g in FunderGrowth.objects.select_related("authority").order_by("pk")
    ],
    "growth_triggers": sorted(t for t in installed if "fundergrowth" in t),
    "every_trigger": installed == expected_triggers(connection.vendor),
}))
"""


def test_the_lead_s_growth_becomes_every_funder_s(tmp_path):
    with empty_database("growth_migration", tmp_path) as database:
        environment = {
            **os.environ,
            "DATABASE_URL": database.cpom_url,
            "CPOM_VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SETTINGS_MODULE": "cpom.config.settings",
            "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2] / "src"), os.environ.get("PYTHONPATH", "")]),
        }
        run = subprocess.run([sys.executable, "-c", SCRIPT], env=environment, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["growths"] == [
        ["ARS Pays de la Loire", "zero_rate", "1.3000", 2, True],
        ["Conseil départemental de Loire-Atlantique", "zero_rate", "1.3000", 2, True],
    ]
    assert result["every_trigger"] and result["growth_triggers"], result
