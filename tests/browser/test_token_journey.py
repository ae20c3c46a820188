"""An integrator's token, in a real browser: made in « Mon compte », shown once, used by a program, revoked."""

import json
import urllib.error
import urllib.request

from journeys import log_in

from cpom.accounts.models import ApiToken


def _call_api(server, secret: str) -> tuple[int, dict]:
    """The call a program makes (outside the browser: no session cookie helps it)."""
    request = urllib.request.Request(f"{server.url}/api/v1/contracts/", headers={"Authorization": f"Token {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def test_a_token_is_shown_once_works_for_a_program_and_stops_when_revoked(browser, demo_server):
    page = log_in(browser, demo_server, "cd44")
    page.goto(f"{demo_server.url}/mon-compte/")
    assert page.get_by_text("Aucun jeton pour l'instant.").is_visible()
    page.get_by_label("Nom du jeton").fill("Infocentre du département")
    page.get_by_label("Durée de validité").select_option(label="1 mois")
    page.get_by_role("button", name="Créer le jeton").click()
    assert page.get_by_test_id("new-token").get_by_text("affiché une seule fois").is_visible()
    secret = page.get_by_test_id("api-token").inner_text().strip()
    assert secret.startswith("cpom_")

    status, body = _call_api(demo_server, secret)
    assert status == 200 and [c["reference"] for c in body["results"]] == ["CPOM-PDL-2027-044-01"]

    page.goto(f"{demo_server.url}/mon-compte/")
    table = page.get_by_test_id("api-tokens")
    assert "Infocentre du département" in table.inner_text() and secret not in page.content()
    token = ApiToken.objects.using(demo_server.db).get(label="Infocentre du département")
    assert f"{token.prefix}…" in table.inner_text()
    assert token.last_used_at is not None and "jamais" not in table.inner_text()

    page.get_by_role("button", name="Révoquer le jeton Infocentre du département").click()
    assert page.get_by_text("Le jeton « Infocentre du département » est révoqué").is_visible()
    assert "révoqué le" in page.get_by_test_id("api-tokens").inner_text()
    status, body = _call_api(demo_server, secret)
    assert status == 401
    assert body["detail"] == "Ce jeton d'API a été révoqué : créez-en un nouveau depuis « Mon compte »."
    page.close()
