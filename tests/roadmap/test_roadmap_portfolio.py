"""The managing body's portfolio: its contracts with each authority, what it must send and by when, its late actions
and the decisions it owns; each table in Excel; seen only by its members, its contracts' authorities and the platform."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cpom import deadline_sources
from cpom.contracts.deadlines import contract_url
from cpom.demo.clock import fixed_clock, moment
from cpom.followup.models import Campaign, MilestoneProgress
from cpom.objectives.models import Milestone
from support import page_text, rows_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 2)


def _page(client, body, **query):
    with fixed_clock(moment(TODAY)):
        return client.get(reverse("roadmap:portfolio", kwargs={"managing_body_id": body.pk}), query)


def _table(response, testid):
    return rows_of(response, f"//table[@data-testid='{testid}']/tbody")


@pytest.fixture
def reviews_and_reports(users, association_contract, ehpad_contract):
    """What the parts built beside this one register (the reviews' decisions, the campaigns' reports): a fake
    source giving, for each contract, one deadline per side and one decision per owner."""
    ehpad_member, ars_member = users["ehpad"], users["ars"]

    def source(contracts):
        url = contract_url()
        items = []
        for contract in contracts:
            ref = contract.reference
            items += [
                deadline_sources.Due(
                    contract.pk,
                    TODAY + timedelta(days=20),
                    "report_test",
                    f"{ref} — Bilan annuel à transmettre",
                    url(contract.pk),
                    f"r:{contract.pk}",
                    side="managing_body",
                ),
                deadline_sources.Due(
                    contract.pk,
                    TODAY + timedelta(days=200),
                    "report_test",
                    f"{ref} — Rapport d'activité à transmettre",
                    url(contract.pk),
                    f"a:{contract.pk}",
                    side="managing_body",
                ),
                deadline_sources.Due(
                    contract.pk,
                    TODAY + timedelta(days=10),
                    "report_test",
                    f"{ref} — Courrier de calendrier à envoyer",
                    url(contract.pk),
                    f"c:{contract.pk}",
                    side="authority",
                ),
                deadline_sources.Due(
                    contract.pk,
                    TODAY - timedelta(days=5),
                    "decision",
                    f"{ref} — Envoyer le plan de formation",
                    url(contract.pk),
                    f"d1:{contract.pk}",
                    person_id=ehpad_member.pk,
                ),
                deadline_sources.Due(
                    contract.pk,
                    TODAY + timedelta(days=40),
                    "decision",
                    f"{ref} — Ajuster la cible d'activité",
                    url(contract.pk),
                    f"d2:{contract.pk}",
                    side="managing_body",
                ),
                deadline_sources.Due(
                    contract.pk,
                    TODAY + timedelta(days=30),
                    "decision",
                    f"{ref} — Préparer l'avenant",
                    url(contract.pk),
                    f"d3:{contract.pk}",
                    person_id=ars_member.pk,
                ),
                deadline_sources.Due(
                    contract.pk,
                    TODAY - timedelta(days=12),
                    "report_test",
                    f"{ref} — Étape du rétroplanning : diagnostic partagé",
                    url(contract.pk),
                    f"s:{contract.pk}",
                    side="managing_body",
                ),
                deadline_sources.Due(
                    contract.pk,
                    TODAY - timedelta(days=3),
                    "report_test",
                    f"{ref} — Étape du rétroplanning : lettre de cadrage",
                    url(contract.pk),
                    f"l:{contract.pk}",
                    side="authority",
                ),
            ]
        return items

    kinds = (
        deadline_sources.Kind("report_test", "Documents à transmettre (essai)", 30),
        deadline_sources.Kind("decision", "Décisions du dialogue de gestion", 15),
    )
    added = [k.code for k in kinds if k.code not in deadline_sources._KINDS]
    deadline_sources.register(source, *kinds)
    yield
    deadline_sources._SOURCES.pop(source)
    for code in added:
        deadline_sources._KINDS.pop(code)


def test_the_body_sees_its_contracts_with_each_authority_and_their_next_deadline(client_for, ehpad_contract):
    rows = _table(_page(client_for("ehpad"), ehpad_contract.managing_body), "portfolio-contracts")
    assert len(rows) == 1
    reference, authorities, state, period, next_due, _ = rows[0]
    assert reference.startswith(ehpad_contract.reference)
    assert authorities == "ARS Pays de la Loire, Conseil départemental de Maine-et-Loire"
    assert state == "En vigueur"
    assert period == "du 01/01/2024 au 31/12/2028"
    # Renewal is prepared 18 months before the end: 30 June 2027 is the next deadline after 2 November 2026.
    assert (
        next_due
        == f"30/06/2027 : {ehpad_contract.reference} — Préparation du renouvellement (18 mois avant la fin, idéalement)"
    )


def test_what_to_send_is_the_bodys_own_within_the_horizon(client_for, ehpad_contract, reviews_and_reports):
    client = client_for("ehpad")
    ref = ehpad_contract.reference
    rows = _table(_page(client, ehpad_contract.managing_body, horizon="90"), "portfolio-to-send")
    assert [(row[0], row[3]) for row in rows] == [("22/11/2026", f"{ref} — Bilan annuel à transmettre")]
    everything = _table(_page(client, ehpad_contract.managing_body, horizon="tout"), "portfolio-to-send")
    labels = [row[3] for row in everything]
    assert f"{ref} — Rapport d'activité à transmettre" in labels
    assert f"{ref} — Préparation du renouvellement (18 mois avant la fin, idéalement)" in labels
    assert not any("Courrier de calendrier" in label for label in labels)  # the authority's to send


def test_the_decisions_it_owns_are_listed_late_ones_marked(client_for, ehpad_contract, reviews_and_reports):
    rows = _table(_page(client_for("ehpad"), ehpad_contract.managing_body), "portfolio-decisions")
    ref = ehpad_contract.reference
    assert [(row[0], row[3]) for row in rows] == [
        ("28/10/2026 En retard", f"{ref} — Envoyer le plan de formation"),
        ("12/12/2026", f"{ref} — Ajuster la cible d'activité"),
    ]


def test_a_milestone_past_due_is_late_until_a_campaign_records_it_done(client_for, users, ehpad_contract):
    client = client_for("ehpad")
    late = _table(_page(client, ehpad_contract.managing_body), "portfolio-late")
    assert [(row[0], row[1], row[3]) for row in late] == [("30/06/2025", ehpad_contract.reference, "490 jours")]
    assert "Jalon : Plan de prévention adopté" in late[0][2]
    milestone = Milestone.objects.get(objective__contract=ehpad_contract, label="Plan de prévention adopté")
    campaign = Campaign.objects.create(contract=ehpad_contract, year=2026, reviewed_year=2025)
    MilestoneProgress.objects.create(campaign=campaign, milestone=milestone, done_on=date(2025, 9, 1))
    response = _page(client, ehpad_contract.managing_body)
    assert "Aucune action en retard." in page_text(response)


def test_each_table_exports_to_excel_with_the_rows_of_the_page(client_for, ehpad_contract, reviews_and_reports):
    client = client_for("ehpad")
    body = ehpad_contract.managing_body
    page = _page(client, body, horizon="tout")
    for table, testid, columns in (
        ("contrats", "portfolio-contracts", None),
        ("a-transmettre", "portfolio-to-send", 5),
        ("actions-en-retard", "portfolio-late", 6),
        ("decisions", "portfolio-decisions", 5),
    ):
        with fixed_clock(moment(TODAY)):
            response = client.get(
                reverse("roadmap:portfolio_export", kwargs={"managing_body_id": body.pk, "table": table}),
                {"horizon": "tout"},
            )
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(BytesIO(response.content)).active
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        assert len(rows) == len(_table(page, testid)), table
        if columns:
            assert len(rows[0]) == columns
    workbook = load_workbook(
        BytesIO(
            client.get(
                reverse("roadmap:portfolio_export", kwargs={"managing_body_id": body.pk, "table": "decisions"})
            ).content
        )
    )
    sheet = workbook.active
    assert sheet["A1"].value == f"Décisions — {body.name}"
    assert [c.value for c in sheet[2]] == ["Pour le", "Contrat", "Nature", "Échéance", "En retard"]


def test_filters_keep_the_contracts_of_one_authority(client_for, association_contract, ehpad_contract, users):
    client = client_for("admin")
    body = ehpad_contract.managing_body
    cd44 = users["cd44"].membership.authority
    response = _page(client, body, autorite=str(cd44.pk))
    assert _table(response, "portfolio-contracts") == []
    response = _page(client, body, autorite="abc", horizon="demain")
    text = page_text(response)
    assert "Autorité : « abc » n'est pas un choix de la liste ; le filtre n'est pas appliqué." in text
    assert "Horizon : « demain » n'est pas un choix de la liste ; le filtre n'est pas appliqué." in text
    assert len(_table(response, "portfolio-contracts")) == 1


@pytest.mark.parametrize(
    "username,sees",
    [("ehpad", True), ("ars", True), ("cd49", True), ("admin", True), ("asso", False), ("cd44", False)],
)
def test_seen_by_its_members_its_contracts_authorities_and_the_platform(client_for, ehpad_contract, username, sees):
    body = ehpad_contract.managing_body
    response = _page(client_for(username), body)
    if sees:
        assert f"Portefeuille de l'{body.name}" in page_text(response) or body.name in page_text(response)
        assert response.status_code == 200
    else:
        assert response.status_code == 404 and body.name not in response.content.decode()


def test_the_body_reaches_its_portfolio_from_the_menu(client_for, ehpad_contract):
    page = client_for("ehpad").get("/")
    assert "Mon portefeuille" in page_text(page)
    assert (
        reverse("roadmap:portfolio", kwargs={"managing_body_id": ehpad_contract.managing_body_id})
        in page.content.decode()
    )
    assert "Mon portefeuille" not in page_text(client_for("ars").get("/"))


def test_the_page_asks_as_many_queries_for_three_contracts_as_for_one(client_for, users, ehpad_contract):
    from support import programmed_copy

    client = client_for("ehpad")
    body = ehpad_contract.managing_body
    _page(client, body)  # warm the caches
    with CaptureQueriesContext(connection) as one:
        _page(client, body)
    for n in (2, 3):
        programmed_copy(ehpad_contract, users["ars"], reference=f"CPOM-TEST-000{n}")
    with CaptureQueriesContext(connection) as three:
        response = _page(client, body)
    assert len(_table(response, "portfolio-contracts")) == 3
    assert len(three) == len(one)


def test_a_deadline_its_stage_still_gives_past_its_day_is_late(client_for, ehpad_contract, reviews_and_reports):
    rows = _table(_page(client_for("ehpad"), ehpad_contract.managing_body), "portfolio-late")
    overdue = [row for row in rows if "Échéance dépassée" in row[2]]
    assert [(row[0], row[3]) for row in overdue] == [("21/10/2026", "12 jours")]
    assert f"{ehpad_contract.reference} — Étape du rétroplanning : diagnostic partagé" in overdue[0][2]
    assert not any("lettre de cadrage" in row[2] for row in rows)  # the authority's step


def test_the_state_filter_keeps_the_contracts_in_that_state(client_for, users, ehpad_contract):
    from support import programmed_copy

    programmed_copy(ehpad_contract, users["ars"], reference="CPOM-TEST-0009")
    client = client_for("ehpad")
    body = ehpad_contract.managing_body
    programmed = _table(_page(client, body, etat="programmed"), "portfolio-contracts")
    assert [row[0].split()[0] for row in programmed] == ["CPOM-TEST-0009"]
    in_force = _table(_page(client, body, etat="in_force"), "portfolio-contracts")
    assert [row[0].split()[0] for row in in_force] == [ehpad_contract.reference]
    refused = _page(client, body, etat="perdu")
    assert "État : « perdu » n'est pas un choix de la liste ; le filtre n'est pas appliqué." in page_text(refused)
    assert len(_table(refused, "portfolio-contracts")) == 2
