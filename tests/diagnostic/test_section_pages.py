"""A section of the diagnostic: the managing body writes, the authorities remark, nobody loses someone else's text."""

import re

from django.utils.timezone import localtime

from cpom.audit.models import AuditEntry
from cpom.diagnostic.models import Remark, SectionEntry
from cpom.indicators.models import IndicatorValue
from cpom.indicators.services import consolidated_for
from cpom.web.templatetags.cpom import measure
from support import assert_stale, page_text


def _entry(diagnostic, code, establishment=None):
    return SectionEntry.objects.filter(
        diagnostic=diagnostic,
        section__code=code,
        establishment=establishment,
    ).first()


def _version(diagnostic, code, establishment=None):
    entry = _entry(diagnostic, code, establishment)
    return entry.version if entry else 1


def _row(body: str, code: str) -> str:
    """The table row of one indicator, as the reader sees it."""
    match = re.search(rf'<tr data-code="{re.escape(code)}"[^>]*>(.*?)</tr>', body, re.S)
    assert match, f"no row for {code}"
    return page_text(match.group(1))


def test_the_page_shows_the_title_and_the_examples_as_a_list(
    client_for, association_contract, diagnostic, section_url, text_of
):
    body = text_of(client_for("asso").get(section_url(association_contract, "1.1.1")))
    assert "1.1.1 Adéquation de la population accueillie au projet d'établissement" in body
    assert "<p class=\"fr-mb-1w\">Exemples d'indicateurs d'inadéquation :</p>" in body
    assert "<li>Nombre de personnes relevant de l'amendement Creton</li>" in body
    assert "Organisme gestionnaire (consolidé)" in body


def test_the_managing_body_writes_an_analysis_and_sees_it(
    client_for, association_contract, diagnostic, section_url, text_of
):
    client = client_for("asso")
    url = section_url(association_contract, "1.3.1")
    version = _version(diagnostic, "1.3.1")
    response = client.post(
        url,
        {"action": "analysis", "text": "Taux d'occupation de 80 % à l'ESAT en 2025.", "version": version},
        follow=True,
    )
    body = text_of(response)
    assert "L'analyse est enregistrée." in body
    assert "Taux d'occupation de 80 % à l'ESAT en 2025." in body
    entry = _entry(diagnostic, "1.3.1")
    assert entry.text == "Taux d'occupation de 80 % à l'ESAT en 2025." and entry.version == version + 1
    assert AuditEntry.objects.filter(action="Analyse 1.3.1 – consolidé").exists()


def test_an_analysis_of_560_000_characters_is_refused_saying_the_bound(
    client_for, association_contract, diagnostic, section_url, text_of
):
    response = client_for("asso").post(
        section_url(association_contract, "1.3.1"),
        {"action": "analysis", "text": "Analyse. " * 62_222 + "x" * 2, "version": _version(diagnostic, "1.3.1")},
    )
    assert "20\xa0000 caractères au plus (vous en avez saisi 560\xa0000)." in page_text(response)
    assert not SectionEntry.objects.filter(diagnostic=diagnostic, text__startswith="Analyse. Analyse.").exists()


def test_an_establishment_analysis_is_kept_apart_from_the_consolidated_one(
    client_for, association_contract, diagnostic, section_url, text_of
):
    ime = association_contract.establishments.get(category="IME")
    consolidated_before = _entry(diagnostic, "1.1.2")
    client = client_for("asso")
    client.post(
        section_url(association_contract, "1.1.2", ime.finess),
        {
            "action": "analysis",
            "text": "À l'IME, l'accueil de jour est saturé.",
            "version": _version(diagnostic, "1.1.2", ime),
        },
    )
    assert _entry(diagnostic, "1.1.2", ime).text == "À l'IME, l'accueil de jour est saturé."
    assert _entry(diagnostic, "1.1.2") == consolidated_before
    assert "À l'IME, l'accueil de jour est saturé." in page_text(
        client.get(section_url(association_contract, "1.1.2", ime.finess))
    )
    assert "À l'IME, l'accueil de jour est saturé." not in text_of(
        client.get(section_url(association_contract, "1.1.2"))
    )


def test_an_authority_cannot_write_the_analysis_but_can_remark(
    client_for, users, association_contract, diagnostic, section_url, text_of
):
    client_for("asso").post(
        section_url(association_contract, "1.2.1"),
        {"action": "analysis", "text": "Évaluation externe faite en 2024.", "version": _version(diagnostic, "1.2.1")},
    )
    ars = client_for("ars")
    url = section_url(association_contract, "1.2.1")
    page = text_of(ars.get(url))
    assert 'data-testid="analysis-form"' not in page and 'data-testid="remark-form"' in page
    refused = ars.post(
        url, {"action": "analysis", "text": "Réécrit par l'ARS.", "version": _version(diagnostic, "1.2.1")}
    )
    assert refused.status_code == 403
    assert "Seul l'organisme gestionnaire (rôle contribution) rédige l'analyse d'une section." in page_text(refused)
    assert _entry(diagnostic, "1.2.1").text == "Évaluation externe faite en 2024."

    response = ars.post(
        url, {"action": "remark", "text": "Le plan d'amélioration qui en découle est-il suivi ?"}, follow=True
    )
    body = text_of(response)
    assert "La remarque est ajoutée." in body
    remarks = re.search(r'data-testid="remarks">(.*?)</ul>', body, re.S).group(1)
    author = users["ars"].get_full_name() or "ars"
    assert "ARS Pays de la Loire" in remarks and author in remarks
    assert "Le plan d'amélioration qui en découle est-il suivi ?" in remarks
    remark = Remark.objects.get(entry=_entry(diagnostic, "1.2.1"))
    assert localtime(remark.at).strftime("%d/%m/%Y") in remarks


