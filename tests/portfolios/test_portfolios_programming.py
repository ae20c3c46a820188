"""The five-year programming: a line added through its pages, shared by the ARS and a council, refused when wrong
or based on an outdated copy, audited, and exported as the annex of an arrêté de programmation."""

from io import BytesIO

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from cpom.audit.models import AuditEntry
from cpom.portfolios import services
from cpom.portfolios.models import ProgrammingEntry
from cpom.registry.models import Authority, AuthorityKind, Contact, ManagingBody
from support import STALE, element, elements, page_text, rows_of, served, text_of

pytestmark = pytest.mark.django_db


def ars():
    return Authority.objects.get(kind=AuthorityKind.ARS, territory="52")


def cd44():
    return Authority.objects.get(kind=AuthorityKind.CD, territory="44")


def association():
    return ManagingBody.objects.get(name="Association Les Chemins de Loire")


def create_url(authority, body=None):
    url = reverse("portfolios:entry_create", kwargs={"authority_id": authority.pk})
    return f"{url}?managing_body={body.pk}" if body else url


def form_data(body, **changes):
    sites = list(body.establishments.order_by("finess").values_list("pk", flat=True))
    data = {
        "target_year": "2028",
        "establishments": sites[:3],
        "authorities": [ars().pk, cd44().pk],
        "territorial_priority": "haute",
        "maturity": "moyenne",
        "situation": "convergence",
        "referent": Contact.objects.get(last_name="Benali").pk,
        "contract": "",
        "comment": "Trois établissements d'abord.",
    }
    data.update(changes)
    return data


@pytest.fixture
def shared_entry(client_for):
    """A line of the ARS's programming shared with the council of Loire-Atlantique, added through the page."""
    response = client_for("ars").post(create_url(ars(), association()), form_data(association()))
    assert response.status_code == 302, page_text(response)
    return ProgrammingEntry.objects.get(managing_body=association(), target_year=2028)


def test_the_ars_adds_a_line_through_the_pages_and_it_is_audited(client_for, shared_entry):
    client = client_for("ars")
    page = client.get(reverse("portfolios:programming", kwargs={"authority_id": ars().pk}) + "?debut=2026")
    rows = rows_of(page, "//table[@data-testid='programming-2028']")
    assert rows[1][0] == "Association Les Chemins de Loire"
    assert "Structure en situation de convergence tarifaire" in rows[1][3]
    assert rows[1][5] == "à programmer"
    assert sorted(shared_entry.authorities.values_list("name", flat=True)) == [
        "ARS Pays de la Loire",
        "Conseil départemental de Loire-Atlantique",
    ]
    entry = AuditEntry.objects.get(object_type="portfolios.programmingentry", object_id=str(shared_entry.pk))
    assert entry.action == "Programmation : Association Les Chemins de Loire – 2028 ajouté"
    assert entry.after["année de signature visée"] == 2028
    assert entry.organisation_label == "ARS Pays de la Loire"


def test_the_council_sees_and_edits_the_shared_line(client_for, shared_entry):
    client = client_for("cd44")
    page = client.get(reverse("portfolios:programming", kwargs={"authority_id": cd44().pk}) + "?debut=2026")
    assert "Association Les Chemins de Loire" in text_of(element(page, "//table[@data-testid='programming-2028']"))
    url = reverse("portfolios:entry_update", kwargs={"authority_id": cd44().pk, "entry_id": shared_entry.pk})
    response = client.post(url, form_data(association(), maturity="elevee", version=shared_entry.version))
    assert response.status_code == 302
    shared_entry.refresh_from_db()
    assert shared_entry.maturity == "elevee" and shared_entry.version == 2
    change = AuditEntry.objects.filter(object_id=str(shared_entry.pk), action__endswith="modifié").get()
    assert change.organisation_label == "Conseil départemental de Loire-Atlantique"
    assert ("niveau de maturité de l'organisme gestionnaire", "moyenne", "elevee") in change.changed_fields()


def test_a_concurrent_edit_by_the_other_authority_is_refused(client_for, users, shared_entry):
    seen = shared_entry.version
    services.update_entry(
        users["cd44"], cd44(), shared_entry, {**_service_data(shared_entry), "maturity": "faible"}, seen
    )
    url = reverse("portfolios:entry_update", kwargs={"authority_id": ars().pk, "entry_id": shared_entry.pk})
    response = client_for("ars").post(url, form_data(association(), maturity="elevee", version=seen))
    assert response.status_code == 409
    assert STALE in page_text(response)
    shared_entry.refresh_from_db()
    assert shared_entry.maturity == "faible"


