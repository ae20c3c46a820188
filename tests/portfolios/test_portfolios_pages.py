"""The authority's portfolio page: what it shows of the world's two contracts, its filters, its exports, and who may
open it."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import URLPattern, get_resolver, reverse
from openpyxl import load_workbook

from cpom.contracts.models import COVERING_STATES, Contract, ContractParty
from cpom.demo.clock import fixed_clock, moment
from cpom.registry.models import Authority, AuthorityKind, Establishment
from support import element, page_text, rows_of, served, text_of

pytestmark = pytest.mark.django_db


def ars():
    return Authority.objects.get(kind=AuthorityKind.ARS, territory="52")


def cd(code):
    return Authority.objects.get(kind=AuthorityKind.CD, territory=code)


def portfolio_url(authority, **query):
    url = reverse("portfolios:portfolio", kwargs={"authority_id": authority.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def figure(response, name) -> str:
    return text_of(element(response, f"//*[@data-testid='figure-{name}']"))


def sheet_rows(content: bytes, title: str | None = None) -> list[list]:
    book = load_workbook(BytesIO(content))
    sheet = book[title] if title else book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(min_row=1, values_only=True)]


def test_the_ars_sees_its_two_contracts_by_state_and_year(client_for, association_contract, ehpad_contract):
    response = client_for("ars").get(portfolio_url(ars()))
    assert response.status_code == 200
    assert figure(response, "contracts") == "2"
    pipeline = rows_of(response, "//table[@data-testid='table-etats']")
    # The association's contract counts in its target signature year, the EHPAD's in force in its start year.
    assert pipeline[0] == ["État", "2024", "2026", "Total"]
    assert ["En négociation", "0", "1", "1"] in pipeline
    assert ["En vigueur", "1", "0", "1"] in pipeline
    assert pipeline[-1] == ["Total", "1", "1", "2"]
    contracts = rows_of(response, "//table[@data-testid='table-contrats']")
    references = [row[0] for row in contracts[1:]]
    assert references == [ehpad_contract.reference, association_contract.reference]  # by reference


def test_a_council_sees_only_the_contracts_it_is_party_to(client_for, association_contract, ehpad_contract):
    body = page_text(client_for("cd44").get(portfolio_url(cd("44"))))
    assert association_contract.reference in body
    assert ehpad_contract.reference not in body


def test_the_coverage_figures_are_those_of_a_direct_count(client_for, ehpad_contract):
    authority = ars()
    response = client_for("ars").get(portfolio_url(authority))
    universe = Establishment.objects.filter(department__in=["44", "49", "53", "72", "85"], funders=authority).distinct()
    covering = Contract.objects.filter(
        state__in=COVERING_STATES,
        pk__in=ContractParty.objects.admitted().filter(authority=authority).values("contract_id"),
    )
    covered = universe.filter(contracts__in=covering).distinct()
    assert figure(response, "establishments") == str(universe.count())
    assert figure(response, "covered-establishments") == str(covered.count()) == "2"
    assert figure(response, "bodies") == str(universe.values("managing_body").distinct().count())
    assert figure(response, "signed-bodies") == "1"
    places = sum(covered.values_list("installed_places", flat=True))
    assert figure(response, "covered-places") == str(places) == str(86 + 38)
    coverage = rows_of(response, "//table[@data-testid='table-couverture']")
    maine = next(row for row in coverage if row[0] == "Maine-et-Loire (49)")
    assert maine[5] == "2"  # under contract
    total = coverage[-1]
    assert total[0] == "Territoire" and total[4] == str(universe.count())


def test_an_establishment_of_a_signatory_left_outside_its_perimeter_is_listed(client_for, ehpad_contract):
    import factories

    authority = ars()
    with fixed_clock(moment(date(2026, 3, 1))):
        outside = factories.establishment(
            ehpad_contract.managing_body,
            funders=[authority],
            department="49",
            name="Accueil de jour Les Tilleuls",
            category="AJ",
            sector="PA",
        )
    response = client_for("ars").get(portfolio_url(authority))
    rows = rows_of(response, "//table[@data-testid='table-hors-perimetre']")
    assert rows[1][:3] == [ehpad_contract.managing_body.name, "Accueil de jour Les Tilleuls", outside.finess]
    assert figure(response, "outside") == "1"


def test_the_filters_narrow_the_contracts_and_the_coverage(client_for, association_contract, ehpad_contract):
    client = client_for("ars")
    by_department = client.get(portfolio_url(ars(), departement="44"))
    assert figure(by_department, "contracts") == "1"
    assert association_contract.reference in text_of(element(by_department, "//table[@data-testid='table-contrats']"))
    coverage = rows_of(by_department, "//table[@data-testid='table-couverture']")
    assert [row[0] for row in coverage[1:]] == ["Loire-Atlantique (44)", "Territoire"]
    by_state = client.get(portfolio_url(ars(), etat="in_force"))
    assert figure(by_state, "contracts") == "1"
    assert ehpad_contract.reference in text_of(element(by_state, "//table[@data-testid='table-contrats']"))
    by_category = client.get(portfolio_url(ars(), categorie="EHPAD"))
    assert figure(by_category, "contracts") == "1"
    assert figure(by_category, "covered-establishments") == "1"
    # The chosen filters stay chosen, and an unknown one is ignored.
    assert element(by_category, "//select[@name='categorie']/option[@selected]").get("value") == "EHPAD"
    assert figure(client.get(portfolio_url(ars(), departement="75")), "contracts") == "2"


def test_the_map_draws_the_regions_five_departments_with_their_rates(client_for, ehpad_contract):
    response = client_for("ars").get(portfolio_url(ars()))
    shapes = response_elements = element(response, "//figure[@data-testid='coverage-map']")
    paths = shapes.xpath(".//path")
    assert sorted(p.get("data-department") for p in paths) == ["44", "49", "53", "72", "85"]
    titles = {p.get("data-department"): p.xpath("string(title)") for p in paths}
    assert titles["49"].startswith("Maine-et-Loire (49) : ")
    assert "CC BY 4.0" in text_of(response_elements) or "Attribution 4.0" in text_of(response_elements)


def test_each_table_exports_to_excel_with_the_pages_rows(client_for, association_contract, ehpad_contract):
    client = client_for("ars")
    authority = ars()
    page = client.get(portfolio_url(authority))
    for slug in ("etats", "contrats", "echeances", "couverture", "hors-perimetre"):
        response = served(client.get(reverse("portfolios:portfolio_export", args=[authority.pk, slug])))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = sheet_rows(response.content)
        shown = rows_of(page, f"//table[@data-testid='table-{slug}']")
        assert [str(c) for c in rows[3]] == shown[0], slug  # the header
        body = list(rows[4:])
        expected = [r for r in shown[1:] if r != ["Aucune ligne."]]
        assert len(body) == len(expected), slug
    everything = served(client.get(reverse("portfolios:portfolio_export", args=[authority.pk, "tout"])))
    assert len(load_workbook(BytesIO(everything.content)).worksheets) == 5


def test_an_export_keeps_the_filters(client_for, association_contract):
    client = client_for("ars")
    url = reverse("portfolios:portfolio_export", args=[ars().pk, "contrats"]) + "?departement=44"
    rows = sheet_rows(served(client.get(url)).content)
    assert [r[0] for r in rows[4:]] == [association_contract.reference]
    assert rows[1][0].endswith("filtres : département Loire-Atlantique (44)")


def test_the_menu_leads_an_authority_user_to_its_portfolio(client_for):
    home = client_for("cd49").get("/")
    link = element(home, "//a[@data-testid='portfolio-menu']")
    assert link.get("href") == portfolio_url(cd("49"))
    assert not rows_of(client_for("asso").get("/"), "//a[@data-testid='portfolio-menu']")


def portfolio_routes():
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) == "portfolios":
            return [p.name for p in pattern.url_patterns if isinstance(p, URLPattern)]
    return []


def _args(name, authority):
    from cpom.portfolios.models import ProgrammingEntry

    kwargs = {"authority_id": authority.pk}
    if name == "portfolio_export":
        kwargs["table"] = "contrats"
    if name == "programming_export":
        kwargs["extension"] = "xlsx"
    if name in ("entry_update", "entry_remove"):
        entry = ProgrammingEntry.objects.filter(authorities=authority).first()
        kwargs["entry_id"] = entry.pk
    return reverse(f"portfolios:{name}", kwargs=kwargs)


@pytest.mark.parametrize("name", portfolio_routes())
def test_every_route_refuses_another_authority_and_the_managing_bodies(client, client_for, users, name, programmed):
    authority = ars()
    url = _args(name, authority)
    for outsider in ("cd44", "cd49", "asso", "ehpad"):
        viewer = client_for(outsider)
        for method in ("get", "post"):
            response = getattr(viewer, method)(url)
            assert response.status_code == 404, f"{outsider} {method} {url} → {response.status_code}"
            assert "Association fictive" not in response.content.decode()
        viewer.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    admin = client_for("admin").get(url)
    assert admin.status_code in (200, 403, 405), admin.status_code  # the platform team reads, writes nothing


def test_the_routes_are_all_walked():
    assert set(portfolio_routes()) == {
        "portfolio",
        "portfolio_export",
        "programming",
        "programming_export",
        "entry_create",
        "entry_update",
        "entry_remove",
    }


@pytest.fixture
def programmed(users):
    """One line of the ARS's programming, concerning the ARS only."""
    from cpom.portfolios import services
    from cpom.registry.models import ManagingBody

    body = ManagingBody.objects.get(name="Association Les Chemins de Loire")
    return services.create_entry(
        users["ars"],
        ars(),
        {
            "managing_body": body,
            "establishments": list(body.establishments.all()[:2]),
            "target_year": 2028,
            "authorities": [ars()],
            "territorial_priority": "haute",
            "maturity": "moyenne",
            "situation": "request",
            "referent": None,
            "contract": None,
            "comment": "Association fictive de contrôle",
        },
    )


def test_with_the_territory_setting_every_establishment_of_the_territory_counts(client_for, settings):
    settings.CPOM_PORTFOLIO = {**settings.CPOM_PORTFOLIO, "universe": "territory"}
    response = client_for("ars").get(portfolio_url(ars()))
    in_region = Establishment.objects.filter(department__in=["44", "49", "53", "72", "85"])
    assert figure(response, "establishments") == str(in_region.count())
    assert in_region.count() > in_region.filter(funders=ars()).distinct().count()


def test_an_unknown_table_is_not_exported(client_for):
    response = client_for("ars").get(reverse("portfolios:portfolio_export", args=[ars().pk, "budget"]))
    assert response.status_code == 404
    response = client_for("ars").get(reverse("portfolios:programming_export", args=[ars().pk, "pdf"]))
    assert response.status_code == 404
