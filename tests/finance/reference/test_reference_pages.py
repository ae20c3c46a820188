"""The « Coûts moyens de référence » and « Regroupement des comptes » screens, as each demo user sees them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cpom.audit.models import AuditEntry
from cpom.finance.accounting.services import load_chart
from cpom.finance.reference import services as reference_costs
from cpom.finance.reference.services import mean_cost_command, read_as
from cpom.indicators.models import DataValue
from cpom.registry.models import Authority
from support import assert_stale, element

YEAR = 2025  # the demo enters the mean costs of its peer categories for 2021-2025
URL = reverse("finance:reference_costs_year", kwargs={"year": YEAR})


def _mean_cost(category, year=YEAR):
    return (
        DataValue.objects.filter(category=category, year=year, element="cout_moyen_national")
        .values_list("value", flat=True)
        .first()
    )


def _page(client, url=URL):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _typed(body: str, name: str) -> str:
    """The value the page's one field ``name`` holds."""
    return element(body, f'//input[@name="{name}"]').get("value")


def test_everyone_signed_in_reads_the_mean_costs(client_for):
    body = _page(client_for("asso"))
    assert "Coûts moyens de référence 2025" in body
    assert f"{reference_costs.format_amount(_mean_cost('IME'))} €" in body
    assert "non saisi" in body  # categories the demo leaves empty, e.g. ITEP
    assert 'name="cout-IME"' not in body
    assert "Seules l'équipe de la plateforme et les ARS (rôle validation) saisissent ces valeurs." in body


def test_the_default_page_shows_the_last_year_entered(client_for):
    assert "Coûts moyens de référence 2025" in _page(client_for("cd44"), reverse("finance:reference_costs"))


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("username", ["ars", "admin"])
def test_ars_and_platform_validators_get_the_form(client_for, username):
    body = _page(client_for(username))
    ime = reference_costs.format_amount(_mean_cost("IME"))
    assert _typed(body, "cout-IME") == ime
    assert "Enregistrer les coûts 2025" in body


@pytest.mark.parametrize("username", ["cd44", "ehpad", "asso"])
def test_others_may_not_save(client_for, username):
    before = _mean_cost("IME")
    response = client_for(username).post(URL, {"cout-IME": "1"})
    assert response.status_code == 403
    assert _mean_cost("IME") == before


def test_an_ars_user_saves_the_years_values(client_for, users):
    client = client_for("ars")
    response = client.post(
        URL, {"cout-IME": "52 300,50", "cout-ITEP": "61000", "cout-MAS": "", "read_as": read_as(YEAR)}, follow=True
    )
    body = response.content.decode()
    assert "Coûts moyens 2025 enregistrés (3 modifications)." in body
    assert "52\xa0300,50 €" not in body  # the ARS sees its form, with the value in it
    assert _typed(body, "cout-IME") == "52\xa0300,50"
    assert _mean_cost("IME") == Decimal("52300.50")
    assert _mean_cost("ITEP") == Decimal("61000")
    assert _mean_cost("MAS") is None  # an emptied field removes the value
    assert _mean_cost("FAM") is not None  # a category absent from the form keeps its value
    entry = AuditEntry.objects.filter(action="Coût moyen national ITEP 2025").get()
    assert entry.user == users["ars"] and entry.after == {"valeur": "61000"}


def test_bad_input_says_what_is_wrong_and_saves_nothing(client_for):
    before = {c: _mean_cost(c) for c in ("IME", "MAS", "FAM")}
    response = client_for("ars").post(URL, {"cout-IME": "abc", "cout-MAS": "-5", "cout-FAM": "70000"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Rien n'a été enregistré : corrigez les 2 montants signalés." in body
    assert "IME : « abc » n&#x27;est pas un montant (exemple : 52 300,50)." in body
    assert "MAS : « -5 » : le coût moyen doit être un montant positif." in body
    assert _typed(body, "cout-FAM") == "70000"  # what was typed stays in the form
    assert {c: _mean_cost(c) for c in before} == before


def test_a_save_over_someone_elses_change_is_refused(client_for):
    """Two ARS agents open the year; the second save would have put back the first's old values."""
    seen = read_as(YEAR)
    first = client_for("ars").post(URL, {"cout-IME": "52 300,50", "cout-MAS": "91 000", "read_as": seen})
    assert first.status_code == 302
    second = client_for("admin").post(URL, {"cout-IME": "48 000", "cout-MAS": "90 000", "read_as": seen})
    assert_stale(second)
    assert _typed(second.content.decode(), "cout-IME") == "48 000"  # what the second agent typed stays
    assert (_mean_cost("IME"), _mean_cost("MAS")) == (Decimal("52300.50"), Decimal("91000"))


def test_a_year_outside_the_possible_range_is_not_found(client_for):
    assert client_for("ars").get(reverse("finance:reference_costs_year", kwargs={"year": 1990})).status_code == 404


def test_mean_cost_command_sets_and_removes_a_value(db):
    assert mean_cost_command("itep", 2026, "48 000") == "Coût moyen national ITEP 2026 : 48\xa0000,00 € par place."
    assert _mean_cost("ITEP", 2026) == Decimal("48000")
    assert mean_cost_command("ITEP", 2026, "48000,00") == "Coût moyen national ITEP 2026 inchangé."
    assert mean_cost_command("ITEP", 2026, "") == "Coût moyen national ITEP 2026 supprimé."
    with pytest.raises(reference_costs.ReferenceCostError, match="XYZ : catégorie inconnue."):
        mean_cost_command("XYZ", 2026, "1")


def test_the_chart_page_shows_the_national_frame_by_side_and_group(client_for):
    body = _page(client_for("asso"), reverse("finance:reference_chart"))
    assert "Groupes fonctionnels du cadre budgétaire des ESSMS (cadre national) (version 2002.1)" in body
    assert "Groupe II – Dépenses afférentes au personnel" in body
    assert "Groupe III – Produits financiers, exceptionnels et non encaissables" in body
    assert "<code>621</code></td><td>Personnel extérieur à l&#x27;établissement (intérim, mises à disposition)" in body
    assert "comptes non regroupés" in body


def test_an_authority_user_sees_the_chart_of_their_authority(client_for, tmp_path):
    ars = Authority.objects.get(kind="ARS", territory="52")
    path = tmp_path / "ars.toml"
    path.write_text(
        '[chart]\ncode = "ars-pdl"\nlabel = "Regroupement ARS Pays de la Loire"\nversion = "1"\n\n'
        '[[rule]]\nprefix = "6419"\nside = "income"\ngroup = 2\nlabel = "IJSS en recettes"\n',
        encoding="utf-8",
    )
    load_chart(path, ars)
    body = _page(client_for("ars"), reverse("finance:reference_chart"))
    assert (
        "Regroupement ARS Pays de la Loire (version 1)" in body
        and "Regroupement propre à l&#x27;ARS Pays de la Loire." in body
    )
    assert "<code>6419</code></td><td>IJSS en recettes" in body
    council = _page(client_for("cd44"), reverse("finance:reference_chart"))
    assert (
        "Le Conseil départemental de Loire-Atlantique n'a pas chargé de regroupement propre : le cadre national s'applique."
        in council
    )
    picked = _page(client_for("cd44"), reverse("finance:reference_chart") + f"?autorite={ars.pk}")
    assert "Regroupement propre à l&#x27;ARS Pays de la Loire." in picked