def _service_data(entry):
    return {
        "managing_body": entry.managing_body,
        "establishments": list(entry.establishments.all()),
        "target_year": entry.target_year,
        "authorities": list(entry.authorities.all()),
        "territorial_priority": entry.territorial_priority,
        "maturity": entry.maturity,
        "situation": entry.situation,
        "referent": entry.referent,
        "contract": entry.contract,
        "comment": entry.comment,
    }


def test_a_council_not_concerned_neither_sees_nor_edits_the_line(client_for, users, shared_entry):
    cd49 = Authority.objects.get(kind=AuthorityKind.CD, territory="49")
    client = client_for("cd49")
    page = client.get(reverse("portfolios:programming", kwargs={"authority_id": cd49.pk}) + "?debut=2026")
    assert not elements(page, "//table[@data-testid='programming-2028']")
    assert "Aucun organisme gestionnaire programmé en 2028." in page_text(page)
    url = reverse("portfolios:entry_update", kwargs={"authority_id": cd49.pk, "entry_id": shared_entry.pk})
    assert client.get(url).status_code == 404
    with pytest.raises(services.ProgrammingRefused) as refused:
        services.update_entry(users["cd49"], cd49, shared_entry, _service_data(shared_entry), shared_entry.version)
    assert refused.value.reasons == [
        "Seules les autorités concernées par cette ligne de la programmation la modifient."
    ]


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"target_year": "deux mille"}, "Année de signature visée : « deux mille » n'est pas un nombre entier"),
        ({"target_year": "1990"}, "Année de signature visée : 2010 au plus tôt."),
        ({"establishments": []}, "Établissements concernés : cochez au moins un établissement."),
        ({"situation": "inconnue"}, "Situation de l'organisme gestionnaire : choisissez une situation de la liste."),
        ({"maturity": "moyen"}, "Niveau de maturité : choisissez un niveau de la liste."),
        ({"authorities": []}, "Autorités concernées : cochez au moins votre autorité."),
    ],
)
def test_bad_input_is_refused_naming_the_field(client_for, changes, message):
    response = client_for("ars").post(create_url(ars(), association()), form_data(association(), **changes))
    assert response.status_code == 400
    assert message in page_text(response)
    assert not ProgrammingEntry.objects.exists()


def test_the_links_between_fields_are_checked(client_for, ehpad_contract):
    ehpad_site = ehpad_contract.establishments.first()
    cd49 = Authority.objects.get(kind=AuthorityKind.CD, territory="49")
    response = client_for("ars").post(
        create_url(ars(), association()),
        form_data(association(), authorities=[cd44().pk]),
    )
    assert (
        "Autorités concernées : « ARS Pays de la Loire » doit en faire partie (c'est sa programmation)."
        in page_text(response)
    )
    response = client_for("ars").post(
        create_url(ars(), association()), form_data(association(), establishments=[ehpad_site.pk])
    )
    assert "Établissements concernés : un établissement choisi n'est pas de cet organisme." in page_text(response)
    # The council of Maine-et-Loire is competent for none of the association's départements: it is not offered.
    page = client_for("ars").get(create_url(ars(), association()))
    offered = {box.get("value") for box in elements(page, "//input[@name='authorities']")}
    assert str(cd49.pk) not in offered and str(cd44().pk) in offered
    assert not ProgrammingEntry.objects.exists()


def test_a_body_is_programmed_once_a_year(client_for, shared_entry):
    response = client_for("ars").post(create_url(ars(), association()), form_data(association()))
    assert "Année de signature visée : « Association Les Chemins de Loire » est déjà programmé en 2028." in page_text(
        response
    )
    assert ProgrammingEntry.objects.count() == 1


def test_the_line_links_its_contract_once_programmed(client_for, shared_entry, association_contract):
    url = reverse("portfolios:entry_update", kwargs={"authority_id": ars().pk, "entry_id": shared_entry.pk})
    response = client_for("ars").post(
        url, form_data(association(), contract=association_contract.pk, version=shared_entry.version)
    )
    assert response.status_code == 302
    page = client_for("ars").get(reverse("portfolios:programming", kwargs={"authority_id": ars().pk}) + "?debut=2026")
    link = element(page, "//table[@data-testid='programming-2028']//a[text()='CPOM-PDL-2027-044-01']")
    assert link.get("href") == association_contract.get_absolute_url()
    # The portfolio's referent filter then finds the contract through its line.
    portfolio = client_for("ars").get(
        reverse("portfolios:portfolio", kwargs={"authority_id": ars().pk}) + f"?referent={shared_entry.referent_id}"
    )
    assert [row[0] for row in rows_of(portfolio, "//table[@data-testid='table-contrats']")[1:]] == [
        association_contract.reference
    ]


