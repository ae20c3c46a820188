import pytest

from cpom.indicators.catalogues import CatalogueError, load_catalogue, load_elements
from cpom.indicators.formula import AccountItem, Accounts, FormulaError, check, parse
from cpom.indicators.models import Catalogue


@pytest.mark.pure
def test_account_items_with_exclusions():
    node = parse("credit(10, 13, 16 sauf 1688, 1689)")
    assert node == Accounts("credit", (AccountItem("10"), AccountItem("13"), AccountItem("16", ("1688", "1689"))))
    assert node.matches("164") and not node.matches("1688") and not node.matches("16891") and not node.matches("11")


@pytest.mark.pure
@pytest.mark.parametrize(
    "text,message,column",
    [
        ("journees_realisees +", "valeur attendue, trouvé la fin de la formule", 21),
        ("debit(6", "« ) » attendu, trouvé la fin de la formule", 8),
        ("moyenne(6)", "fonction inconnue « moyenne »", 1),
        ("2 % 3", "caractère inattendu « % »", 3),
        ("credit(16 sauf 17)", "le compte exclu 17 n'est pas un sous-compte de 16", 16),
        ("jours_ouverture * inconnu", "donnée inconnue « inconnu »", 19),
        ("n_moins(0, jours_ouverture)", "n_moins attend un nombre d'années entier positif", 9),
        ("(jours_ouverture", "« ) » attendu, trouvé la fin de la formule", 17),
        ("", "formule vide", 1),
    ],
)
def test_errors_name_the_problem_and_the_column(text, message, column):
    with pytest.raises(FormulaError) as error:
        check(text, {"jours_ouverture", "journees_realisees"})
    assert error.value.message == message
    assert error.value.position == column


def _write(tmp_path, body):
    path = tmp_path / "catalogue_ars.toml"
    path.write_text(
        '[catalogue]\ncode = "ars-test"\nlabel = "Catalogue de test"\nversion = "1"\n' + body, encoding="utf-8"
    )
    return path


INDICATOR = """
[[indicator]]
code = "ars-1"
label = "Taux de test"
kind = "resultats"
value_type = "percentage"
numerator = "{numerator}"
denominator = "places_installees"
factor = 100
"""


def test_an_authority_catalogue_loads(db, tmp_path):
    load_elements()
    catalogue = load_catalogue(_write(tmp_path, INDICATOR.format(numerator="journees_realisees")))
    assert catalogue.indicators.get().formula_version


def test_unknown_element_names_file_indicator_and_column_and_loads_nothing(db, tmp_path):
    load_elements()
    with pytest.raises(CatalogueError) as error:
        load_catalogue(_write(tmp_path, INDICATOR.format(numerator="journees_realisees + jours_feries")))
    assert str(error.value) == (
        "catalogue_ars.toml : indicateur ars-1, numérateur : donnée inconnue « jours_feries » (colonne 22)"
    )
    assert not Catalogue.objects.filter(code="ars-test").exists()


def test_bad_kind_or_category_is_refused(db, tmp_path):
    load_elements()
    body = INDICATOR.format(numerator="journees_realisees").replace('kind = "resultats"', 'kind = "resultat"')
    with pytest.raises(CatalogueError, match="« resultat » n'est pas une valeur permise pour kind"):
        load_catalogue(_write(tmp_path, body))
    body = INDICATOR.format(numerator="journees_realisees") + 'categories = ["USLD"]\n'
    with pytest.raises(CatalogueError, match="catégorie inconnue USLD"):
        load_catalogue(_write(tmp_path, body))


def test_a_tolerance_is_a_number_of_the_value_unit_and_a_negative_one_is_refused(db, tmp_path):
    load_elements()
    body = INDICATOR.format(numerator="journees_realisees") + "tolerance = 0.5\n"
    assert load_catalogue(_write(tmp_path, body)).indicators.get().tolerance == pytest.approx(0.5)
    for bad in ("-1", '"un peu"'):
        body = INDICATOR.format(numerator="journees_realisees") + f"tolerance = {bad}\n"
        with pytest.raises(
            CatalogueError, match="indicateur ars-1 : la tolérance .* doit être un nombre positif ou nul"
        ):
            load_catalogue(_write(tmp_path, body))
