"""The import screens, as the demo's users see them: upload, preview (nothing written), confirmation, report."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpom.finance.accounting import views as import_views
from cpom.finance.models import SectionMapping
from cpom.indicators.models import DataValue, ImportBatch
from cpom.registry.identifiers import finess_with_key
from cpom.registry.models import Establishment
from jobs_support import run_queued_jobs
from support import element, elements, rows_of, text_of

IME = "440005015"
EHPAD = finess_with_key("49000801")
YEAR = 2026
START = reverse("finance:import_start")
HEADER = (
    "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|"
    "EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise"
)
FEC = (
    "\n".join(
        [
            HEADER,
            "AC|Achats|1|20260115|606100|Électricité|||F1|20260115|EDF|1200,50|0,00|||20260120||EUR",
            "AC|Achats|1|20260115|401000|Fournisseurs|||F1|20260115|EDF|0,00|1200,50|||20260120||EUR",
            "PA|Paie|1|20260131|641100|Salaires|||P1|20260131|Paie|30000,00|0,00|||20260205||EUR",
            "PA|Paie|1|20260131|421000|Rémunérations dues|||P1|20260131|Paie|0,00|30000,00|||20260205||EUR",
            "VE|Ventes|1|20261231|411000|Usagers|||D1|20261231|Dotation|80000,00|0,00|||20261231||EUR",
            "VE|Ventes|1|20261231|735100|Dotation globale|||D1|20261231|Dotation|0,00|80000,00|||20261231||EUR",
        ]
    )
    + "\n"
)


@pytest.fixture(autouse=True)
def pending_folder(settings, tmp_path):
    """Files waiting for confirmation go to a folder of the test's own."""
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"


def _counts():
    return DataValue.objects.count(), ImportBatch.objects.count()


def _upload(client, content=FEC, name="ecritures.txt", kind="FEC", target=f"etablissement:{IME}", year=YEAR, **extra):
    data = {
        "kind": kind,
        "target": target,
        "year": year,
        "file": SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content),
    }
    return client.post(START, {**data, **extra})


def _text(response) -> str:
    return response.content.decode()


def items(body: str) -> list[str]:
    return [text_of(li) for li in elements(body, "//li")]


def test_the_form_offers_the_managing_body_s_establishments(client_for):
    body = _text(client_for("asso").get(START + f"?finess={IME}"))
    assert "Importer des comptes" in body and 'enctype="multipart/form-data"' in body
    assert f'<option value="etablissement:{IME}" selected>IME Les Grands Chênes – {IME}</option>' in body
    assert EHPAD not in body
    assert "FEC (fichier des écritures comptables)" in body and "Balance générale (CSV ou Excel)" in body


def test_authorities_may_not_import(client_for):
    response = client_for("ars").get(START)
    assert response.status_code == 403
    assert "L&#x27;import des comptes est réservé à l&#x27;organisme gestionnaire" in _text(response)


def test_the_preview_shows_the_figures_and_writes_nothing(client_for, pending_folder):
    before = _counts()
    response = _upload(client_for("asso"))
    body = _text(response)
    assert response.status_code == 200
    assert "Aperçu de l'import" in body and "Rien n'est encore enregistré" in body
    assert "ecritures.txt (FEC (fichier des écritures comptables))" in body
    assert f"IME Les Grands Chênes – FINESS {IME}, 2026" in body
    assert "UTF-8, barre verticale « | »" in body
    assert '<dd data-testid="lines">6, soit 3 écritures équilibrées</dd>' in body
    assert "du 15/01/2026 au 31/12/2026" in body
    assert "débit 111\u00a0200,50\u00a0€ = crédit 111\u00a0200,50\u00a0€" in body
    # The file's 6 accounts and the year's result brought to 12.
    assert "7 soldes de comptes à enregistrer" in body
    assert "Classe 6 – Comptes de charges" in body and "641100 Salaires : 30\u00a0000,00\u00a0€" in body
    assert "48\u00a0799,50\u00a0€ (excédent)" in body  # 80 000 of income − 31 200,50 of expenses
    assert "Confirmer l'import" in body
    assert _counts() == before
    assert len(list(pending_folder.iterdir())) == 1


