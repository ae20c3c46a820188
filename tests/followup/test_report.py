"""The annual report (annexe évolutive): its Word and PDF files read back hold every objective, every value and every
level as the grid stores them; the financial execution equals the accounts and the retained trajectory; the sealed
report is served as stored; a control character stored in a comment breaks neither file."""

import hashlib
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

# The readers that open the produced files for real are the documents' tests' fixtures (tests/ is on the path; a
# fixture bound to a module's name is that module's fixture).
import documents.conftest as produced_files
from cpom.finance.trajectory.services import budget_of, run
from cpom.followup import report, services
from cpom.followup.grid import grid_for
from cpom.followup.models import Campaign, CampaignStatus, GridEntry, SealedDocument
from cpom.followup.snapshot import grid_snapshot
from cpom.indicators.models import DataValue
from support import elements

pytestmark = pytest.mark.django_db
read_docx, read_pdf = produced_files.read_docx, produced_files.read_pdf


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def _report(campaign, read_docx, read_pdf):
    _, word = report.report_file(campaign, "docx")
    _, pdf = report.report_file(campaign, "pdf")
    return read_docx(word), _plain("\n".join(read_pdf(pdf)))


def test_the_report_holds_every_objective_value_and_level_as_the_grid_stores_them(followed, read_docx, read_pdf):
    snapshot = grid_snapshot(grid_for(followed))
    word, pdf = _report(followed, read_docx, read_pdf)
    tables = "\n".join(" | ".join(row) for table in word.tables() for row in table)
    words = _plain(word.text)
    assert "PROJET" in pdf and "Projet : les conclusions" in words
    checked = 0
    for strategic in snapshot["objectives"]:
        assert f"{strategic['number']} – {strategic['title']}" in words
        assert f"{strategic['number']} – {strategic['title']}" in pdf
        for row in strategic["operational"]:
            assert f"{row['number']} – {row['title']}" in words
            for line in row["lines"]:
                heading = f"{line['indicator']} – {line['category_label']}"
                assert heading in words
                under = _plain("\n".join(word.under(heading)))
                assert f"Niveau de réalisation : {report.LEVEL_NAMES[line['level']]}" in under
                assert f"Valeur initiale : {_plain(line['baseline']) or 'Non renseigné'}"[:20] in under
                for value in line["values"]:
                    if value["shown"]:
                        assert f"{value['year']} | {_plain(value['shown'])}" in tables
                        assert _plain(value["shown"]) in pdf
                        checked += 1
                assert report.LEVEL_NAMES[line["level"]] in pdf
    assert checked > 10, "the fixture's grid has values to check"
    # A chart per numeric line that has values, the same picture in both files.
    assert len(word.document.inline_shapes) >= 2


def test_a_confirmed_level_and_a_comment_with_a_control_character_are_in_both_files(
    followed, read_docx, read_pdf, users
):
    grid = grid_for(followed)
    line = next(line for line in grid.lines if line.computed and line.category == "")
    GridEntry.objects.create(
        campaign=followed,
        indicator=line.indicator,
        category="",
        comment="Écart expliqué\x0bpar la fermeture d'une unité",
        confirmed_level="NR",
        confirmed_proposal=line.assessment.level,
        confirmed_by=users["ars"],
        confirmed_by_label="ARS Pays de la Loire",
        confirmed_at=datetime(2025, 6, 1, tzinfo=UTC),
        override_comment="" if line.assessment.level == "NR" else "Cible manquée de peu",
    )
    word, pdf = _report(followed, read_docx, read_pdf)
    heading = f"{line.indicator.label} – {line.category_label}"
    under = _plain("\n".join(word.under(heading)))
    assert "Niveau de réalisation : NR – non réalisé – confirmé par ARS Pays de la Loire" in under
    assert "Commentaires : Écart expliqué\npar la fermeture d'une unité" in under
    assert "\x0b" not in word.text
    assert "Écart expliqué\npar la fermeture" in pdf


def _class_sum(contract, year: int, prefix: str) -> Decimal:
    values = DataValue.objects.filter(
        establishment__in=contract.establishments.all(), year=year, element__startswith=f"compte:{prefix}"
    ).values_list("value", flat=True)
    return sum(values, Decimal(0))


def test_the_financial_execution_equals_the_accounts_and_the_retained_trajectory(ehpad_contract):
    year = 2025
    execution = report.financial_execution(ehpad_contract, year)
    by_label = {line.label: line for line in execution.lines}
    scenario = budget_of(ehpad_contract).scenarios.get(retained=True)
    assert execution.scenario == scenario.name
    planned = run(scenario).trajectory.years[year - ehpad_contract.start_date.year]
    assert by_label["Enveloppe (produits de la tarification)"].planned == planned.sums.envelope
    assert by_label["Dépenses (groupes I à III)"].planned == planned.sums.expenses
    assert by_label["Résultat"].planned == planned.result
    assert by_label["Affecté aux réserves"].planned == planned.to_reserves
    assert by_label["Réserves en fin d'année"].planned == planned.reserves
    # The accounts, read apart: expenses are the class 6 balances, the result is what classes 6 and 7 leave.
    expenses, income = _class_sum(ehpad_contract, year, "6"), -_class_sum(ehpad_contract, year, "7")
    assert expenses > 0
    assert by_label["Dépenses (groupes I à III)"].actual == pytest.approx(expenses, abs=Decimal("0.01") * 50)
    assert by_label["Résultat"].actual == pytest.approx(income - expenses, abs=Decimal("0.01") * 50)
    result = by_label["Résultat"]
    assert result.gap == result.actual - result.planned
    assert by_label["Résultat"].actual == (
        by_label["Enveloppe (produits de la tarification)"].actual
        + by_label["Autres produits (groupes II et III)"].actual
        - by_label["Dépenses (groupes I à III)"].actual
    )


