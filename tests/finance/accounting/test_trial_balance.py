"""The trial balance reader: CSV and Excel, French amounts, and every kind of bad file."""

import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cpom.core.formatting import NBSP
from cpom.core.importing import DataImportError
from cpom.finance.accounting.trial_balance import parse_amount, read_trial_balance

pytestmark = pytest.mark.pure

pytestmark = pytest.mark.pure

CSV = """compte;libelle;debit;credit
102000;Fonds associatifs;0;15000,00
512000;Banque;15000,00;1200,50
606100;Électricité;1200,50;0
641100;Salaires;30000;0
735100;Dotation globale de financement;0;50000,00
"""
# Debit − credit of each line.
BALANCES = {
    "102000": Decimal("-15000.00"),
    "512000": Decimal("13799.50"),
    "606100": Decimal("1200.50"),
    "641100": Decimal("30000.00"),
    "735100": Decimal("-50000.00"),
}


def refusal(content: bytes, name="balance.csv") -> str:
    with pytest.raises(DataImportError) as refused:
        read_trial_balance(content, name)
    message = str(refused.value)
    assert message.startswith(f"Fichier {name} refusé, rien n'a été importé")
    return message


def workbook(rows, title_rows=()) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [*title_rows, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_csv_balance_gives_debit_minus_credit_per_account():
    balance = read_trial_balance(CSV.encode(), "balance.csv")
    assert {a.number: a.balance for a in balance.accounts} == BALANCES
    assert (balance.kind, balance.lines, balance.encoding, balance.separator) == (
        "balance générale",
        5,
        "UTF-8",
        "point-virgule « ; »",
    )
    assert next(a for a in balance.accounts if a.number == "606100").label == "Électricité"
    assert balance.entries is None and balance.first_date is None
    # Only classes 1, 5, 6 and 7 here: the file does not balance, which a section's extract may do.
    assert balance.total_debit == Decimal("46200.50") and balance.total_credit == Decimal("66200.50")
    assert balance.warnings and balance.warnings[0].startswith("La balance n'est pas équilibrée")


@pytest.mark.parametrize(
    "encoding,label", [("utf-8-sig", "UTF-8 avec BOM"), ("cp1252", "Windows-1252"), ("iso-8859-15", "ISO-8859-15")]
)
def test_accented_headers_and_labels_in_every_encoding(encoding, label):
    text = "Compte ; Libellé ; DÉBIT ; Crédit ; Solde\n606100;Électricité œuvre €;1 200,50;0;1200,50\n"
    balance = read_trial_balance(text.encode(encoding), "balance.csv")
    assert balance.encoding == label
    assert [(a.number, a.label, a.balance) for a in balance.accounts] == [
        ("606100", "Électricité œuvre €", Decimal("1200.50"))
    ]


@pytest.mark.parametrize(
    "text,amount",
    [
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        (f"1{NBSP}234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("-12,5", "-12.5"),
        ("", "0"),
        ("12,", "12"),
    ],
)
def test_french_and_english_amounts_are_read(text, amount):
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["douze", "12,345", "1,2,3", "1e3", "--1", "12 €"])
def test_what_is_not_an_amount(text):
    assert parse_amount(text) is None


def test_an_optional_solde_column_is_checked():
    good = "compte;libelle;debit;credit;solde\n606100;x;100;10;90\n706000;y;0;50;-50,00\n"
    assert [a.balance for a in read_trial_balance(good.encode(), "b.csv").accounts] == [Decimal("90"), Decimal("-50")]
    bad = "compte;libelle;debit;credit;solde\n606100;x;100;10;100\n"
    assert f"ligne 2, colonne solde : solde 100,00{NBSP}€ ≠ débit − crédit = 90,00{NBSP}€" in refusal(bad.encode())


def test_total_lines_of_a_printed_balance_are_skipped_with_a_warning():
    text = "compte;libelle;debit;credit\n606100;x;100;0\nTotal classe 6;;100;0\n706000;y;0;100\n"
    balance = read_trial_balance(text.encode(), "b.csv")
    assert [a.number for a in balance.accounts] == ["606100", "706000"]
    assert balance.warnings == ["1 ligne de total ignorée : seuls les comptes sont importés."]


def test_an_excel_balance_with_numbers_and_a_title_row():
    content = workbook(
        [
            ["Compte", "Libellé", "Débit", "Crédit"],
            [606100, "Électricité", 1200.5, None],
            ["735100", "Dotation", 0, 0.1 + 0.2],
            [None, None, None, None],
            [641100.0, "Salaires", "30 000,00", "0"],
        ],
    )
    balance = read_trial_balance(content, "balance.xlsx")
    assert {a.number: a.balance for a in balance.accounts} == {
        "606100": Decimal("1200.50"),
        "735100": Decimal("-0.30"),
        "641100": Decimal("30000.00"),
    }
    assert (balance.encoding, balance.separator, balance.lines) == ("classeur Excel", "", 3)


def test_excel_problems_name_the_cell_column_letter():
    content = workbook(
        [["compte", "libelle", "debit", "credit"], ["6061", "x", "beaucoup", 0], ["60A1", "y", 1, 0.123]]
    )
    message = refusal(content, "balance.xlsx")
    assert (
        "ligne 2, colonne C : « beaucoup » n'est pas un montant (chiffres, virgule ou point décimal, deux décimales au plus)"
        in message
    )
    assert "ligne 3, colonne A : « 60A1 » n'est pas un numéro de compte" in message
    assert "ligne 3, colonne D : « 0.123 » n'est pas un montant" in message


@pytest.mark.parametrize(
    "body,problem",
    [
        (
            "6061;Achats;10;0\n6062;Autres;5;0\n6061;Encore;1;0",
            "ligne 4, colonne compte : compte 6061 en double, lignes 2 et 4",
        ),
        ("6061;Achats;dix;0", "ligne 2, colonne debit : « dix » n'est pas un montant"),
        ("6061;Achats;10;1,234", "ligne 2, colonne credit : « 1,234 » n'est pas un montant"),
        (
            "60;Achats;10;0",
            "ligne 2, colonne compte : « 60 » n'est pas un numéro de compte (un numéro de compte s'écrit avec 3 à 20 chiffres, le premier de 1 à 8)",
        ),
        ("906100;Analytique;10;0", "ligne 2, colonne compte : « 906100 » n'est pas un numéro de compte"),
        ("6O61;Achats;10;0", "ligne 2, colonne compte : « 6O61 » n'est pas un numéro de compte"),
    ],
)
def test_a_bad_line_refuses_the_whole_balance(body, problem):
    assert problem in refusal(f"compte;libelle;debit;credit\n{body}\n".encode())


@pytest.mark.parametrize(
    "content,problem",
    [
        (b"", "le fichier est vide"),
        (b"compte;libelle;debit;credit\n", "aucune ligne de compte sous l'en-tête"),
        (
            b"compte;libelle;debit\n6061;x;1\n",
            "ligne 1 : colonne absente credit (en-tête attendu : compte;libelle;debit;credit (et, si vous le souhaitez, solde))",
        ),
        (
            b"compte;libelle;debit;credit;commentaire\n6061;x;1;0;ok\n",
            "ligne 1, colonne commentaire : colonne inconnue « commentaire »",
        ),
        (b"compte;libelle;debit;credit;debit\n6061;x;1;0;1\n", "ligne 1, colonne debit : colonne « debit » en double"),
        (
            b"compte\tlibelle\tdebit\tcredit\n6061\tx\t1\t0\n",
            "ligne 1 : ce fichier n'est pas une balance au format CSV : séparateur « ; » attendu, une tabulation trouvé",
        ),
        (b"compte,libelle,debit,credit\n", "séparateur « ; » attendu, « , » trouvé"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "ancien format Excel (.xls) : enregistrez la balance au format .xlsx ou CSV",
        ),
        (b"%PDF-1.7\n", "ce fichier est un PDF : la balance doit être un fichier CSV ou Excel (.xlsx)"),
        (b"PK\x03\x04 not really a zip", "ce classeur Excel (.xlsx) est illisible ou endommagé"),
    ],
)
def test_files_that_are_not_a_balance_are_refused_in_french(content, problem):
    assert problem in refusal(content)


def test_an_empty_workbook_has_no_header():
    assert "ligne 1 : colonnes absentes compte, libelle, debit, credit" in refusal(workbook([]), "vide.xlsx")


def test_a_quote_never_closed_is_refused_with_its_line():
    content = 'compte;libelle;debit;credit\n606100;"Électricité;1;0\n'.encode() + b"x" * 140000
    assert "ligne illisible (guillemet jamais refermé ou champ démesuré)" in refusal(content)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=800),
        st.binary(max_size=800).map(lambda b: b"PK\x03\x04" + b),
        st.binary(max_size=400).map(lambda b: CSV.encode()[: len(b)] + b),
    )
)
def test_whatever_the_bytes_the_reader_answers_in_french(content):
    try:
        read_trial_balance(content, "fuzz.csv")
    except DataImportError as refused:
        assert "fuzz.csv" in str(refused) and refused.problems


def test_a_csv_balance_mixing_utf8_and_windows_1252_is_refused_naming_the_line():
    content = (
        "compte;libelle;debit;credit\n606100;Électricité;100;0\n".encode()
        + "401000;Fournisseurs d’énergie;0;100\n".encode("cp1252")
    )
    with pytest.raises(DataImportError) as refused:
        read_trial_balance(content, "balance.csv")
    assert refused.value.problems == [
        "ligne 3, colonne libelle : octet 0x92 qui n'est pas de l'UTF-8, alors que le reste du fichier est en UTF-8 : "
        "enregistrez tout le fichier dans un seul encodage, UTF-8 de préférence"
    ]