def test_confirming_writes_the_balances_and_shows_the_report(client_for, pending_folder):
    client = client_for("asso")
    _upload(client)
    response = client.post(reverse("finance:import_confirm"))
    batch = ImportBatch.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse(
        "finance:import_report", kwargs={"batch_id": batch.pk}
    )
    assert (batch.kind, batch.file_name, batch.rows) == ("FEC", "ecritures.txt", 6)
    assert DataValue.objects.get(establishment__finess=IME, year=YEAR, element="compte:411000").value == Decimal(
        "80000"
    )
    assert list(pending_folder.iterdir()) == []
    body = _text(client.get(response.url))
    # The file's 6 accounts, and the year's result brought to 12 (the file is taken before closing).
    assert "7 soldes de comptes enregistrés pour l&#x27;IME Les Grands Chênes (2026)." in body
    assert text_of(element(body, '//dd[@data-testid="written"]')) == "7 comptes"
    assert ["735100", "−80\u00a0000,00\u00a0€"] in rows_of(body, '//table[@data-testid="report-balances"]')
    assert ["Classe 4 – Comptes de tiers", "3", "48\u00a0799,50\u00a0€"] in rows_of(
        body, '//table[@data-testid="report-classes"]'
    )
    # A second confirmation has nothing left to confirm; a new upload says what it would replace.
    again = client.post(reverse("finance:import_confirm"), follow=True)
    assert "Aucun import en attente de confirmation" in _text(again)
    assert "Les 7 soldes de comptes déjà enregistrés pour IME Les Grands Chênes en 2026 seront remplacés." in _text(
        _upload(client)
    )


def test_a_bad_file_is_refused_with_its_place_and_nothing_kept(client_for, pending_folder):
    before = _counts()
    response = _upload(client_for("asso"), FEC.replace("|20260131|", "|20260231|", 1))
    body = _text(response)
    assert response.status_code == 400
    assert "Fichier ecritures.txt refusé : rien n'a été enregistré." in body
    assert "ligne 4, colonne EcritureDate : « 20260231 » n&#x27;est pas une date AAAAMMJJ" in body
    assert _counts() == before
    assert list(pending_folder.iterdir()) == []


def test_a_file_of_another_year_is_refused(client_for):
    body = _text(_upload(client_for("asso"), year=2025))
    assert (
        "ligne 2, colonne EcritureDate : le 15/01/2026 est hors de l&#x27;exercice (du 01/01/2025 au 31/12/2025)"
        in body
    )


def test_a_form_without_file_or_establishment_says_what_is_missing(client_for):
    response = client_for("asso").post(START, {"kind": "FEC", "year": YEAR})
    body = _text(response)
    assert response.status_code == 400
    assert "Choisissez le fichier à importer." in body
    assert "Choisissez l&#x27;établissement dont ce fichier contient les comptes." in body


def test_one_may_not_import_for_another_managing_body(client_for):
    body = _text(_upload(client_for("asso"), target=f"etablissement:{EHPAD}"))
    assert (
        "Sélectionnez un choix valide" in body
        or "Vous ne pouvez pas importer les comptes de cet établissement." in body
    )
    assert not DataValue.objects.filter(establishment__finess=EHPAD, year=YEAR).exists()


def test_a_trial_balance_preview_and_import(client_for):
    client = client_for("asso")
    content = "Compte;Libellé;Débit;Crédit\n606100;Électricité;1 200,50;0\n735100;Dotation d’État;0;1200,50\n".encode(
        "cp1252"
    )
    body = _text(_upload(client, content, "balance.csv", kind="balance générale"))
    assert "balance.csv (Balance générale (CSV ou Excel))" in body and "Windows-1252, point-virgule « ; »" in body
    assert "2 soldes de comptes à enregistrer" in body and "735100 Dotation d’État" in body
    assert "0,00\u00a0€ (équilibre)" in body
    client.post(reverse("finance:import_confirm"))
    assert ImportBatch.objects.latest("pk").kind == "balance générale"


def test_cancelling_forgets_the_file(client_for, pending_folder):
    client = client_for("asso")
    _upload(client)
    response = client.post(reverse("finance:import_cancel"), follow=True)
    assert "Import abandonné : rien n&#x27;a été enregistré." in _text(response)
    assert list(pending_folder.iterdir()) == []


