"""The alerts in a real browser: the nightly command computes them on the demo, the EHPAD's user sees them on the
contract page, follows one to its cause and acknowledges it with a comment, which the contract's alerts page then
shows with who and when."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connections
from journeys import log_in

from cpom.alerts.models import Alert
from cpom.contracts.models import Contract

EHPAD = "CPOM-PDL-2024-049-07"
CPOM = str(Path(sys.executable).with_name("cpom"))


def _database_url(alias: str) -> str:
    """The URL of the server's database, for the command run beside it as the nightly timer would."""
    db = connections.settings[alias]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def test_an_alert_is_shown_leads_to_its_cause_and_is_acknowledged_with_a_comment(browser, demo_server, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(demo_server.db),
        "CPOM_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "cpom.config.settings",
    }
    computed = subprocess.run([CPOM, "suivi", "alertes"], env=env, capture_output=True, text=True, check=True)
    assert "contrats en vigueur examinés" in computed.stdout or "contrat en vigueur examiné" in computed.stdout
    contract = Contract.objects.using(demo_server.db).get(reference=EHPAD)
    alerts = Alert.objects.using(demo_server.db).filter(contract=contract, resolved_at__isnull=True)
    assert alerts.exists(), computed.stdout
    # The under-activity of the EHPAD: the demo's occupancy stays below the default threshold of 95 %.
    alert = alerts.filter(kind="under_activity").order_by("-year", "key").first()
    assert alert is not None, list(alerts.values_list("kind", "message"))

    page = log_in(browser, demo_server, "ehpad")
    page.goto(f"{demo_server.url}{contract.get_absolute_url()}")
    panel = page.get_by_test_id("alerts-panel")
    assert f"{alerts.count()} alertes ouvertes" in panel.inner_text()
    # The panel shows the first few (the follow-up's grid alerts come first); the contract's page lists them all.
    assert panel.get_by_test_id("open-alerts").get_by_role("link").count() == min(alerts.count(), 5)
    panel.get_by_role("link", name="Toutes les alertes du contrat").click()
    page.get_by_test_id(f"alert-{alert.pk}").get_by_role("link", name=alert.message).click()
    # The cause: the establishment's indicators of that year, the occupancy's row among them.
    assert f"/etablissements/{alert.establishment.finess}/indicateurs/" in page.url
    assert page.locator("h1").inner_text() == f"Indicateurs {alert.year}"
    assert "Taux d'occupation" in page.locator('tr[data-code="i-25"]').inner_text()

    page.goto(f"{demo_server.url}{contract.get_absolute_url()}")
    page.get_by_test_id("alerts-panel").get_by_role("link", name="Toutes les alertes du contrat").click()
    row = page.get_by_test_id(f"alert-{alert.pk}")
    # Without a comment, refused and said; nothing recorded.
    row.get_by_role("button", name="Prendre en compte").click()
    assert "commentaire" in page.get_by_role("status").inner_text().lower()
    alert.refresh_from_db(using=demo_server.db)
    assert alert.acknowledged_at is None
    comment = "Baisse liée aux travaux de l'aile B, fermée six mois ; retour à 95 % prévu en 2026."
    row = page.get_by_test_id(f"alert-{alert.pk}")
    row.locator(f"#comment-{alert.pk}").fill(comment)
    row.get_by_role("button", name="Prendre en compte").click()
    assert "L'alerte est prise en compte" in page.get_by_role("status").inner_text()
    shown = page.get_by_test_id(f"alert-{alert.pk}").inner_text()
    assert comment in shown and "Paul Lefèvre" in shown
    alert.refresh_from_db(using=demo_server.db)
    assert alert.acknowledgement_comment == comment
    assert alert.acknowledged_by.username == "ehpad"