def test_a_year_outside_the_contract_has_no_trajectory_and_says_so(ehpad_contract):
    execution = report.financial_execution(ehpad_contract, 2021)
    assert all(line.planned is None for line in execution.lines)
    assert any("hors des années du contrat" in note for note in execution.notes)


def test_the_sealed_report_is_written_from_the_signed_snapshot_then_served_as_stored(followed, read_pdf):
    snapshot = grid_snapshot(grid_for(followed))
    name, data = report.sealed_writer("pdf")(snapshot)
    assert name == f"{followed.contract.reference}-rapport-annuel-2025.pdf"
    pages = _plain("\n".join(read_pdf(data)))
    assert "PROJET" not in pages
    from cpom.followup.snapshot import content_hash

    assert f"Empreinte SHA-256 : {content_hash(snapshot)}" in pages
    # Stored at closing: what is downloaded afterwards is those bytes, never a report written again.
    stored = b"%PDF-1.4 the report as it was signed"
    Campaign.objects.filter(pk=followed.pk).update(
        status=CampaignStatus.SIGNING, snapshot="{}", content_sha256="0" * 64
    )
    SealedDocument.objects.create(
        campaign=followed,
        kind="rapport-pdf",
        label="Rapport annuel (PDF)",
        file_name=name,
        content=stored,
        sha256="0" * 64,
    )
    Campaign.objects.filter(pk=followed.pk).update(
        status=CampaignStatus.CLOSED, closed_at=datetime(2025, 7, 1, tzinfo=UTC)
    )
    followed.refresh_from_db()
    assert report.report_file(followed, "pdf") == (name, stored)


def test_the_report_writers_are_registered_for_sealing():
    from cpom.followup.snapshot import sealed_kinds

    kinds = {kind.kind: kind for kind in sealed_kinds()}
    assert {"rapport-docx", "rapport-pdf"} <= set(kinds)


def _campaign_url(campaign, name="followup:campaign", **kwargs):
    return reverse(name, kwargs={"contract_id": campaign.contract_id, "campaign_id": campaign.pk, **kwargs})


def test_the_campaign_page_downloads_the_draft_then_the_signed_report_as_stored(client_for, ehpad_contract, users):
    campaign = services.open_campaign(ehpad_contract, users["ars"], {"year": 2025}, today=date(2025, 5, 5))
    page = client_for("ehpad").get(_campaign_url(campaign))
    links = {a.get("data-testid"): a.get("href") for a in elements(page, "//a[starts-with(@data-testid, 'report-')]")}
    assert set(links) == {"report-docx", "report-pdf"}
    draft = client_for("ehpad").get(links["report-pdf"])
    assert draft["Content-Type"] == "application/pdf"
    assert "PROJET" in "".join(produced_files._plain(p.extract_text()) for p in PdfReader(BytesIO(draft.content)).pages)
    assert client_for("cd44").get(links["report-pdf"]).status_code == 404  # not a party: the contract is not visible

    services.submit(campaign, users["ehpad"], campaign.version)
    campaign.refresh_from_db()
    campaign = services.save_conclusions(
        campaign, users["ars"], "Objectifs tenus\x07 pour l'essentiel.", campaign.version
    )
    campaign = services.send_conclusions(campaign, users["ars"], campaign.version)
    for username in ("ehpad", "cd49", "ars"):
        campaign.refresh_from_db()
        services.sign_conclusions(
            campaign,
            users[username],
            {
                "signatory_name": f"Signataire {username}",
                "signatory_title": "Direction",
                "signed_hash": campaign.content_sha256,
            },
            campaign.version,
            today=date(2025, 7, 1),
        )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    for extension in ("docx", "pdf"):
        stored = SealedDocument.objects.get(campaign=campaign, kind=f"rapport-{extension}")
        assert stored.sha256 == hashlib.sha256(bytes(stored.content)).hexdigest()
        served = client_for("cd49").get(_campaign_url(campaign, "followup:report", extension=extension))
        assert served.content == bytes(stored.content)
    pages = _plain("\n".join(p.extract_text() for p in PdfReader(BytesIO(served.content)).pages))
    assert "PROJET" not in pages
    assert f"Empreinte SHA-256 : {campaign.content_sha256}" in pages
    assert "Objectifs tenus pour l'essentiel." in pages
    assert "Signataire cd49" in pages


def test_the_command_writes_the_report_and_names_what_is_wrong(ehpad_contract, users, tmp_path, read_docx):
    services.open_campaign(ehpad_contract, users["ars"], {"year": 2025}, today=date(2025, 5, 5))
    out = io.StringIO()
    target = tmp_path / "rapport.docx"
    call_command(
        "suivi",
        "rapport",
        ehpad_contract.reference,
        "--annee",
        "2025",
        "--format",
        "docx",
        "--sortie",
        str(target),
        stdout=out,
    )
    assert out.getvalue().strip() == (
        f"{ehpad_contract.reference} : rapport annuel 2025 (projet) écrit dans {target} (docx)."
    )
    assert "Exécution financière de l'exercice 2024" in read_docx(target.read_bytes()).text
    with pytest.raises(CommandError, match=r"n'a pas de campagne de suivi 2023 ouverte \(campagnes : 2025\)\."):
        call_command("suivi", "rapport", ehpad_contract.reference, "--annee", "2023", "--sortie", str(target))