def test_a_file_over_the_bound_is_refused_naming_it(client_for, settings, pending_folder):
    settings.CPOM_MAX_UPLOAD_BYTES = 2**20
    body = _text(_upload(client_for("asso"), content=FEC * 5000))
    assert "Le fichier ecritures.txt dépasse 1 Mo : exportez un exercice ou un établissement à la fois." in body
    assert not pending_folder.exists() or list(pending_folder.iterdir()) == []


def test_past_imports_are_listed_for_those_who_see_the_establishment(client_for, users):
    client = client_for("asso")
    _upload(client)
    client.post(reverse("finance:import_confirm"))
    batch = ImportBatch.objects.latest("pk")
    report_url = reverse("finance:import_report", kwargs={"batch_id": batch.pk})
    for username in ("asso", "ars"):
        body = _text(client_for(username).get(reverse("finance:import_list")))
        assert f'<a href="{report_url}">ecritures.txt</a>' in body and "IME Les Grands Chênes" in body
    assert client_for("ars").get(report_url).status_code == 200
    assert "Importer un FEC ou une balance" not in _text(client_for("ars").get(reverse("finance:import_list")))
    assert client_for("ehpad").get(report_url).status_code == 404
    assert report_url not in _text(client_for("ehpad").get(reverse("finance:import_list")))


def test_the_establishment_page_links_to_the_import_for_its_managing_body(client_for):
    url = reverse("registry:establishment", kwargs={"finess": IME})
    link = f'href="{START}?finess={IME}"'
    assert link in _text(client_for("asso").get(url))
    assert link not in _text(client_for("ars").get(url))


def test_sections_are_mapped_then_offered_in_the_import(client_for):
    client = client_for("asso")
    sections_url = reverse("finance:import_sections")
    response = client.post(sections_url, {"code": "S-IME", "label": "IME Rezé", "establishment": IME})
    assert response.status_code == 302
    section = SectionMapping.objects.get(code="S-IME")
    body = _text(client.get(sections_url))
    assert "La section « S-IME » représente désormais l&#x27;IME Les Grands Chênes." in body
    assert ["S-IME", "IME Rezé"] in [row[1:3] for row in rows_of(body, '//table[@data-testid="sections"]')]
    option = element(_text(client.get(START)), f'//option[@value="section:{section.pk}"]')
    assert text_of(option) == "Section S-IME (IME Rezé) → IME Les Grands Chênes"
    body = _text(_upload(client, target=f"section:{section.pk}"))
    assert f"IME Les Grands Chênes – FINESS {IME}, 2026 (section analytique S-IME)" in body
    client.post(reverse("finance:import_confirm"))
    assert DataValue.objects.filter(establishment__finess=IME, year=YEAR, element="compte:641100").exists()
    # The authority reads the mapping but may not remove it.
    assert "S-IME" in _text(client_for("ars").get(sections_url))
    assert client_for("ars").post(sections_url, {"remove": section.pk}).status_code == 403
    client_for("asso").post(sections_url, {"remove": section.pk})
    assert not SectionMapping.objects.filter(pk=section.pk).exists()


def test_a_section_code_is_unique_within_the_managing_body(client_for):
    client = client_for("asso")
    client.post(reverse("finance:import_sections"), {"code": "S1", "establishment": IME})
    other = Establishment.objects.get(finess=finess_with_key("44000502"))
    response = client.post(reverse("finance:import_sections"), {"code": "S1", "establishment": other.finess})
    assert response.status_code == 400
    assert "La section « S1 » est déjà rattachée à l&#x27;IME Les Grands Chênes." in _text(response)


def test_the_confirmation_rereads_the_file(client_for, pending_folder):
    """What is written comes from the file kept on disk, checked again, never from the session alone."""
    client = client_for("asso")
    _upload(client)
    (pending := next(pending_folder.iterdir())).write_bytes(FEC.replace("|1200,50|0,00|", "|1200,00|0,00|").encode())
    response = client.post(reverse("finance:import_confirm"), follow=True)
    assert "écriture 1 du journal AC (lignes 2 à 3)" in _text(response)
    assert not pending.exists()
    assert import_views.PENDING not in client.session


