"""The chart of accounts' functional groups: the national frame on a hand-worked balance, accounts no rule
covers, an authority's own chart, and files refused whole with their file and rule named."""

from decimal import Decimal

import pytest

from cpom.finance.accounting.grouping import NATIONAL_CHART_FILE, Chart, ChartError, Rule, group_balances, read_chart
from cpom.finance.accounting.services import (
    balances_for,
    chart_for,
    load_chart,
    load_chart_command,
    load_national_chart,
)
from cpom.finance.models import ChartOfAccounts, GroupRule
from cpom.indicators.models import DataValue
from cpom.registry.models import Authority, Establishment

NATIONAL = read_chart(NATIONAL_CHART_FILE)

# Debit − credit, as imported.
BALANCE = {
    # Expenses, group I = 40 000 − 1 500 − 500 + 3 000 + 9 000 = 50 000
    "6011": Decimal("40000"),  # achats alimentation
    "6031": Decimal("-1500"),  # variation des stocks (stock up): credit, reduces group I
    "6091": Decimal("-500"),  # rabais obtenus: credit, reduces group I
    "6111": Decimal("3000"),  # prestations à caractère médical (611)
    "6282": Decimal("9000"),  # alimentation sous-traitée (628)
    # Expenses, group II = 12 000 + 4 000 + 15 000 + 300 000 − 8 000 + 110 000 = 433 000
    "6211": Decimal("12000"),  # intérim
    "6226": Decimal("4000"),  # honoraires
    "6311": Decimal("15000"),  # taxe sur les salaires
    "6411": Decimal("300000"),  # salaires
    "6419": Decimal("-8000"),  # remboursements sur rémunérations (IJSS): credit, reduces group II
    "6451": Decimal("110000"),  # cotisations URSSAF
    # Expenses, group III = 24 000 + 6 000 + 2 000 + 10 000 + 5 000 + 25 000 = 72 000
    "6132": Decimal("24000"),  # locations immobilières
    "6152": Decimal("6000"),  # entretien et réparations
    "6351": Decimal("2000"),  # taxe foncière
    "655": Decimal("10000"),  # quote-part des frais de siège
    "6611": Decimal("5000"),  # intérêts des emprunts
    "6811": Decimal("25000"),  # dotations aux amortissements
    # In no group: 634 does not exist in the social and medico-social charts
    "6340": Decimal("700"),
    # Income, group I = 520 000 + 15 000 = 535 000
    "7311": Decimal("-520000"),  # dotation globale
    "734": Decimal("-15000"),  # produits à la charge des personnes accueillies
    # Income, group II = 3 000 − 200 + 2 200 = 5 000
    "7088": Decimal("-3000"),  # repas du personnel
    "7091": Decimal("200"),  # rabais accordés: debit, reduces group II
    "7471": Decimal("-2200"),  # subvention d'exploitation
    # Income, group III = 300 + 4 000 + 1 700 = 6 000
    "7611": Decimal("-300"),
    "7815": Decimal("-4000"),
    "777": Decimal("-1700"),
    # Balance sheet: never grouped, never listed as unmapped
    "411": Decimal("50000"),
    "512": Decimal("20000"),
    "129": Decimal("4000"),
}


def test_national_chart_groups_a_hand_worked_balance():
    grouped = group_balances(BALANCE, NATIONAL)
    assert grouped.expenses == {1: Decimal("50000"), 2: Decimal("433000"), 3: Decimal("72000")}
    assert grouped.income == {1: Decimal("535000"), 2: Decimal("5000"), 3: Decimal("6000")}


def test_unmapped_accounts_are_listed_with_their_balance_and_groups_plus_unmapped_make_the_class():
    grouped = group_balances(BALANCE, NATIONAL)
    assert grouped.unmapped == {"6340": Decimal("700")}
    class_6 = sum(v for k, v in BALANCE.items() if k.startswith("6"))
    class_7 = -sum(v for k, v in BALANCE.items() if k.startswith("7"))
    assert grouped.total_expenses + grouped.unmapped["6340"] == class_6 == Decimal("555700")
    assert grouped.total_income == class_7 == Decimal("546000")


def test_data_element_keys_are_accepted_as_they_are_stored():
    grouped = group_balances({"compte:6411": Decimal("10"), "compte:7311": Decimal("-12")}, NATIONAL)
    assert grouped.expenses[2] == Decimal("10") and grouped.income[1] == Decimal("12")


def test_longest_prefix_wins():
    chart = Chart("c", "c", "1", "", (Rule("61", "expense", 3), Rule("611", "expense", 1), Rule("6111", "expense", 2)))
    assert chart.rule_for("6111").group == 2
    assert chart.rule_for("6118").group == 1
    assert chart.rule_for("6132").group == 3
    assert chart.rule_for("621") is None