def test_read_only_members_and_the_platform_team_do_not_write(client_for, users, shared_entry):
    import factories
    from cpom.access import Role

    reader = factories.member(ars(), Role.READ, username="lecteur")
    with pytest.raises(services.ProgrammingRefused) as refused:
        services.update_entry(reader, ars(), shared_entry, _service_data(shared_entry), shared_entry.version)
    assert refused.value.reasons == ["Modifier la programmation demande le rôle « Contribution »."]
    admin = client_for("admin")
    assert admin.get(create_url(ars())).status_code == 403
    page = admin.get(reverse("portfolios:programming", kwargs={"authority_id": ars().pk}) + "?debut=2026")
    assert "Association Les Chemins de Loire" in page_text(page)
    assert not elements(page, "//a[@data-testid='add-entry']")


def test_the_annex_in_word_and_excel_holds_each_year_and_body(client_for, shared_entry):
    client = client_for("ars")
    url = reverse("portfolios:programming_export", kwargs={"authority_id": ars().pk, "extension": "docx"})
    word = Document(BytesIO(served(client.get(url + "?debut=2026")).content))
    texts = [p.text for p in word.paragraphs]
    assert "Annexe à l'arrêté de programmation des CPOM 2026-2030" in texts
    assert "Signatures visées en 2028" in texts
    assert "Aucun organisme gestionnaire programmé cette année." in texts  # the other four years
    table = word.tables[0]
    assert table.rows[1].cells[0].text == "Association Les Chemins de Loire"
    sites = table.rows[1].cells[2].text
    for site in shared_entry.establishments.all():
        assert site.finess in sites
    assert "Conseil départemental de Loire-Atlantique" in table.rows[1].cells[3].text
    url = reverse("portfolios:programming_export", kwargs={"authority_id": ars().pk, "extension": "xlsx"})
    sheet = load_workbook(BytesIO(served(client.get(url + "?debut=2026")).content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Annexe à l'arrêté de programmation des CPOM 2026-2030"
    assert rows[3][:2] == ("Année de signature visée", "Organisme gestionnaire")
    assert rows[4][0] == 2028 and rows[4][1] == "Association Les Chemins de Loire" and rows[4][4] == 3
    assert len(rows) == 5


def test_a_formula_typed_in_a_comment_stays_a_text_in_the_annex(client_for, users):
    body = association()
    services.create_entry(
        users["ars"],
        ars(),
        {
            **dict.fromkeys(("referent", "contract")),
            "managing_body": body,
            "establishments": list(body.establishments.all()[:1]),
            "target_year": 2027,
            "authorities": [ars()],
            "territorial_priority": "faible",
            "maturity": "faible",
            "situation": "request",
            "comment": '=HYPERLINK("http://x","y")',
        },
    )
    url = reverse("portfolios:programming_export", kwargs={"authority_id": ars().pk, "extension": "xlsx"})
    sheet = load_workbook(BytesIO(served(client_for("ars").get(url + "?debut=2026")).content)).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_line_is_taken_out_of_the_programming_and_the_journal_keeps_it(client_for, shared_entry):
    url = reverse("portfolios:entry_remove", kwargs={"authority_id": cd44().pk, "entry_id": shared_entry.pk})
    client = client_for("cd44")
    stale = client.post(url, {"version": shared_entry.version - 1})
    assert stale.status_code == 409 and STALE in page_text(stale)
    assert client.get(url).status_code == 405
    response = client.post(url, {"version": shared_entry.version}, follow=True)
    assert "« Association Les Chemins de Loire – 2028 » est retiré de la programmation." in page_text(response)
    assert not ProgrammingEntry.objects.filter(pk=shared_entry.pk).exists()
    removal = AuditEntry.objects.get(object_id=str(shared_entry.pk), action__endswith="retiré")
    assert removal.before["année de signature visée"] == 2028 and removal.after is None
    assert removal.organisation_label == "Conseil départemental de Loire-Atlantique"
