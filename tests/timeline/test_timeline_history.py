"""The contract's timeline: what a newcomer reads on their first day, who did what as they were that day."""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

import factories
from cpom import history_sources
from cpom.audit.services import record
from cpom.signing.models import Consultation
from cpom.timeline.people import People
from support import element, page_text, rows_of, text_of

pytestmark = pytest.mark.django_db


def _history(client, contract, **query):
    return client.get(reverse("timeline:history", kwargs={"contract_id": contract.pk}), query)


def _rows(response):
    return rows_of(response, "//table[@data-testid='history']/tbody")


def test_the_signatures_name_the_signatory_with_the_party_they_signed_for(client_for, ehpad_contract):
    response = _history(client_for("cd49"), ehpad_contract, type="signature")
    rows = _rows(response)
    signed = [row for row in rows if "signé le" in row[2] and "toutes les parties" not in row[2]]
    assert [(row[3], row[4]) for row in signed] == [
        ("Paul Lefèvre, Directeur", "EHPAD public Les Tilleuls"),
        ("Sophie Garnier, Pour la présidente du Conseil départemental", "Conseil départemental de Maine-et-Loire"),
        ("Nadia Benali, Pour le directeur général de l'ARS", "ARS Pays de la Loire"),
    ]
    assert "01/12/2023" in signed[0][2]
    assert {row[1] for row in rows} == {"Signatures"}
    assert any("signé par toutes les parties" in row[2] for row in rows)


def test_every_kind_of_the_lower_stages_is_in_the_history_oldest_first(client_for, ehpad_contract):
    rows = _rows(_history(client_for("ars"), ehpad_contract))
    kinds = {row[1] for row in rows}
    assert {"Changements d'état du contrat", "Consultations avant signature", "Signatures"} <= kinds
    assert "Documents envoyés ou scellés" in kinds  # the version sent for signature
    days = [datetime.strptime(row[0], "%d/%m/%Y %H:%M") for row in rows]
    assert days == sorted(days)
    sent = next(row for row in rows if "envoyé pour signature" in row[2])
    assert sent[3].startswith("Nadia Benali") and sent[4] == "ARS Pays de la Loire"


def test_filtering_on_a_party_keeps_only_what_that_organisation_did(client_for, ehpad_contract):
    rows = _rows(_history(client_for("ars"), ehpad_contract, partie="EHPAD public Les Tilleuls"))
    assert rows and {row[4] for row in rows} == {"EHPAD public Les Tilleuls"}
    consultations = _rows(_history(client_for("ars"), ehpad_contract, type="consultation"))
    assert len(consultations) == Consultation.objects.filter(contract=ehpad_contract).count()


def test_an_unknown_filter_is_named_and_the_whole_history_shown(client_for, ehpad_contract):
    client = client_for("ars")
    response = _history(client, ehpad_contract, type="bidon", partie="Quelqu'un")
    text = page_text(response)
    assert "Type d'événement : « bidon » n'est pas un type de l'historique ; tous les types sont montrés." in text
    assert "Partie : « Quelqu'un » n'est pas partie au contrat ; toutes les parties sont montrées." in text
    assert len(_rows(response)) == len(_rows(_history(client, ehpad_contract)))


def test_a_person_is_named_with_the_role_they_held_that_day(users, association_contract):
    """The association's general direction changed hands on 1 September 2021."""
    body = association_contract.managing_body
    former = factories.member(body, username="hdupuis", first_name="Hervé", last_name="Dupuis")
    people = People(association_contract)
    assert people.who(former, date(2020, 5, 4)) == ("Hervé Dupuis, directeur général", body.name)
    assert people.who(former, date(2022, 5, 4)) == ("Hervé Dupuis", body.name)
    claire = users["asso"]
    assert people.who(claire, date(2021, 8, 31))[0] == "Claire Martin"
    assert people.who(claire, date(2021, 9, 1))[0] == "Claire Martin, directrice générale"
    # The organisation the record kept wins over today's membership: it is the one they spoke for then.
    assert people.who(claire, date(2022, 1, 1), "Autre organisme")[1] == "Autre organisme"
    assert people.who(None, date(2022, 1, 1)) == ("", "")


def test_the_pdf_holds_the_signatures_as_the_page_shows_them(client_for, ehpad_contract):
    client = client_for("ehpad")
    response = client.get(
        reverse("timeline:history_pdf", kwargs={"contract_id": ehpad_contract.pk}), {"type": "signature"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert f"historique-{ehpad_contract.reference}.pdf" in response["Content-Disposition"]
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert f"Historique du contrat {ehpad_contract.reference}" in text
    assert "type « Signatures »" in text
    for name in ("Paul Lefèvre", "Sophie Garnier", "Nadia Benali"):
        assert name in text
    assert "Consultations avant signature" not in text


def test_the_history_asks_a_fixed_number_of_queries_whatever_its_length(client_for, users, ehpad_contract):
    client = client_for("ars")
    with CaptureQueriesContext(connection) as before:
        _history(client, ehpad_contract)
    # The contract is signed (its consultations frozen): the longer history comes from the journal's alerts.
    for n in range(12):
        record(users["cd49"], ehpad_contract, f"Alerte prise en compte : n° {n}", None, {"prise en compte": "Vu"})
    with CaptureQueriesContext(connection) as after:
        rows = _rows(_history(client, ehpad_contract))
    assert sum("Alerte prise en compte" in row[2] for row in rows) == 12
    assert len(after) == len(before)


def test_the_other_stages_register_their_events_through_the_same_registry(client_for, ehpad_contract):
    """The reviews part adds its decisions without the timeline importing it."""
    kind = history_sources.Kind("decision_test", "Décisions (essai)")

    def decisions(contract):
        return [
            history_sources.Event(
                timezone.make_aware(datetime(2026, 10, 15, 11)),
                "decision_test",
                "Relevé de décisions signé",
                "Nadia Benali",
                "ARS Pays de la Loire",
            )
        ]

    history_sources.register(decisions, kind)
    try:
        rows = _rows(_history(client_for("ars"), ehpad_contract, type="decision_test"))
        assert rows == [
            [
                "15/10/2026 11:00",
                "Décisions (essai)",
                "Relevé de décisions signé",
                "Nadia Benali",
                "ARS Pays de la Loire",
            ]
        ]
    finally:
        history_sources._SOURCES.remove(decisions)
        history_sources._KINDS.pop("decision_test")


def test_the_contract_frame_offers_the_history(client_for, ehpad_contract):
    page = client_for("ehpad").get(ehpad_contract.get_absolute_url())
    link = element(page, "//a[normalize-space()='Historique']")
    assert link.get("href") == reverse("timeline:history", kwargs={"contract_id": ehpad_contract.pk})


def test_the_history_page_is_the_current_stage_of_the_contract_frame(client_for, association_contract):
    response = _history(client_for("asso"), association_contract)
    nav = element(response, '//nav[@data-testid="contract-navigation"]')
    current = [a.text_content().strip() for a in nav.xpath(".//a[@aria-current='page']")]
    assert current == ["Historique"]
    crumbs = text_of(element(response, '//nav[contains(@class, "fr-breadcrumb")]'))
    assert association_contract.reference in crumbs and "Historique" in crumbs
