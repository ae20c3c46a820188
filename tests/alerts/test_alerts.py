"""The alerts of a contract in force: each kind raised by its cause and resolved when the cause goes, kept once across
computations, acknowledged with a comment (audited), recomputed after an import, listed under visibility."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

import factories
from cpom.access import Role
from cpom.alerts import services
from cpom.alerts.models import Alert, Kind
from cpom.audit.models import AuditEntry
from cpom.indicators import importers
from cpom.indicators.benchmarks import OUT_OF_BOUNDS
from cpom.indicators.models import DataValue, IndicatorValue
from support import element, elements, page_text, rows_of

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def _open(contract, kind):
    return list(Alert.objects.open().filter(contract=contract, kind=kind).order_by("key"))


def _occupancy(contract, finess, year):
    return IndicatorValue.objects.get(establishment__finess=finess, indicator__code="i-25", year=year)


@pytest.fixture
def tilleuls(ehpad_contract):
    return ehpad_contract.establishments.get(name="EHPAD Les Tilleuls")


def test_under_activity_is_raised_then_resolved_when_the_occupancy_recovers(ehpad_contract, tilleuls):
    services.compute_for(ehpad_contract, NOW)
    low = [a for a in _open(ehpad_contract, Kind.UNDER_ACTIVITY) if a.establishment == tilleuls and a.year == 2025]
    assert [a.message for a in low] == [
        "Sous-activité de l'EHPAD Les Tilleuls en 2025 : taux d'occupation de 92,83\u00a0%, sous le seuil de 95,00\u00a0%."
    ]
    value = _occupancy(ehpad_contract, tilleuls.finess, 2025)
    value.value = 97.5
    value.save()
    summary = services.compute_for(ehpad_contract, NOW + timedelta(days=1))
    assert summary.resolved == 1
    low[0].refresh_from_db()
    assert low[0].resolved_at == NOW + timedelta(days=1) and not low[0].is_open


def test_a_new_computation_updates_the_alerts_instead_of_adding_them(ehpad_contract):
    first = services.compute_for(ehpad_contract, NOW)
    count = Alert.objects.filter(contract=ehpad_contract).count()
    again = services.compute_for(ehpad_contract, NOW + timedelta(days=1))
    assert first.raised == count > 0
    assert (again.raised, again.updated, again.resolved) == (0, count, 0)
    assert Alert.objects.filter(contract=ehpad_contract).count() == count
    alert = Alert.objects.filter(contract=ehpad_contract).first()
    assert (alert.first_seen_at, alert.last_seen_at) == (NOW, NOW + timedelta(days=1))


def test_the_threshold_is_the_lead_authoritys_own_when_it_sets_one(ehpad_contract, settings):
    settings.CPOM_ALERTS_BY_AUTHORITY = {"ARS-52": {"occupancy_threshold": "90"}}
    services.compute_for(ehpad_contract, NOW)
    assert _open(ehpad_contract, Kind.UNDER_ACTIVITY) == []


def test_an_overdue_milestone_is_raised_once_its_date_has_passed(ehpad_contract):
    services.compute_for(ehpad_contract, datetime(2025, 6, 30, 12, tzinfo=UTC))
    assert _open(ehpad_contract, Kind.MILESTONE) == []
    services.compute_for(ehpad_contract, datetime(2025, 7, 1, 12, tzinfo=UTC))
    [late] = _open(ehpad_contract, Kind.MILESTONE)
    assert late.message.startswith("Jalon en retard : « Plan de prévention adopté »")
    assert late.cause_url() == reverse("objectives:detail", args=[ehpad_contract.pk, late.cause_args[1]])


def test_a_value_the_engine_flags_as_implausible_is_raised_and_resolved_with_its_flag(ehpad_contract, tilleuls):
    value = _occupancy(ehpad_contract, tilleuls.finess, 2024)
    value.flag = OUT_OF_BOUNDS
    value.save()
    services.compute_for(ehpad_contract, NOW)
    [flagged] = _open(ehpad_contract, Kind.IMPLAUSIBLE)
    assert flagged.message == (
        f"Valeur invraisemblable pour EHPAD Les Tilleuls en 2024 : Taux d'occupation = 92,85\u00a0% ({OUT_OF_BOUNDS})."
    )
    assert flagged.cause_url() == reverse("indicators:establishment", args=[tilleuls.finess]) + "?annee=2024"
    value.flag = ""
    value.save()
    services.compute_for(ehpad_contract, NOW)
    assert _open(ehpad_contract, Kind.IMPLAUSIBLE) == []


def _accounts(establishment, year, expenses, income):
    for element_code, amount in (("compte:6011", expenses), ("compte:7011", -income)):
        DataValue.objects.create(establishment=establishment, year=year, element=element_code, value=amount)


def test_a_deficit_worse_than_the_retained_trajectory_is_raised(ehpad_contract, tilleuls):
    _accounts(tilleuls, 2025, Decimal("9000000"), Decimal("1000000"))
    services.compute_for(ehpad_contract, NOW)
    [deficit] = _open(ehpad_contract, Kind.DEFICIT)
    # The world's own accounts of 2025 are in the result beside the ones added here.
    assert deficit.message.startswith("Résultat déficitaire en 2025 : −7\u00a0910\u00a0628,35\u00a0€ selon les comptes")
    assert "prévus par la trajectoire retenue (« Scénario retenu »)" in deficit.message
    scenario = ehpad_contract.reference_budget.scenarios.get(retained=True)
    assert deficit.cause_url() == reverse("finance:trajectory_detail", args=[ehpad_contract.pk, scenario.pk])
    DataValue.objects.filter(establishment=tilleuls, year=2025, element__in=["compte:6011", "compte:7011"]).delete()
    services.compute_for(ehpad_contract, NOW)
    assert _open(ehpad_contract, Kind.DEFICIT) == []


def test_an_import_recomputes_the_alerts_of_the_contracts_it_concerns(
    ehpad_contract, tilleuls, django_capture_on_commit_callbacks
):
    rows = [importers.Row(2, tilleuls.finess, 2025, "journees_realisees", Decimal("1"))]
    with django_capture_on_commit_callbacks(execute=True):
        importers.store(rows, "activite.csv", "CSV long")
    # The occupancy is the engine's: the alerts read it as stored, recomputed here on the import's announcement.
    assert Alert.objects.filter(contract=ehpad_contract, kind=Kind.UNDER_ACTIVITY).exists()


def test_the_command_computes_the_contracts_in_force_and_says_what_changed(ehpad_contract, capsys):
    call_command("suivi", "alertes")
    first = capsys.readouterr().out.strip()
    count = Alert.objects.filter(contract=ehpad_contract).count()
    assert first.startswith(f"1 contrat en vigueur examiné : {count} nouvelles alertes, 0 alerte toujours ouverte")
    call_command("suivi", "alertes", "--contrat", ehpad_contract.reference)
    assert f"0 nouvelle alerte, {count} alertes toujours ouvertes, 0 alerte levée" in capsys.readouterr().out


def test_the_command_names_a_contract_that_has_no_alerts(association_contract):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="seuls les contrats en vigueur ont des alertes"):
        call_command("suivi", "alertes", "--contrat", association_contract.reference)


# --- Acknowledgement --------------------------------------------------------------------------------------------


@pytest.fixture
def alert(ehpad_contract):
    services.compute_for(ehpad_contract, NOW)
    return Alert.objects.filter(contract=ehpad_contract, kind=Kind.UNDER_ACTIVITY).order_by("key").first()


def _acknowledge(client, alert, comment, version=None):
    return client.post(
        reverse("alerts:acknowledge", args=[alert.contract_id, alert.pk]),
        {"comment": comment, "version": alert.version if version is None else version},
        follow=True,
    )


def test_an_acknowledgement_needs_a_comment_and_is_audited(client_for, alert):
    refused = _acknowledge(client_for("ehpad"), alert, "  ")
    assert "Dites en commentaire pourquoi l'alerte est prise en compte" in page_text(refused)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    page = _acknowledge(client_for("ehpad"), alert, "Ouverture d'un accueil de jour en 2026.")
    assert "L'alerte est prise en compte" in page_text(page)
    alert.refresh_from_db()
    assert alert.acknowledgement_comment == "Ouverture d'un accueil de jour en 2026."
    assert alert.acknowledged_by.username == "ehpad"
    row = element(page, f"//tr[@data-testid='alert-{alert.pk}']")
    assert "par Paul Lefèvre : Ouverture d'un accueil de jour en 2026." in page_text(row.text_content())
    entry = AuditEntry.objects.filter(object_type="contracts.contract", object_id=str(alert.contract_id)).first()
    assert entry.action.startswith("Alerte prise en compte : Sous-activité")
    assert entry.after["prise en compte"] == "Ouverture d'un accueil de jour en 2026."


def test_a_stale_acknowledgement_is_refused(client_for, alert):
    response = _acknowledge(client_for("ars"), alert, "Vu.", version=alert.version - 1)
    assert response.status_code == 409
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_read_only_members_cannot_acknowledge(client, alert, ehpad_contract):
    reader = factories.member(ehpad_contract.managing_body, Role.READ)
    client.force_login(reader)
    page = client.get(reverse("alerts:contract", args=[ehpad_contract.pk]))
    assert "Prendre en compte" not in page_text(page)
    refused = _acknowledge(client, alert, "Vu.")
    assert "Prendre en compte une alerte demande le rôle « Contribution »." in page_text(refused)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_platform_team_sees_but_does_not_acknowledge(client_for, alert):
    refused = _acknowledge(client_for("admin"), alert, "Vu.")
    assert "Seules les parties au contrat" in page_text(refused)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_a_cause_that_comes_back_is_to_be_acknowledged_again(ehpad_contract, alert, users):
    services.acknowledge(users["ehpad"], alert, "Vu.", alert.version)
    value = IndicatorValue.objects.get(establishment=alert.establishment, indicator__code="i-25", year=alert.year)
    kept = value.value
    value.value = 99.0
    value.save()
    services.compute_for(ehpad_contract, NOW + timedelta(days=1))
    value.value = kept
    value.save()
    services.compute_for(ehpad_contract, NOW + timedelta(days=2))
    alert.refresh_from_db()
    assert alert.is_open and alert.acknowledged_at is None


# --- Pages and API ----------------------------------------------------------------------------------------------


def test_the_contract_page_shows_the_alerts_and_links_to_their_cause(client_for, ehpad_contract, alert):
    page = client_for("ehpad").get(ehpad_contract.get_absolute_url())
    panel = element(page, "//section[@data-testid='alerts-panel']")
    text = page_text(panel.text_content())
    total = Alert.objects.open().filter(contract=ehpad_contract).count()
    assert f"{total} alertes ouvertes, dont {total} non prises en compte" in text
    assert "Sous-activité : 6" in text and "Jalon en retard : 1" in text
    links = [a.get("href") for a in elements(panel, ".//ul[@data-testid='open-alerts']//a")]
    assert alert.cause_url() in links or len(links) == 5


def test_the_list_of_every_contract_filters_by_kind_and_acknowledgement(client_for, ehpad_contract, alert, users):
    services.acknowledge(users["ars"], alert, "Vu en dialogue de gestion.", alert.version)
    client = client_for("ars")
    rows = rows_of(client.get(reverse("alerts:list"), {"type": "milestone"}), "//table[@data-testid='alerts']")
    assert [r[:3] for r in rows[1:]] == [[ehpad_contract.reference, "Jalon en retard", "2025"]]
    acknowledged = rows_of(
        client.get(reverse("alerts:list"), {"prise_en_compte": "oui"}), "//table[@data-testid='alerts']"
    )
    assert len(acknowledged) == 2 and "Vu en dialogue de gestion." in acknowledged[1][-1]


def test_an_outsider_sees_none_of_the_alerts(client_for, ehpad_contract, alert):
    assert rows_of(client_for("asso").get(reverse("alerts:list")), "//table[@data-testid='alerts']") == []
    assert client_for("asso").get(reverse("alerts:contract", args=[ehpad_contract.pk])).status_code == 404
    assert client_for("asso").get(f"/api/v1/contracts/{ehpad_contract.pk}/alerts/").status_code == 404
    assert client_for("asso").get("/api/v1/alerts/").json()["count"] == 0


def test_the_api_gives_the_alerts_read_only(client_for, ehpad_contract, alert):
    client = client_for("cd49")
    listed = client.get(f"/api/v1/contracts/{ehpad_contract.pk}/alerts/").json()["results"]
    assert {a["kind"] for a in listed} == {"under_activity", "milestone"}
    mine = next(a for a in listed if a["id"] == alert.pk)
    assert mine["message"] == alert.message and mine["cause_url"] == alert.cause_url()
    assert client.post("/api/v1/alerts/", {}).status_code == 405
    assert client.get("/api/v1/alerts/").json()["count"] == len(listed)


def test_the_database_keeps_a_recorded_acknowledgement(alert, users):
    from django.db import DatabaseError, transaction

    services.acknowledge(users["ehpad"], alert, "Accueil de jour ouvert.", alert.version)
    with pytest.raises(DatabaseError, match="une prise en compte enregistrée ne se réécrit pas"), transaction.atomic():
        Alert.objects.filter(pk=alert.pk).update(acknowledgement_comment="Autre chose.")
    alert.refresh_from_db()
    assert alert.acknowledgement_comment == "Accueil de jour ouvert."
    # Cleared when its cause comes back, the acknowledgement is what the journal keeps.
    Alert.objects.filter(pk=alert.pk).update(acknowledged_at=None, acknowledged_by=None, acknowledgement_comment="")


def test_the_nightly_run_may_go_to_the_queue_and_the_worker_says_what_changed(ehpad_contract, capsys):
    from cpom.jobs.models import Job
    from jobs_support import run_queued_jobs

    call_command("suivi", "alertes", "--en-file")
    job = Job.objects.get(kind="alerts.nightly")
    assert capsys.readouterr().out.strip() == f"Calcul des alertes confié à la file d'attente : travail n° {job.pk}."
    assert not Alert.objects.filter(contract=ehpad_contract).exists()
    assert run_queued_jobs() == 1
    job.refresh_from_db()
    count = Alert.objects.filter(contract=ehpad_contract).count()
    assert count and job.state == "done"
    assert job.step.startswith(f"1 contrat en vigueur examiné : {count} nouvelles alertes")
