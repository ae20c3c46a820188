"""Every contract page is framed the same way (cpom.contracts.pages.contract_page): the lifecycle's navigation with
the current stage marked, and the DSFR breadcrumb back to the contracts."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from cpom.contracts import pages
from support import elements, text_of

STAGE_PAGES = [
    ("contracts:detail", "Contrat"),
    ("diagnostic:home", "Diagnostic partagé"),
    ("objectives:list", "Objectifs"),
    ("objectives:readiness", "Vérification"),
    ("contracts:indicators", "Indicateurs"),
    ("finance:budget_detail", "Moyens"),
    ("finance:trajectory_list", "Trajectoire"),
    ("documents:contract", "Texte du contrat"),
    ("signing:consultations", "Consultations"),
    ("signing:versions", "Signature"),
]


def navigation(html: str):
    found = elements(html, '//nav[@data-testid="contract-navigation"]')
    assert found, "no contract navigation on the page"
    return found[0]


def tags(nav) -> list:
    return elements(nav, './/a[@href][contains(concat(" ", normalize-space(@class), " "), " fr-tag ")]')


def current_items(html: str) -> list[str]:
    return [text_of(a) for a in tags(navigation(html)) if a.get("aria-current") == "page"]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name, label", STAGE_PAGES)
def test_each_stage_page_marks_its_stage(client_for, association_contract, url_name, label):
    response = client_for("asso").get(reverse(url_name, kwargs={"contract_id": association_contract.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert current_items(html) == [label]
    nav = navigation(html)
    for stage in pages.STAGES:
        assert stage.label in [text_of(a) for a in nav.xpath(".//a")]
    assert 'class="fr-breadcrumb"' in html
    assert reverse("home") in html.split('class="fr-breadcrumb"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.django_db
def test_a_page_below_a_stage_links_back_to_it(client_for, association_contract):
    objective = association_contract.objectives.first()
    html = client_for("asso").get(objective.get_absolute_url()).content.decode()
    assert current_items(html) == ["Objectifs"]
    trail = html.split('class="fr-breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert association_contract.get_absolute_url() in trail
    assert reverse("objectives:list", kwargs={"contract_id": association_contract.pk}) in trail


@pytest.mark.django_db
def test_an_establishment_budget_page_names_itself_below_the_means(client_for, association_contract):
    ime = association_contract.establishments.get(category="IME")
    url = reverse("finance:budget_lines", kwargs={"contract_id": association_contract.pk, "finess": ime.finess})
    html = client_for("asso").get(url).content.decode()
    assert current_items(html) == ["Moyens"]
    trail = html.split('class="fr-breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert reverse("finance:budget_detail", kwargs={"contract_id": association_contract.pk}) in trail
    assert escape(ime.name) in trail


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", [name for name, _ in STAGE_PAGES])
def test_a_contract_the_user_does_not_see_is_not_found(client_for, association_contract, url_name):
    # The EHPAD's managing body is no party to the association's contract: its pages do not exist for it.
    response = client_for("ehpad").get(reverse(url_name, kwargs={"contract_id": association_contract.pk}))
    assert response.status_code == 404


def test_pages_outside_a_contract_have_no_contract_navigation(client_for, db):
    html = client_for("asso").get(reverse("registry:establishments")).content.decode()
    assert 'data-testid="contract-navigation"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name, current",
    [
        ("registry:establishments", "Établissements"),
        ("registry:authorities", "Autorités"),
        ("registry:managing_bodies", "Organismes gestionnaires"),
        ("indicators:catalogue", "Référentiel des indicateurs"),
        ("indicators:elements", "Référentiel des données"),
        ("accounts:my_account", "Mon compte"),
        ("accounts:members", "Mon organisation"),
        ("password_change", "Changer mon mot de passe"),
    ],
)
def test_pages_outside_a_contract_have_a_breadcrumb(client_for, url_name, current):
    html = client_for("asso").get(reverse(url_name)).content.decode()
    trail = html.split('class="fr-breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert f'aria-current="page">{current}</a>' in trail


@pytest.mark.django_db
def test_a_detail_page_links_back_to_its_list(client_for, association_contract):
    establishment = association_contract.establishments.first()
    html = client_for("asso").get(establishment.get_absolute_url()).content.decode()
    trail = html.split('class="fr-breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert reverse("registry:establishments") in trail
    assert f'aria-current="page">{escape(establishment.name)}</a>' in trail


@pytest.mark.django_db
def test_the_diagnostic_pages_link_back_to_the_diagnostic(client_for, association_contract):
    html = (
        client_for("asso")
        .get(reverse("diagnostic:synthesis", kwargs={"contract_id": association_contract.pk}))
        .content.decode()
    )
    assert current_items(html) == ["Diagnostic partagé"]
    trail = html.split('class="fr-breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert reverse("diagnostic:home", kwargs={"contract_id": association_contract.pk}) in trail
    assert 'aria-current="page">Synthèse</a>' in trail