def test_national_frame_places_the_usual_accounts():
    groups = {
        account: (NATIONAL.rule_for(account).side, NATIONAL.rule_for(account).group)
        for account in (
            "6022",
            "6242",
            "6211",
            "6333",
            "6453",
            "6135",
            "6155",
            "6586",
            "6611",
            "6871",
            "73111",
            "7083",
            "7478",
            "7588",
            "7688",
            "775",
            "7815",
            "791",
        )
    }
    assert groups == {
        "6022": ("expense", 1),
        "6242": ("expense", 1),
        "6211": ("expense", 2),
        "6333": ("expense", 2),
        "6453": ("expense", 2),
        "6135": ("expense", 3),
        "6155": ("expense", 3),
        "6586": ("expense", 3),
        "6611": ("expense", 3),
        "6871": ("expense", 3),
        "73111": ("income", 1),
        "7083": ("income", 2),
        "7478": ("income", 2),
        "7588": ("income", 2),
        "7688": ("income", 3),
        "775": ("income", 3),
        "7815": ("income", 3),
        "791": ("income", 3),
    }


def test_balances_for_reads_the_establishments_account_data(db):
    ime = Establishment.objects.get(finess="440005015")
    balances = balances_for(ime, 2025)
    stored = DataValue.objects.filter(establishment=ime, year=2025, element__startswith="compte:")
    assert len(balances) == stored.count() > 50
    assert balances["6411"] == stored.get(element="compte:6411").value
    assert "journees_realisees" not in balances
    # Every account of the demo's balances falls in a group of the national frame.
    assert group_balances(balances, NATIONAL).unmapped == {}


AUTHORITY_CHART = """
[chart]
code = "ars-test-attenuations"
label = "Regroupement de l'ARS (atténuations en recettes)"
version = "2026.1"

[[rule]]
prefix = "6"
side = "expense"
group = 1
label = "Toutes les charges"

[[rule]]
prefix = "64"
side = "expense"
group = 2

[[rule]]
prefix = "6419"
side = "income"
group = 2
label = "Remboursements sur rémunérations présentés en recettes"

[[rule]]
prefix = "7"
side = "income"
group = 1
"""


