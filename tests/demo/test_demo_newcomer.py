"""The demo's newcomer: Léa Fontaine, arrived at the ARS on 2 November 2026, reads the contracts' history."""

from datetime import date

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.test import RequestFactory
from django.urls import reverse

from cpom.access import Role
from cpom.contracts.models import Contract
from cpom.registry.models import Contact
from support import page_text, rows_of

pytestmark = [pytest.mark.usefixtures("demo_database"), pytest.mark.django_db]


def test_lea_logs_in_with_the_demo_password_and_may_only_read():
    user = authenticate(RequestFactory().post("/connexion/"), username="lea", password="cpom-demo-2026")
    assert user is not None and user.get_full_name() == "Léa Fontaine"
    assert user.membership.authority.name == "ARS Pays de la Loire" and user.membership.role == Role.READ
    contact = Contact.objects.get(first_name="Léa", last_name="Fontaine")
    assert (contact.role, contact.start_date, contact.end_date) == (
        "Chargée de mission contractualisation",
        date(2026, 11, 2),
        None,
    )


def test_her_first_day_the_ehpad_history_says_who_signed_for_whom(client):
    client.force_login(get_user_model().objects.get(username="lea"))
    contract = Contract.objects.get(managing_body__name__startswith="EHPAD")
    response = client.get(reverse("timeline:history", kwargs={"contract_id": contract.pk}), {"type": "signature"})
    rows = rows_of(response, "//table[@data-testid='history']/tbody")
    signatories = {(row[3], row[4]) for row in rows if "signé le" in row[2]}
    assert {organisation for _, organisation in signatories} >= {
        "EHPAD public Les Tilleuls",
        "ARS Pays de la Loire",
        "Conseil départemental de Maine-et-Loire",
    }
    # The whole history names people with their role that day, the ARS's own with theirs.
    everything = page_text(client.get(reverse("timeline:history", kwargs={"contract_id": contract.pk})))
    assert "Nadia Benali, chargée de contractualisation" in everything


def test_the_association_sees_what_to_send_and_its_portfolio(client):
    user = get_user_model().objects.get(username="asso")
    client.force_login(user)
    response = client.get(reverse("roadmap:portfolio", kwargs={"managing_body_id": user.membership.managing_body_id}))
    text = page_text(response)
    assert "Portefeuille de l'Association Les Chemins de Loire" in text
    assert rows_of(response, "//table[@data-testid='portfolio-contracts']/tbody")


def test_cpom_demo_names_every_account_of_the_readme_and_her_among_them():
    from pathlib import Path

    from cpom.demo.loader import load_demo

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("### Comptes de démonstration", 1)[1].split("\n## ", 1)[0]
    in_readme = [line.split("`")[1] for line in table.splitlines() if line.startswith("| `")]
    result = load_demo()  # loaded already: only the accounts are brought back to the README's password
    assert result["loaded"] is False
    assert result["users"] == in_readme and "lea" in in_readme
