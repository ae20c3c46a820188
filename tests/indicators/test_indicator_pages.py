"""The establishment's indicators page and the `cpom indicateurs` commands, on the demo's data."""

import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from cpom.indicators.models import Benchmark, Indicator, IndicatorValue
from cpom.registry.models import Establishment

IME = "440005015"


def _value(code, year=2025, finess=IME):
    return IndicatorValue.objects.select_related("indicator").get(
        indicator__code=code, establishment__finess=finess, year=year
    )


def test_the_page_lists_values_with_their_band(client_for):
    occupancy = _value("i-25")
    body = client_for("asso").get(reverse("indicators:establishment", kwargs={"finess": IME})).content.decode()
    assert "Indicateurs 2025" in body and "Taux d&#x27;occupation" in body
    shown = f"{occupancy.value:.2f}".replace(".", ",")
    assert shown in body
    assert occupancy.get_band_display() in body


def _badge(body: str, code: str) -> str:
    row = body[body.index(f'data-code="{code}"') :]
    return row[row.index('class="fr-badge') : row.index("</p>")]


@pytest.mark.parametrize(
    "direction, band, colour, tone",
    [
        ("higher", "above_q3", "fr-badge--success", "favorable"),
        ("lower", "above_q3", "fr-badge--error", "défavorable"),
        ("higher", "below_q1", "fr-badge--error", "défavorable"),
        ("lower", "below_q1", "fr-badge--success", "favorable"),
        ("lower", "q1_median", "fr-badge--green-menthe", "plutôt favorable"),
        ("none", "above_q3", "", ""),
    ],
)
def test_a_quartile_badge_is_green_when_favourable_and_red_when_not(client_for, direction, band, colour, tone):
    value = _value("i-25")
    Indicator.objects.filter(pk=value.indicator_id).update(direction=direction)
    IndicatorValue.objects.filter(pk=value.pk).update(band=band)
    badge = _badge(
        client_for("asso").get(reverse("indicators:establishment", kwargs={"finess": IME})).content.decode(), "i-25"
    )
    assert badge.startswith(f'class="fr-badge fr-badge--sm {colour}"')
    assert (f'title="{tone}"' in badge) == bool(tone) and (f"({tone})" in badge) == bool(tone)


def test_a_count_is_written_without_decimals_nor_the_unit_nombre(client_for):
    events = _value("i-22")
    assert events.indicator.unit == "nombre" and events.value == int(events.value)
    body = client_for("asso").get(reverse("indicators:establishment", kwargs={"finess": IME})).content.decode()
    row = body[body.index('data-code="i-22"') :]
    row = row[: row.index("</tr>")]
    assert f"<strong>{int(events.value)}</strong>" in row and "nombre" not in row


def test_the_detail_explains_formula_data_trend_and_peers(client_for):
    occupancy = _value("i-25")
    url = reverse("indicators:detail", kwargs={"finess": IME, "indicator_id": occupancy.indicator_id, "year": 2025})
    body = client_for("ars").get(url).content.decode()
    assert "[nombre de journées (ou séances, actes) réalisées dans l&#x27;année] ÷ [" in body
    assert "Démonstration : données synthétiques 2021-2025" in body  # provenance of each input
    for year in range(2021, 2026):
        assert f"{year} :" in body
    regional = Benchmark.objects.get(
        indicator=occupancy.indicator, category="IME", level="region", territory="52", year=2025
    )
    assert f"Pays de la Loire – {regional.count} établissements" in body and "Loire-Atlantique (44) – " in body
    assert "Région 52" not in body and "Département 44" not in body
    assert 'data-testid="quartile-chart"' in body


def test_band_matches_the_stored_regional_quartiles(db):
    for value in (
        IndicatorValue.objects.filter(establishment__finess=IME, year=2025).exclude(value=None).exclude(band="")[:20]
    ):
        bench = Benchmark.objects.get(
            indicator=value.indicator, category="IME", level="region", territory="52", year=2025
        )
        expected = (
            "no_comparison"
            if bench.count < 5
            else "below_q1"
            if value.value < bench.q1
            else "q1_median"
            if value.value <= bench.median
            else "median_q3"
            if value.value <= bench.q3
            else "above_q3"
        )
        assert value.band == expected, value.indicator.code


def test_non_calculable_values_say_why(client_for):
    value = IndicatorValue.objects.filter(establishment__finess=IME, year=2021, indicator__code="i-42").get()
    assert value.value is None and value.reason == "aucune donnée pour 2017 (4 ans plus tôt)"
    body = (
        client_for("asso")
        .get(reverse("indicators:establishment", kwargs={"finess": IME}) + "?annee=2021")
        .content.decode()
    )
    assert "non calculable : aucune donnée pour 2017 (4 ans plus tôt)" in body