def test_the_managing_body_cannot_remark(client_for, association_contract, diagnostic, section_url, text_of):
    client = client_for("asso")
    url = section_url(association_contract, "1.2.2")
    assert 'data-testid="remark-form"' not in text_of(client.get(url))
    before = Remark.objects.count()
    refused = client.post(url, {"action": "remark", "text": "Nous nous répondons à nous-mêmes."})
    assert refused.status_code == 403
    assert "Les remarques sont celles des autorités parties au contrat" in page_text(refused)
    assert Remark.objects.count() == before


def test_a_save_based_on_an_outdated_copy_is_refused_and_saves_nothing(
    client_for, association_contract, diagnostic, section_url, text_of
):
    client = client_for("asso")
    url = section_url(association_contract, "1.3.2")
    seen = _version(diagnostic, "1.3.2")
    client.post(url, {"action": "analysis", "text": "Première rédaction, par la direction générale.", "version": seen})
    stale = client.post(
        url, {"action": "analysis", "text": "Seconde rédaction, sur une copie périmée.", "version": seen}
    )
    body = text_of(stale)
    assert_stale(stale)
    # The writer's text is still in the form, so it can be copied before reloading.
    assert "Seconde rédaction, sur une copie périmée." in body
    assert _entry(diagnostic, "1.3.2").text == "Première rédaction, par la direction générale."
    assert _entry(diagnostic, "1.3.2").version == seen + 1


def test_an_establishment_sees_its_real_indicator_values_with_their_band(
    client_for, association_contract, diagnostic, section_url, text_of
):
    esat = association_contract.establishments.get(category="ESAT")
    year = max(IndicatorValue.objects.filter(establishment=esat).values_list("year", flat=True))
    stored = IndicatorValue.objects.select_related("indicator").get(
        establishment=esat, year=year, indicator__code="i-25"
    )
    assert stored.value is not None and stored.value != 0 and stored.band
    body = text_of(client_for("cd44").get(section_url(association_contract, "1.3.1", esat.finess)))
    row = _row(body, "i-25")
    assert measure(stored.value, stored.indicator.unit) in row
    assert str(year) in row
    assert stored.get_band_display() in row


def test_an_indicator_without_value_says_why_never_zero(
    client_for, association_contract, diagnostic, frame, section_url, text_of
):
    esat = association_contract.establishments.get(category="ESAT")
    year = max(IndicatorValue.objects.filter(establishment=esat).values_list("year", flat=True))
    section = frame.sections.get(code="1.3.4")
    body = text_of(client_for("asso").get(section_url(association_contract, "1.3.4", esat.finess)))
    computed = dict(
        IndicatorValue.objects.filter(
            establishment=esat, year=year, indicator__code__in=section.indicator_codes
        ).values_list("indicator__code", "value")
    )
    missing = [code for code in section.indicator_codes if computed.get(code) is None]
    assert missing, "this section should hold at least one indicator the demo cannot compute for the ESAT"
    for code in missing:
        row = _row(body, code)
        assert "non calculable : " in row and "0,00" not in row


def test_the_consolidated_level_shows_each_category_with_its_count(
    client_for, association_contract, diagnostic, section_url, text_of
):
    perimeter = association_contract.establishments.all()
    year = max(IndicatorValue.objects.filter(establishment__in=perimeter).values_list("year", flat=True))
    expected = {r.category: r for r in consolidated_for(perimeter, year) if r.indicator.code == "i-25"}
    body = text_of(client_for("asso").get(section_url(association_contract, "1.3.1")))
    assert f"Valeurs {year} consolidées par catégorie homogène du périmètre" in body
    for category, consolidated in expected.items():
        assert re.search(rf'data-category="{category}">.*?{consolidated.members} établissement', body, re.S)
    row = _row(body, "i-25")
    for consolidated in expected.values():
        assert measure(consolidated.value, consolidated.indicator.unit) in row


def test_an_establishment_outside_the_perimeter_or_an_unknown_section_is_not_found(
    client_for, association_contract, diagnostic, section_url
):
    client = client_for("asso")
    assert client.get(section_url(association_contract, "1.3.1", "490008018")).status_code == 404
    assert client.get(section_url(association_contract, "9.9.9")).status_code == 404


def test_outsiders_do_not_see_the_diagnostic(client_for, client, association_contract, diagnostic, section_url):
    assert client_for("cd49").get(section_url(association_contract, "1.1.1")).status_code == 404
    assert client_for("ehpad").get(section_url(association_contract, "1.1.1")).status_code == 404
    client.logout()
    assert client.get(section_url(association_contract, "1.1.1")).status_code == 302
