"""The demo's programming: twelve managing bodies over the five départements of Pays de la Loire, the synthetic ones
named so, their FINESS valid, both demo bodies programmed, one shared line revised by the council."""

import pytest
from django.urls import reverse

from cpom.audit.models import AuditEntry
from cpom.portfolios.models import ProgrammingEntry
from cpom.registry.identifiers import validate_finess
from cpom.registry.models import Authority, AuthorityKind
from support import element, rows_of, text_of

pytestmark = [pytest.mark.usefixtures("demo_database"), pytest.mark.django_db]


def ars():
    return Authority.objects.get(kind=AuthorityKind.ARS, territory="52")


def test_the_ars_programs_twelve_bodies_over_the_five_departments(demo_database):
    entries = ProgrammingEntry.objects.filter(authorities=ars()).prefetch_related("establishments")
    assert entries.count() == 12
    departments = {site.department for entry in entries for site in entry.establishments.all()}
    assert departments == {"44", "49", "53", "72", "85"}
    assert {entry.target_year for entry in entries} == {2026, 2027, 2028, 2029, 2030}
    names = {entry.managing_body.name for entry in entries}
    assert {"Association Les Chemins de Loire", "EHPAD public Les Tilleuls"} <= names
    synthetic = names - {"Association Les Chemins de Loire", "EHPAD public Les Tilleuls"}
    assert len(synthetic) == 10 and all("fictif" in name or "fictive" in name for name in synthetic)
    for entry in entries:
        for site in entry.establishments.all():
            validate_finess(site.finess)
    linked = entries.get(managing_body__name="Association Les Chemins de Loire")
    assert linked.contract.reference == "CPOM-PDL-2027-044-01"


def test_a_line_shared_with_the_council_was_revised_by_it(demo_database):
    cd44 = Authority.objects.get(kind=AuthorityKind.CD, territory="44")
    shared = ProgrammingEntry.objects.filter(authorities=cd44)
    assert shared.count() >= 2
    change = AuditEntry.objects.get(object_type="portfolios.programmingentry", action__endswith="modifié")
    assert change.organisation_label == "Conseil départemental de Loire-Atlantique"
    assert change.at.date().isoformat() == "2026-03-10"


def test_the_demos_portfolio_page_shows_the_region(demo_database, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="ars"))
    page = client.get(reverse("portfolios:portfolio", kwargs={"authority_id": ars().pk}))
    assert text_of(element(page, "//*[@data-testid='figure-bodies']")) == "12"
    coverage = rows_of(page, "//table[@data-testid='table-couverture']")
    assert [row[0] for row in coverage[1:]] == [
        "Loire-Atlantique (44)",
        "Maine-et-Loire (49)",
        "Mayenne (53)",
        "Sarthe (72)",
        "Vendée (85)",
        "Territoire",
    ]
    programming = client.get(reverse("portfolios:programming", kwargs={"authority_id": ars().pk}) + "?debut=2026")
    assert "12 organismes gestionnaires programmés" in text_of(
        element(programming, "//*[@data-testid='programming-summary']")
    )