def test_implausible_values_are_flagged_for_checking(db):
    flagged = IndicatorValue.objects.exclude(flag="")
    assert flagged.exists()
    occupancy = flagged.filter(indicator__code="i-25", value__gt=150)
    for value in occupancy:
        assert value.flag == "valeur hors des bornes plausibles de l'indicateur" and value.band == ""


def test_compute_command_reports_and_stores(capsys, db):
    IndicatorValue.objects.filter(year=2025).delete()
    call_command("indicateurs", "calculer", "--annee", "2025")
    out = capsys.readouterr().out
    assert "Lecture des données" in out and "valeurs pour 2025" in out
    assert IndicatorValue.objects.filter(year=2025, establishment__finess=IME, indicator__code="i-25").exists()


def test_export_csv_and_xlsx(tmp_path, db):
    call_command("indicateurs", "exporter", "--annee", "2025", "--format", "csv", "--sortie", str(tmp_path / "i.csv"))
    with open(tmp_path / "i.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == ["finess", "annee", "code", "valeur", "unite", "bande"]
    occupancy = _value("i-25")
    line = next(r for r in rows if r[0] == IME and r[2] == "i-25")
    assert line[3] == f"{occupancy.value:.4f}".rstrip("0").replace(".", ",") and line[4] == "%"
    assert line[5] == occupancy.get_band_display()
    assert len(rows) - 1 == IndicatorValue.objects.filter(year=2025).count()
    call_command("indicateurs", "exporter", "--annee", "2025", "--format", "xlsx", "--sortie", str(tmp_path / "i.xlsx"))
    # Read as a stream (read_only): building every cell of thousands of rows took longer than writing them.
    workbook = load_workbook(tmp_path / "i.xlsx", read_only=True)
    lines = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert list(lines[0]) == ["finess", "annee", "code", "valeur", "unite", "bande"]
    assert len(lines) == len(rows)


def test_import_command_refuses_a_bad_file(tmp_path, db):
    path = tmp_path / "mauvais.csv"
    path.write_text("finess;annee;element;valeur\n440005015;2025;journees_realisees;beaucoup\n", encoding="utf-8")
    with pytest.raises(CommandError, match="ligne 2, colonne valeur : valeur non numérique « beaucoup »"):
        call_command("indicateurs", "importer-donnees", str(path))


def test_elements_command_documents_the_codes(capsys, db):
    call_command("indicateurs", "donnees")
    out = capsys.readouterr().out
    for code in ("journees_realisees", "etp_accompagnement", "effectif_debut_annee", "compte:<numéro>"):
        assert code in out


def test_the_catalogue_holds_the_48_grid_indicators_with_the_seed_wording(db):
    grid = Indicator.objects.filter(catalogue__code="grille-suivi-pdl-2011")
    assert sorted(grid.values_list("code", flat=True), key=lambda c: int(c[2:])) == [f"i-{n}" for n in range(1, 49)]
    assert grid.get(code="i-25").label == "Taux d'occupation"
    assert grid.get(code="i-16").declared and grid.get(code="i-16").value_type == "date"
    assert Indicator.objects.filter(catalogue__code="anap-tdb-ms", code="tdb-frng-jours").exists()


def test_every_demo_establishment_has_five_years(db):
    for establishment in Establishment.objects.filter(
        managing_body__name__in=["Association Les Chemins de Loire", "EHPAD public Les Tilleuls"]
    ):
        years = set(IndicatorValue.objects.filter(establishment=establishment).values_list("year", flat=True))
        assert years == {2021, 2022, 2023, 2024, 2025}, establishment.name


def test_contract_indicators_are_consolidated_per_category(client_for):
    from cpom.contracts.models import Contract

    association = Contract.objects.get(reference="CPOM-PDL-2027-044-01")
    body = (
        client_for("cd44").get(reverse("contracts:indicators", kwargs={"contract_id": association.pk})).content.decode()
    )
    assert "Indicateurs consolidés 2025" in body
    # One IME in the perimeter: its consolidated occupancy is its own.
    occupancy = _value("i-25")
    assert f"{occupancy.value:.2f}".replace(".", ",") in body
    assert "indicateur non consolidable" in body  # opening days are not added up
    assert (
        client_for("ehpad").get(reverse("contracts:indicators", kwargs={"contract_id": association.pk})).status_code
        == 404
    )


def test_the_demo_s_synthetic_inputs_do_not_claim_to_be_an_import(client_for):
    occupancy = _value("i-25")
    url = reverse("indicators:detail", kwargs={"finess": IME, "indicator_id": occupancy.indicator_id, "year": 2025})
    body = client_for("asso").get(url).content.decode()
    assert (
        "Démonstration : données synthétiques 2021-2025 (chargées le " in body and ", sans import de fichier)" in body
    )
    assert "import en ligne de commande" not in body
