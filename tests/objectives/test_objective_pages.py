"""Objectives through the screens: proposing, bad input that saves nothing, examples, the matrix, documents."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from docx import Document

from cpom.indicators.models import IndicatorValue
from cpom.objectives import charts, services
from cpom.objectives.examples import collection
from cpom.objectives.models import FollowUpIndicator, Level, Objective, ObjectiveSheet, Status
from support import element


@pytest.fixture
def contract(association_contract):
    association_contract.objectives.all().delete()
    return association_contract


@pytest.fixture
def operational(contract, users):
    strategic = services.propose(
        contract, users["asso"], {"level": Level.STRATEGIC, "title": "Qualité de vie au travail"}
    )
    return services.propose(
        contract,
        users["asso"],
        {
            "level": Level.OPERATIONAL,
            "parent": strategic,
            "title": "Réduire l'absentéisme",
            "due_year": 2,
            "establishments": list(contract.establishments.filter(category="IME")),
        },
    )


def _indicator_post(objective, **overrides):
    data = {
        "version": objective.version,
        "catalogue_indicator": "",
        "label": "Taux de sorties vers l'emploi",
        "kind": "resultats",
        "value_type": "percentage",
        "method": "Sorties ÷ travailleurs × 100",
        "unit": "%",
        "data_source": "Registre des sorties",
        "direction": "higher",
        "baseline_value": "3",
        "baseline_date": "2025-12-31",
        **{f"target_{y}": "" for y in range(5)},
    }
    data.update(overrides)
    return data


def test_the_association_proposes_through_the_form(client_for, contract):
    client = client_for("asso")
    response = client.post(
        f"/contrats/{contract.pk}/objectifs/nouveau/?niveau=strategic",
        {"title": "Parcours", "theme": "", "version": 1},
        follow=True,
    )
    assert "L&#x27;objectif 1 est proposé aux autres parties." in response.content.decode()
    strategic = contract.objectives.get()
    response = client.post(
        f"/contrats/{contract.pk}/objectifs/nouveau/?niveau=operational",
        {
            "parent": strategic.pk,
            "title": "Éviter les ruptures de parcours",
            "theme": "Parcours",
            "due_year": 1,
            "funding": "funded",
            "stakes": 4,
            "feasibility": 2,
            "version": 1,
            "fiche-pilot": "Directrice du pôle enfance",
            "fiche-managing_body_means": "12 500,50",
        },
        follow=True,
    )
    body = response.content.decode()
    assert (
        "Éviter les ruptures de parcours" in body
        and "Directrice du pôle enfance" in body
        and "12\xa0500,50\xa0€" in body
    )
    operational = contract.objectives.get(level=Level.OPERATIONAL)
    assert str(operational.sheet.managing_body_means) == "12500.50"
    assert operational.proposer_label == "Association Les Chemins de Loire"


def test_a_target_that_is_not_a_number_saves_nothing(client_for, operational):
    response = client_for("asso").post(
        f"{operational.get_absolute_url()}indicateurs/nouveau/", _indicator_post(operational, target_2="environ dix")
    )
    body = response.content.decode()
    assert "« environ dix » n&#x27;est pas un nombre" in body
    assert not FollowUpIndicator.objects.filter(objective=operational).exists()
    assert Objective.objects.get(pk=operational.pk).version == operational.version


def test_a_baseline_dated_1850_is_refused_naming_the_window(client_for, operational):
    year = date.today().year
    response = client_for("asso").post(
        f"{operational.get_absolute_url()}indicateurs/nouveau/",
        _indicator_post(operational, baseline_date="1850-12-31"),
    )
    assert (
        f"La date doit être comprise entre le 01/01/{year - 10} et le 31/12/{year + 1} (vous avez saisi le 31/12/1850)."
        in response.content.decode()
    )
    assert not FollowUpIndicator.objects.filter(objective=operational).exists()


def test_a_numeric_target_is_read_the_french_way(client_for, operational):
    client_for("asso").post(
        f"{operational.get_absolute_url()}indicateurs/nouveau/",
        _indicator_post(operational, target_1="4,5", target_2="6 %"),
    )
    indicator = FollowUpIndicator.objects.get(objective=operational)
    assert {t.due_year: t.value for t in indicator.targets.all()} == {1: "4,5", 2: "6"}
    assert indicator.baseline_value == "3" and indicator.baseline_date == date(2025, 12, 31)


def test_a_target_beyond_the_contract_is_refused(contract, operational, users):
    type(contract).objects.filter(pk=contract.pk).update(duration_years=3)
    operational.refresh_from_db()
    with pytest.raises(services.ValueRefused, match="dépasse la durée du contrat"):
        services.save_indicator(
            operational,
            users["asso"],
            {**_indicator_post(operational), "catalogue_indicator": None},
            {4: "10"},
            operational.version,
        )
    assert not FollowUpIndicator.objects.filter(objective=operational).exists()


def test_a_milestone_outside_the_contract_saves_nothing(client_for, operational):
    response = client_for("asso").post(
        f"{operational.get_absolute_url()}calendrier/",
        {"label": "Lancement", "due_date": "2026-03-01", "version": operational.version},
        follow=True,
    )
    assert "La date du 01/03/2026 est en dehors du contrat (du 01/01/2027 au 31/12/2031)." in response.content.decode()
    assert not operational.milestones.exists()


def test_a_catalogue_indicator_takes_its_baseline_from_the_engine(client_for, operational):
    ime = operational.establishments.get()
    stored = IndicatorValue.objects.filter(establishment=ime, indicator__code="i-25").order_by("-year").first()
    client_for("asso").post(
        f"{operational.get_absolute_url()}indicateurs/nouveau/",
        _indicator_post(
            operational,
            catalogue_indicator=stored.indicator.pk,
            label="",
            baseline_value="",
            baseline_date="",
            target_2="95",
        ),
    )
    indicator = FollowUpIndicator.objects.get(objective=operational)
    assert indicator.label == stored.indicator.label and indicator.method == stored.indicator.definition
    assert indicator.baseline_value == f"{stored.value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    assert indicator.baseline_date == date(stored.year, 12, 31)
    assert f"données {stored.year}" in indicator.baseline_note


def test_examples_are_labelled_and_copied_to_adapt(client_for, contract, operational):
    client = client_for("asso")
    page = client.get(f"/contrats/{contract.pk}/objectifs/exemples/").content.decode()
    assert "ne constituent ni une sélection obligatoire ni une sélection" in page
    assert page.count('data-testid="example"') == len(collection().examples) >= 24
    response = client.post(
        f"/contrats/{contract.pk}/objectifs/exemples/copier/",
        {"example": "anap-absenteisme", "parent": operational.parent_id},
        follow=True,
    )
    copy = contract.objectives.filter(level=Level.OPERATIONAL).exclude(pk=operational.pk).get()
    assert copy.status == Status.PROPOSED and copy.title == collection().get("anap-absenteisme").title
    assert copy.children.filter(level=Level.ACTION).count() == len(collection().get("anap-absenteisme").actions)
    assert {i.catalogue_indicator.code for i in copy.indicators.exclude(catalogue_indicator=None)} == {
        "tdb-absenteisme",
        "i-30",
    }
    # Targets are left to the parties: an example is never imposed.
    assert not copy.indicators.filter(targets__isnull=False).exists()
    assert "adaptez-le" in response.content.decode()


def test_the_matrix_places_each_rated_objective(client_for, contract, operational, users):
    services.update(operational, users["asso"], {"stakes": 4, "feasibility": 1}, None, operational.version)
    page = client_for("ars").get(f"/contrats/{contract.pk}/objectifs/").content.decode()
    assert "Chantier structurant : enjeu fort, difficile" in page
    # Stakes 4, feasibility 1: the dot sits in the top-left cell of the grid.
    dot = element(page, '//g[@data-number="1.1"][*[1][self::title]="1.1 Réduire l\'absentéisme (Proposé)"]/*[2]')
    assert dot.tag == "circle"
    x, y = int(dot.get("cx")), int(dot.get("cy"))
    assert charts.LEFT < x < charts.LEFT + charts.CELL and charts.TOP < y < charts.TOP + charts.CELL


def test_the_fiche_objectif_downloads_as_word(client_for, operational):
    response = client_for("cd44").get(f"{operational.get_absolute_url()}fiche.docx")
    assert response["Content-Disposition"].endswith('.docx"')
    text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
    assert "Réduire l'absentéisme" in text


def test_the_objective_page_shows_the_thread_with_organisations(client_for, operational, users):
    from cpom.objectives import negotiation

    negotiation.comment(operational, users["ars"], "Quel est le taux actuel ?")
    negotiation.comment(operational, users["asso"], "9,5 % en 2025.")
    page = client_for("cd44").get(operational.get_absolute_url()).content.decode()
    assert page.index("ARS Pays de la Loire") < page.index("Quel est le taux actuel ?") < page.index("9,5 % en 2025.")
    assert "Association Les Chemins de Loire</strong>" in page


def test_a_title_with_an_escape_character_is_stored_without_it_and_the_fiche_downloads(client_for, operational):
    client = client_for("asso")
    client.post(
        f"{operational.get_absolute_url()}modifier/",
        {
            "title": "Réduire\x1b nettement l'absentéisme",
            "theme": "",
            "due_year": 2,
            "funding": "funded",
            "version": operational.version,
            "establishments": [e.pk for e in operational.establishments.all()],
        },
    )
    operational.refresh_from_db()
    assert operational.title == "Réduire nettement l'absentéisme" and operational.version == 2
    response = client.get(f"{operational.get_absolute_url()}fiche.docx")
    assert "Réduire nettement l'absentéisme" in "\n".join(
        p.text for p in Document(BytesIO(response.content)).paragraphs
    )


def test_fiche_amounts_are_shown_read_and_compared_the_french_way(client_for, operational):
    client = client_for("asso")
    edit_url = f"{operational.get_absolute_url()}modifier/"

    def post(**sheet):
        data = {
            "title": operational.title,
            "theme": "",
            "due_year": 2,
            "funding": "funded",
            "version": Objective.objects.get(pk=operational.pk).version,
            "establishments": [e.pk for e in operational.establishments.all()],
            **{f"fiche-{k}": v for k, v in sheet.items()},
        }
        return client.post(edit_url, data, follow=True)

    post(managing_body_means="12 500,50")
    assert ObjectiveSheet.objects.get(objective=operational).managing_body_means == Decimal("12500.50")
    form = client.get(edit_url).content.decode()
    assert 'name="fiche-managing_body_means" value="12\xa0500,50" inputmode="decimal"' in form
    page = post(managing_body_means="13 000").content.decode()
    assert "<td>Moyens apportés par le gestionnaire (€)</td><td>12\xa0500,50</td><td>13\xa0000,00</td>" in page
    refused = post(managing_body_means="12,5,3").content.decode()
    assert (
        "Moyens apportés par le gestionnaire (€) : « 12,5,3 » n&#x27;est pas un nombre : écrivez par exemple 12 500,50."
        in refused
    )
    assert ObjectiveSheet.objects.get(objective=operational).managing_body_means == Decimal("13000")