def _write(tmp_path, text, name="regroupement.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ars(db):
    return Authority.objects.get(kind="ARS", territory="52")


def test_an_authority_chart_wins_for_that_authority_only(tmp_path, ars):
    load_national_chart()
    load_chart(_write(tmp_path, AUTHORITY_CHART), ars)
    own, other = chart_for(ars), chart_for(Authority.objects.get(kind="CD", territory="44"))
    assert own.code == "ars-test-attenuations" and own.authority_name == "ARS Pays de la Loire"
    assert other.code == "cadre-national-essms"
    grouped = group_balances({"6411": Decimal("1000"), "6419": Decimal("-100"), "7311": Decimal("-900")}, own)
    # 6419 (credit 100) is income there: 100 in group II of income, and staff costs stay gross.
    assert grouped.expenses == {1: Decimal("0"), 2: Decimal("1000"), 3: Decimal("0")}
    assert grouped.income == {1: Decimal("900"), 2: Decimal("100"), 3: Decimal("0")}
    national = group_balances({"6411": Decimal("1000"), "6419": Decimal("-100")}, other)
    assert national.expenses[2] == Decimal("900")


def test_reloading_replaces_the_authoritys_chart(tmp_path, ars):
    load_chart(_write(tmp_path, AUTHORITY_CHART), ars)
    smaller = AUTHORITY_CHART.split("[[rule]]")[0].replace("ars-test-attenuations", "ars-test-v2") + (
        '[[rule]]\nprefix = "6"\nside = "expense"\ngroup = 3\n'
    )
    load_chart(_write(tmp_path, smaller), ars)
    assert list(ChartOfAccounts.objects.filter(authority=ars).values_list("code", flat=True)) == ["ars-test-v2"]
    assert chart_for(ars).rules == (Rule("6", "expense", 3, ""),)
    # Its class 7 accounts are now in no group: listed, not dropped.
    assert group_balances({"7311": Decimal("-5")}, chart_for(ars)).unmapped == {"7311": Decimal("-5")}


def test_without_any_chart_loaded_the_repository_frame_applies(db):
    ChartOfAccounts.objects.all().delete()
    assert chart_for(None).code == "cadre-national-essms" and len(chart_for(None).rules) == len(NATIONAL.rules)


BAD_RULES = [
    ('prefix = "611"\nside = "depense"\ngroup = 1', "règle n° 2 (préfixe 611) : sens « depense » inconnu"),
    (
        'prefix = "611"\nside = "expense"\ngroup = 4',
        "règle n° 2 (préfixe 611) : groupe « 4 » inconnu ; valeurs permises : 1, 2 ou 3",
    ),
    (
        'prefix = "60"\nside = "expense"\ngroup = 2',
        "règle n° 2 (préfixe 60) : le préfixe 60 figure déjà à la règle n° 1",
    ),
    (
        'prefix = "411"\nside = "expense"\ngroup = 1',
        "règle n° 2 (préfixe 411) : le préfixe doit être un numéro de compte de classe 6 ou 7",
    ),
    (
        'prefix = 611\nside = "expense"\ngroup = 1',
        "règle n° 2 (préfixe 611) : le préfixe doit être un numéro de compte",
    ),
    ('prefix = "612"\nside = "expense"\ngroupe = 3', "règle n° 2 (préfixe 612) : clé inconnue groupe"),
]


@pytest.mark.parametrize("second_rule,message", BAD_RULES)
def test_a_bad_rule_refuses_the_whole_file_and_loads_nothing(tmp_path, ars, second_rule, message):
    load_chart(_write(tmp_path, AUTHORITY_CHART), ars)
    before = list(GroupRule.objects.order_by("pk").values_list("chart__code", "prefix", "side", "group"))
    text = (
        '[chart]\ncode = "ars-mauvais"\nlabel = "x"\nversion = "1"\n\n[[rule]]\nprefix = "60"\nside = "expense"\ngroup = 1\n\n[[rule]]\n'
        + second_rule
    )
    with pytest.raises(ChartError) as refused:
        load_chart(_write(tmp_path, text, "ars_mauvais.toml"), ars)
    assert str(refused.value).startswith("ars_mauvais.toml, ")
    assert message in str(refused.value)
    assert not ChartOfAccounts.objects.filter(code="ars-mauvais").exists()
    assert list(GroupRule.objects.order_by("pk").values_list("chart__code", "prefix", "side", "group")) == before
    assert chart_for(ars).code == "ars-test-attenuations"


def test_invalid_toml_and_missing_header_are_refused(tmp_path, db):
    with pytest.raises(ChartError, match=r"^casse\.toml : fichier TOML invalide"):
        load_chart(_write(tmp_path, "[chart\ncode = 1", "casse.toml"))
    with pytest.raises(ChartError, match=r"^sans_entete\.toml : la section \[chart\] manque"):
        load_chart(_write(tmp_path, '[[rule]]\nprefix = "6"\nside = "expense"\ngroup = 1\n', "sans_entete.toml"))
    assert not ChartOfAccounts.objects.exists()


def test_a_code_used_by_another_authority_is_refused(tmp_path, ars):
    load_chart(_write(tmp_path, AUTHORITY_CHART), ars)
    council = Authority.objects.get(kind="CD", territory="44")
    with pytest.raises(ChartError, match="déjà celui du plan de l'ARS Pays de la Loire"):
        load_chart(_write(tmp_path, AUTHORITY_CHART), council)


def test_load_chart_command(tmp_path, ars):
    assert load_chart_command(None, None) == (
        "Plan de regroupement « Groupes fonctionnels du cadre budgétaire des ESSMS (cadre national) » (v2002.1) "
        f"chargé comme cadre national : {len(NATIONAL.rules)} règles."
    )
    line = load_chart_command(_write(tmp_path, AUTHORITY_CHART), ars.pk)
    assert line.endswith("chargé pour l'ARS Pays de la Loire : 4 règles.")
    with pytest.raises(ChartError, match="Aucune autorité n'a l'identifiant 999999."):
        load_chart_command(_write(tmp_path, AUTHORITY_CHART), 999999)


def test_the_finance_command_loads_a_chart_and_sets_a_mean_cost(db, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("finance", "charger-plan")
    assert "chargé comme cadre national" in capsys.readouterr().out
    call_command("finance", "cout-moyen", "MAS", "--annee", "2026", "91 250,50")
    # Amounts are printed with a non-breaking space between thousands.
    assert (
        capsys.readouterr().out.strip().replace("\xa0", " ").replace("\u202f", " ")
        == "Coût moyen national MAS 2026 : 91 250,50 € par place."
    )
    assert DataValue.objects.get(category="MAS", year=2026, element="cout_moyen_national").value == Decimal("91250.50")
    with pytest.raises(CommandError):
        call_command("finance", "cout-moyen", "MAS", "--annee", "2026", "beaucoup")
    assert DataValue.objects.get(category="MAS", year=2026, element="cout_moyen_national").value == Decimal("91250.50")