def test_the_accounts_page_tells_which_balances_are_present_and_where_they_come_from(client_for):
    """« Comptes et coûts » said « aucun import » while the demo holds five years of synthetic balances."""
    from cpom.finance.accounting.balances import year_balances

    client = client_for("asso")
    body = _text(client.get(reverse("finance:import_list")))
    assert "Soldes de comptes enregistrés pour 7 établissements, exercices 2021 à 2025 :" in body
    assert "données de démonstration (synthétiques, sans import) : 7 établissements" in items(body)
    table = element(body, '//table[@data-testid="balances-present"]')
    for name in (
        "ESAT Les Ateliers de l'Erdre",
        "FAM Le Clos Fleuri",
        "IME Les Grands Chênes",
        "SAVS Nantes Métropole",
    ):
        assert name in text_of(table), name
    assert [text_of(s) for s in table.xpath(".//span")].count("démonstration") == 7 * 5
    assert "EHPAD Les Tilleuls" not in text_of(table)
    assert (
        "Aucun import de FEC ou de balance pour les établissements que vous suivez ; l'origine des soldes présents "
        "est indiquée ci-dessus."
    ) in body

    _upload(client)
    client.post(reverse("finance:import_confirm"))
    batch = ImportBatch.objects.latest("pk")
    body = _text(client.get(reverse("finance:import_list")))
    assert f"Soldes de comptes enregistrés pour 7 établissements, exercices 2021 à {YEAR} :" in body
    assert "FEC, balance ou fichier de données importés : 1 établissement" in items(body)
    row = elements(body, f'//tr[@data-finess="{IME}"]')[0]
    imported = next(r for r in year_balances(Establishment.objects.filter(finess=IME)) if r.year == YEAR)
    report = reverse("finance:import_report", kwargs={"batch_id": batch.pk})
    links = row.xpath(".//a[@href=$href][@title=$title]", href=report, title=imported.sources[0].label)
    assert any(text_of(a).startswith("FEC du ") for a in links)
    assert imported.sources[0].label.startswith("FEC « ecritures.txt » importé le ")
    assert ("partiel" in text_of(row)) == (not imported.complete)
    # The council of Maine-et-Loire follows none of the association's establishments.
    body = _text(client_for("cd49").get(reverse("finance:import_list")))
    assert "IME Les Grands Chênes" not in body and "EHPAD Les Tilleuls" in body


def test_a_large_file_is_imported_by_the_worker_and_its_page_leads_to_the_report(client_for, settings, pending_folder):
    settings.CPOM_JOBS = {**settings.CPOM_JOBS, "import_threshold_bytes": 100}
    client = client_for("asso")
    _upload(client)
    before = _counts()
    response = client.post(reverse("finance:import_confirm"), follow=True)
    # Nothing written yet: the page says where the import stands.
    assert _counts() == before
    body = _text(response)
    assert "Le fichier est volumineux : son import se poursuit en arrière-plan." in body
    assert "En attente" in body and 'hx-trigger="every 1s"' in body
    assert run_queued_jobs() == 1
    batch = ImportBatch.objects.latest("pk")
    assert DataValue.objects.get(establishment__finess=IME, year=YEAR, element="compte:411000").value == Decimal(
        "80000"
    )
    assert list(pending_folder.iterdir()) == []
    done = _text(client.get(response.redirect_chain[-1][0], HTTP_HX_REQUEST="true"))
    assert "7 soldes de comptes enregistrés pour l&#x27;IME Les Grands Chênes (2026)." in done
    assert reverse("finance:import_report", kwargs={"batch_id": batch.pk}) in done
    # The job is its requester's only.
    assert client_for("ehpad").get(response.redirect_chain[-1][0]).status_code == 404


def test_a_large_file_that_turns_out_wrong_fails_in_french_and_writes_nothing(client_for, settings, pending_folder):
    settings.CPOM_JOBS = {**settings.CPOM_JOBS, "import_threshold_bytes": 100}
    client = client_for("asso")
    _upload(client)
    before = _counts()
    response = client.post(reverse("finance:import_confirm"), follow=True)
    next(pending_folder.iterdir()).write_text(HEADER + "\nAC|Achats|1|pas-une-date|606100\n")
    assert run_queued_jobs() == 1
    assert _counts() == before
    failed = text_of(element(_text(client.get(response.redirect_chain[-1][0])), "//p[@class='fr-error-text']"))
    assert failed.startswith("Le travail a échoué : ") and "ligne 2" in failed, failed
    assert list(pending_folder.iterdir()) == []
