"""The FEC reader: every variant of the legal format, every kind of bad file, and fuzzing.

The sample below is a small but complete fiscal year (opening entries, purchases, the dotation globale,
payroll, a payment and the year-end depreciation); its balances are worked out by hand in BALANCES.
"""

import tracemalloc
from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpom.core.formatting import NBSP
from cpom.core.importing import DataImportError
from cpom.core.text import plural
from cpom.finance.accounting import fec
from cpom.finance.accounting.fec import FiscalYear, read_fec

pytestmark = pytest.mark.pure

pytestmark = pytest.mark.pure

YEAR = FiscalYear.calendar(2025)
HEADER = (
    "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|"
    "EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise"
)
LINES = [
    "AN|À-nouveaux|AN1|20250101|512000|Banque|||AN|20250101|Reprise des soldes|15000,00|0,00|||20250115||EUR",
    "AN|À-nouveaux|AN1|20250101|102000|Fonds associatifs|||AN|20250101|Reprise des soldes|0,00|15000,00|||20250115||EUR",
    "AC|Achats|AC1|20250115|606100|Électricité|||F-001|20250112|EDF janvier|1200,50|0,00|||20250120||EUR",
    "AC|Achats|AC1|20250115|401000|Fournisseurs|EDF|Électricité de France|F-001|20250112|EDF janvier|0,00|1200,50|A|20250210|20250120||EUR",
    "VE|Ventes|VE1|20250131|411000|Usagers|||DG-01|20250131|Dotation globale janvier|50000,00|0,00|||20250201||EUR",
    "VE|Ventes|VE1|20250131|735100|Dotation globale de financement|||DG-01|20250131|Dotation globale janvier|0,00|50000,00|||20250201||EUR",
    "PA|Paie|PA1|20250131|641100|Salaires, appointements|||P-01|20250131|Paie janvier|30000,00|0,00|||20250205||EUR",
    "PA|Paie|PA1|20250131|645100|Cotisations à l'URSSAF|||P-01|20250131|Paie janvier|12000,00|0,00|||20250205||EUR",
    "PA|Paie|PA1|20250131|421000|Personnel, rémunérations dues|||P-01|20250131|Paie janvier|0,00|30000,00|||20250205||EUR",
    "PA|Paie|PA1|20250131|431000|Sécurité sociale|||P-01|20250131|Paie janvier|0,00|12000,00|||20250205||EUR",
    "BQ|Banque|BQ1|20250210|401000|Fournisseurs|EDF|Électricité de France|V-001|20250210|Règlement EDF|1200,50|0,00|A|20250210|20250211||EUR",
    "BQ|Banque|BQ1|20250210|512000|Banque|||V-001|20250210|Règlement EDF|0,00|1200,50|||20250211||EUR",
    "OD|Opérations diverses|OD1|20251231|681120|Dotations aux amortissements|||OD-12|20251231|Œuvres d'art, amortissement 350 €|350,25|0,00|||20260115||EUR",
    "OD|Opérations diverses|OD1|20251231|281830|Amortissements des œuvres|||OD-12|20251231|Amortissement|0,00|350,25|||20260115||EUR",
]
# Debit − credit of each account, by hand: the opening entries, then each entry's lines above.
BALANCES = {
    "102000": Decimal("-15000.00"),
    "281830": Decimal("-350.25"),
    "401000": Decimal("0.00"),  # 1 200,50 owed to EDF, then paid
    "411000": Decimal("50000.00"),
    "421000": Decimal("-30000.00"),
    "431000": Decimal("-12000.00"),
    "512000": Decimal("13799.50"),  # 15 000,00 opening − 1 200,50 paid
    "606100": Decimal("1200.50"),
    "641100": Decimal("30000.00"),
    "645100": Decimal("12000.00"),
    "681120": Decimal("350.25"),
    "735100": Decimal("-50000.00"),
}
TOTAL = Decimal("109751.25")  # 15 000 + 1 200,50 + 50 000 + 42 000 + 1 200,50 + 350,25, on each side


def with_direction(line: str) -> str:
    """The Montant / Sens variant of a line: the non-zero amount of columns 12-13, and D or C."""
    fields = line.split("|")
    debit, credit = fields[11], fields[12]
    fields[11:13] = [debit, "D"] if debit != "0,00" else [credit, "C"]
    return "|".join(fields)


def fec_text(lines=LINES, header=HEADER, separator="|", direction=False, newline="\n") -> str:
    if direction:
        header = header.replace("Debit|Credit", "Montant|Sens")
        lines = [with_direction(line) for line in lines]
    return newline.join(row.replace("|", separator) for row in [header, *lines]) + newline


def fec_bytes(encoding="utf-8", **options) -> bytes:
    text = fec_text(**options)
    if encoding == "cp1252":
        text = text.replace("d'art", "d’art")  # a typographic apostrophe: a character only Windows-1252 has
    return text.encode(encoding)


def refusal(content: bytes, name="ecritures.txt", fiscal_year=YEAR) -> str:
    with pytest.raises(DataImportError) as refused:
        read_fec(content, name, fiscal_year)
    message = str(refused.value)
    assert message.startswith(f"Fichier {name} refusé, rien n'a été importé")
    return message


def replace_line(number: int, old: str, new: str) -> bytes:
    """The sample with one change on file line ``number`` (the header is line 1)."""
    lines = list(LINES)
    assert old in lines[number - 2]
    lines[number - 2] = lines[number - 2].replace(old, new, 1)
    return fec_text(lines).encode()


# --- Every variant gives the same balances -------------------------------------------------------------------------


@pytest.mark.parametrize("separator,separator_label", [("|", "barre verticale « | »"), ("\t", "tabulation")])
@pytest.mark.parametrize(
    "encoding,encoding_label",
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 avec BOM"), ("iso-8859-15", "ISO-8859-15"), ("cp1252", "Windows-1252")],
)
@pytest.mark.parametrize("direction", [False, True], ids=["debit-credit", "montant-sens"])
def test_every_variant_gives_the_hand_computed_balances(
    separator, separator_label, encoding, encoding_label, direction
):
    balance = read_fec(fec_bytes(encoding, separator=separator, direction=direction), "ecritures.txt", YEAR)
    assert {a.number: a.balance for a in balance.accounts} == BALANCES
    assert balance.total_debit == balance.total_credit == TOTAL
    assert (balance.encoding, balance.separator) == (encoding_label, separator_label)
    assert (balance.lines, balance.entries, balance.kind) == (14, 6, "FEC")
    assert (balance.first_date, balance.last_date) == (date(2025, 1, 1), date(2025, 12, 31))
    labels = {a.number: a.label for a in balance.accounts}
    assert labels["606100"] == "Électricité" and labels["281830"] == "Amortissements des œuvres"
    assert balance.warnings == []


def test_debit_and_credit_totals_are_kept_per_account():
    bank = next(a for a in read_fec(fec_bytes(), "f.txt", YEAR).accounts if a.number == "512000")
    assert (bank.debit, bank.credit, bank.line) == (Decimal("15000.00"), Decimal("1200.50"), 2)


def test_windows_line_endings_blank_lines_and_padded_fields_are_read_alike():
    lines = list(LINES)
    lines.insert(4, "")
    lines[0] = lines[0].replace("|512000|", "|512000   |").replace("|15000,00|", "|  15000,00|")
    balance = read_fec(fec_text(lines, newline="\r\n").encode() + b"\r\n\r\n", "f.txt", YEAR)
    assert {a.number: a.balance for a in balance.accounts} == BALANCES
    assert balance.lines == 14


def test_amounts_with_a_dot_one_decimal_no_decimal_or_a_sign_are_exact():
    lines = [
        "OD|OD|1|20250301|606100|x|||p|20250301|l|0.1|0|||20250301||",
        "OD|OD|1|20250301|606200|x|||p|20250301|l|0,2|0|||20250301||",
        "OD|OD|1|20250301|401000|x|||p|20250301|l|-1,00|+0,70|||20250301||",
        "OD|OD|1|20250301|512000|x|||p|20250301|l|2||||20250301||",
        "OD|OD|1|20250301|512000|x|||p|20250301|l||0,60|||20250301||",
    ]
    accounts = {a.number: a for a in read_fec(fec_text(lines).encode(), "f.txt", YEAR).accounts}
    assert accounts["606100"].balance == Decimal("0.10") and accounts["606200"].balance == Decimal("0.20")
    assert (accounts["401000"].debit, accounts["401000"].credit) == (Decimal("-1.00"), Decimal("0.70"))
    assert accounts["512000"].balance == Decimal("1.40")


def test_the_legal_column_names_are_read_whatever_their_case_and_order():
    header = HEADER.lower().replace("montantdevise", "Montant")  # the short name some exports give column 17
    balance = read_fec(fec_text(header=header).encode(), "f.txt", YEAR)
    assert {a.number: a.balance for a in balance.accounts} == BALANCES
    swapped = [
        f"{line.split('|')[1]}|{line.split('|')[0]}|" + "|".join(line.split("|")[2:]) for line in [HEADER, *LINES]
    ]
    assert {
        a.number: a.balance for a in read_fec(("\n".join(swapped) + "\n").encode(), "f.txt", YEAR).accounts
    } == BALANCES


def test_sens_also_reads_plus_one_and_minus_one():
    text = fec_text(direction=True).replace("|D|", "|+1|").replace("|C|", "|-1|")
    assert {a.number: a.balance for a in read_fec(text.encode(), "f.txt", YEAR).accounts} == BALANCES


def test_a_fiscal_year_of_its_own_bounds_the_dates():
    july = FiscalYear(date(2024, 7, 1), date(2025, 6, 30))
    lines = [line.replace("|20251231|", "|20250630|") for line in LINES]
    assert len(read_fec(fec_text(lines).encode(), "f.txt", july).accounts) == 12
    lines[-1] = lines[-1].replace("|20250630|", "|20250701|", 1)
    assert (
        "ligne 15, colonne EcritureDate : le 01/07/2025 est hors de l'exercice (du 01/07/2024 au 30/06/2025)"
        in refusal(fec_text(lines).encode(), fiscal_year=july)
    )


def test_a_partial_year_is_read_with_a_warning():
    balance = read_fec(fec_text(LINES[:6]).encode(), "f.txt", YEAR)
    assert balance.warnings == [
        "Les écritures vont du 01/01/2025 au 31/01/2025 : l'exercice (du 01/01/2025 au 31/12/2025) semble incomplet."
    ]


def test_progress_is_reported_stage_by_stage():
    said = []
    read_fec(fec_bytes(), "f.txt", YEAR, progress=said.append)
    assert said == [
        "Encodage UTF-8, séparateur : barre verticale « | ».",
        "14 lignes lues.",
        "14 lignes contrôlées, 6 écritures équilibrées.",
    ]


# --- Bad files: the file, the line, the column, in French ----------------------------------------------------------


@pytest.mark.parametrize(
    "content,problem",
    [
        (
            replace_line(4, "|20250115|", "|20251301|"),
            "ligne 4, colonne EcritureDate : « 20251301 » n'est pas une date AAAAMMJJ",
        ),
        (
            replace_line(4, "|20250115|", "|15/01/2025|"),
            "ligne 4, colonne EcritureDate : « 15/01/2025 » n'est pas une date AAAAMMJJ",
        ),
        (replace_line(4, "|20250115|", "||"), "ligne 4, colonne EcritureDate : « » n'est pas une date AAAAMMJJ"),
        (
            replace_line(4, "|20250115|", "|00000101|"),
            "ligne 4, colonne EcritureDate : le 01/01/0000 est hors de l'exercice",
        ),
        (
            replace_line(15, "|20251231|", "|20260102|"),
            "ligne 15, colonne EcritureDate : le 02/01/2026 est hors de l'exercice (du 01/01/2025 au 31/12/2025)",
        ),
        (
            replace_line(4, "|1200,50|", "|12O0,50|"),
            "ligne 4, colonne Debit : « 12O0,50 » n'est pas un montant (chiffres, virgule décimale, deux décimales au plus, "
            "sans séparateur de milliers)",
        ),
        (replace_line(5, "|1200,50|", "|1 200,50|"), "ligne 5, colonne Credit : « 1 200,50 » n'est pas un montant"),
        (replace_line(4, "|1200,50|", "|1200,505|"), "ligne 4, colonne Debit : « 1200,505 » n'est pas un montant"),
        (
            replace_line(4, "|606100|", "|60A100|"),
            "ligne 4, colonne CompteNum : « 60A100 » n'est pas un numéro de compte (un numéro de compte s'écrit avec 3 à 20 "
            "chiffres, le premier de 1 à 8)",
        ),
        (replace_line(4, "|606100|", "|60|"), "ligne 4, colonne CompteNum : « 60 » n'est pas un numéro de compte"),
        (
            replace_line(4, "|606100|", "|906100|"),
            "ligne 4, colonne CompteNum : « 906100 » n'est pas un numéro de compte",
        ),
        (replace_line(4, "|606100|", "||"), "ligne 4, colonne CompteNum : « » n'est pas un numéro de compte"),
        (
            replace_line(5, "|0,00|1200,50|", "|0,00|1100,50|"),
            f"écriture AC1 du journal AC (lignes 4 à 5) : débit 1{NBSP}200,50{NBSP}€ ≠ crédit 1{NBSP}100,50{NBSP}€",
        ),
        (
            replace_line(4, "AC|Achats|AC1|", "|Achats|AC1|"),
            "ligne 4, colonne JournalCode : la zone est vide (obligatoire dans un FEC)",
        ),
        (replace_line(4, "|AC1|", "||"), "ligne 4, colonne EcritureNum : la zone est vide"),
        (replace_line(4, "|EUR", "|EUR|"), "ligne 4 : 19 champs au lieu de 18 (séparateur : barre verticale « | »)"),
        (replace_line(4, "|EUR", "EUR"), "ligne 4 : 17 champs au lieu de 18"),
    ],
)
def test_a_bad_line_is_named_with_its_column(content, problem):
    assert problem in refusal(content)


def test_every_failing_check_reports_its_first_line():
    lines = list(LINES)
    lines[3] = lines[3].replace("|20250115|", "|20250230|")
    lines[5] = lines[5].replace("|50000,00|", "|50 000,00|")
    lines[8] = lines[8].replace("|421000|", "|42l000|")
    lines[12] = lines[12].replace("|20250210|", "|2025021|", 1)
    message = refusal(fec_text(lines).encode())
    assert message.splitlines()[1:] == [
        "- ligne 7, colonne Credit : « 50 000,00 » n'est pas un montant (chiffres, virgule décimale, deux décimales au plus, "
        "sans séparateur de milliers)",
        "- ligne 5, colonne EcritureDate : « 20250230 » n'est pas une date AAAAMMJJ",
        "- ligne 10, colonne CompteNum : « 42l000 » n'est pas un numéro de compte (un numéro de compte s'écrit avec 3 à 20 "
        "chiffres, le premier de 1 à 8)",
    ]


def test_a_bad_line_far_down_a_large_file_is_named_by_its_number():
    lines = [
        f"OD|OD|{n // 2}|20250301|{'606100' if n % 2 == 0 else '401000'}|x|||p|20250301|l|{'10,00|0,00' if n % 2 == 0 else '0,00|10,00'}|||20250301||"
        for n in range(20000)
    ]
    lines[18231] = lines[18231].replace("|20250301|", "|20251301|", 1)
    assert f"ligne 18{NBSP}233, colonne EcritureDate : « 20251301 » n'est pas une date AAAAMMJJ" in refusal(
        fec_text(lines).encode()
    )


def test_unbalanced_entries_are_counted_beyond_the_first():
    lines = [
        line.replace("|0,00|1200,50|", "|0,00|1200,00|").replace("|0,00|350,25|", "|0,00|350,00|") for line in LINES
    ]
    message = refusal(fec_text(lines).encode())
    assert (
        f"écriture AC1 du journal AC (lignes 4 à 5) : débit 1{NBSP}200,50{NBSP}€ ≠ crédit 1{NBSP}200,00{NBSP}€ (et 2 autres écritures déséquilibrées)"
        in message
    )


def test_a_bad_direction_in_the_montant_sens_variant():
    text = fec_text(direction=True).replace("|1200,50|D|", "|1200,50|X|", 1)
    assert "ligne 4, colonne Sens : « X » n'est pas un sens (D ou C)" in refusal(text.encode())


@pytest.mark.parametrize(
    "header,problem",
    [
        (HEADER.replace("|CompteLib|", "|Libelle|"), "ligne 1 : colonne absente : CompteLib"),
        (HEADER.replace("|CompteLib|", "|Libelle|"), "ligne 1, colonne 6 : colonne inconnue « Libelle » pour un FEC"),
        (HEADER.replace("|Idevise", "|Idevise|Foo"), "ligne 1, colonne 19 : colonne inconnue « Foo » pour un FEC"),
        (HEADER.replace("|CompteLib|", "|CompteNum|"), "ligne 1, colonne 6 : colonne CompteNum en double"),
        (
            HEADER.replace("Debit|Credit", "Montant|Sens").replace("|Sens", "|Sns"),
            "ligne 1 : colonne absente (variante Montant et Sens) : Sens",
        ),
        (HEADER.replace("|Credit|", "|Sens|"), "ligne 1 : colonne absente (variante Montant et Sens) : Montant"),
    ],
)
def test_a_missing_or_unknown_column_is_named(header, problem):
    assert problem in refusal(fec_text(header=header).encode())


def test_a_header_of_many_unknown_columns_lists_fifty_at_most():
    message = refusal(fec_text(header=HEADER + "|x" * 500).encode())
    assert "(liste tronquée)" in message and len(message.splitlines()) == 51


@pytest.mark.parametrize(
    "content,problem",
    [
        (b"", "le fichier est vide"),
        (b"  \r\n\n", "le fichier est vide"),
        (HEADER.encode() + b"\n", "aucune écriture sous la ligne d'en-tête"),
        (
            b"compte;libelle;debit;credit\n6061;x;1;0\n",
            "ligne 1 : ce fichier n'est pas un FEC : sa première ligne doit nommer les 18 colonnes légales",
        ),
        (b"compte;libelle;debit;credit\n6061;x;1;0\n", "séparateur « ; » : est-ce une balance générale ?"),
        (b"Bonjour,\nvoici le FEC.\n", "ligne 1 : ce fichier n'est pas un FEC"),
        (b"a|b|c\n1|2|3\n", "ligne 1 : ce fichier n'est pas un FEC"),
        (
            fec_text().encode("utf-16"),
            "ligne 1 : le fichier est encodé en UTF-16 ; enregistrez-le en UTF-8 ou en ISO-8859-15",
        ),
        (b"PK\x03\x04\x14\x00\x06\x00garbage", "ligne 1 : caractère nul, ce fichier n'est pas un fichier texte"),
        (
            b"\xef\xbb\xbf" + fec_text().encode() + b"AC|\xe9",
            "ligne 16 : caractères invalides alors que le fichier se déclare en UTF-8 (marque BOM)",
        ),
        (
            fec_bytes("cp1252") + b"\x81",
            "ligne 16 : octet 0x81 illisible ; encodage non reconnu (UTF-8, ISO-8859-15 ou Windows-1252 attendus)",
        ),
    ],
)
def test_files_that_are_not_a_fec_are_refused_in_french(content, problem):
    assert problem in refusal(content)


# --- One encoding per file ------------------------------------------------------------------------------------------


def _mixed(*latin_lines: int) -> bytes:
    """The sample in UTF-8, except the given lines (header = 1) saved in ISO-8859-15."""
    lines = fec_text().split("\n")
    return b"\n".join(
        line.encode("iso-8859-15" if number in latin_lines else "utf-8") for number, line in enumerate(lines, start=1)
    )


def test_a_utf8_fec_with_one_latin_1_line_is_refused_naming_the_line_and_zone():
    message = refusal(_mixed(5), "melange.txt")
    assert message == (
        "Fichier melange.txt refusé, rien n'a été importé :\n- ligne 5, colonne CompAuxLib : octet 0xC9 qui n'est pas "
        "de l'UTF-8, alors que le reste du fichier est en UTF-8 : enregistrez tout le fichier dans un seul encodage, "
        "UTF-8 de préférence"
    )


def test_each_latin_1_line_of_a_mixed_fec_is_named_once():
    problems = refusal(_mixed(4, 5, 15), "melange.txt").split("\n- ")[1:]
    assert [p.split(" : ")[0] for p in problems] == [
        "ligne 4, colonne CompteLib",
        "ligne 5, colonne CompAuxLib",
        "ligne 15, colonne JournalLib",
    ]


def test_a_whole_fec_in_iso_8859_15_is_still_read_as_such():
    balance = read_fec(fec_bytes("iso-8859-15"), "f.txt", YEAR)
    assert balance.encoding == "ISO-8859-15" and "Électricité" in {a.label for a in balance.accounts}


# --- The multithreaded reading is the line-by-line reading ----------------------------------------------------------


def _line_by_line(text: str, header, file_name: str):
    """The plain reading polars must match: split on line feeds, one carriage return before it dropped."""
    width = len(header.columns)
    records, numbers = [], []
    for number, raw in enumerate(text.split("\n")[1:], start=2):
        fields = (raw[:-1] if raw.endswith("\r") else raw).split(header.separator)
        if all(field == "" for field in fields):
            continue
        if len(fields) != width:
            raise fec.refuse(
                file_name,
                f"ligne {number} : {plural(len(fields), 'champ')} au lieu de {width} (séparateur : {header.separator_label})",
            )
        records.append(fields)
        numbers.append(number)
    frame = pl.DataFrame(records, schema=dict.fromkeys(header.columns, pl.String), orient="row")
    return frame.with_columns(pl.Series("line", numbers, dtype=pl.UInt32)).select("line", *header.columns)


def _readings(decoded, header) -> list:
    """The frame cpom reads and the line-by-line one, or the refusal each gives.

    Zones are compared as every check reads them, stripped: polars drops a carriage return that ends a zone
    (« AC\\r|… » reads « AC »), the plain split keeps it.
    """
    used = [name for name in header.columns if name in fec.USED_COLUMNS]
    readings = []
    for read in (lambda: fec._frame(decoded, header, "f.txt"), lambda: _line_by_line(decoded.text, header, "f.txt")):
        try:
            readings.append(read().select("line", pl.col(used).fill_null("").str.strip_chars()))
        except DataImportError as refused:
            readings.append(str(refused))
    return readings


def _both_readings(content: bytes):
    decoded = fec.decode(content, "f.txt")
    return _readings(decoded, fec._header(fec._first_line(decoded), "f.txt"))


@pytest.mark.parametrize("direction", [False, True])
def test_the_fast_reading_is_the_line_by_line_reading(direction):
    fast, slow = _both_readings(fec_bytes(direction=direction, newline="\r\n") + b"\r\n")
    assert not isinstance(fast, str) and fast.equals(slow)
    assert fast.height == 14 and fast["line"].to_list() == list(range(2, 16))


def test_a_lone_carriage_return_in_a_label_stays_in_the_label_on_the_fast_reading():
    content = fec_bytes().replace("|Électricité|||".encode(), "|Élec\rtricité|||".encode(), 1)
    fast, slow = _both_readings(content)
    assert not isinstance(fast, str) and fast.equals(slow)
    assert "Élec\rtricité" in fast["CompteLib"].to_list()
    balance = read_fec(content, "f.txt", YEAR)
    assert {a.number: a.balance for a in balance.accounts} == BALANCES


def test_a_line_of_the_wrong_width_is_refused_with_its_number_whatever_the_carriage_returns():
    lines = fec_bytes(newline="\r\n").split(b"\r\n")
    lines[9] = lines[9].rsplit(b"|", 1)[0]  # line 10 loses its last zone
    lines[3] = lines[3].replace(b"Achats", b"Ach\rats")
    fast, slow = _both_readings(b"\r\n".join(lines))
    assert fast == slow
    assert fast.endswith("- ligne 10 : 17 champs au lieu de 18 (séparateur : barre verticale « | »)")


def _large_fec(copies: int) -> bytes:
    """The sample year's lines over and over: every entry still balances, every balance is the sample's × copies."""
    return "\n".join([HEADER, *(LINES * copies)]).encode() + b"\n"


def _python_peak(read) -> int:
    """The peak of memory Python objects (numpy's arrays included) take while ``read`` runs.

    A columnar reading stays within about twice the file; a line-by-line one fills eight times the file or more
    with a string per zone.
    """
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_fec_with_a_lone_carriage_return_stays_on_the_columnar_reading():
    content = _large_fec(4000)
    middle = content.index(b"|Banque|", len(content) // 2)
    content = content[:middle] + b"|Ban\rque|" + content[middle + len(b"|Banque|") :]
    balances = {}
    peak = _python_peak(
        lambda: balances.update({a.number: a.balance for a in read_fec(content, "f.txt", YEAR).accounts})
    )
    assert balances == {number: balance * 4000 for number, balance in BALANCES.items()}
    assert peak < 3 * len(content), f"{peak / 2**20:.0f} MB of Python objects: the file was read line by line"


def test_a_short_line_near_the_end_of_a_large_fec_is_refused_with_its_number_without_a_line_by_line_reading():
    lines = [HEADER, *(LINES * 4000)]
    lines[-3] = lines[-3].rsplit("|", 1)[0]
    content = "\n".join(lines).encode()
    messages = []

    def read():
        with pytest.raises(DataImportError) as refused:
            read_fec(content, "f.txt", YEAR)
        messages.append(str(refused.value))

    peak = _python_peak(read)
    assert messages[0].endswith(f"- ligne 55{NBSP}999 : 17 champs au lieu de 18 (séparateur : barre verticale « | »)")
    assert peak < 3 * len(content)


def test_a_line_too_wide_by_empty_zones_is_refused_even_when_a_short_line_makes_up_the_count():
    lines = fec_bytes().split(b"\n")
    lines[2] += b"|"  # line 3: a nineteenth, empty zone
    lines[4] = lines[4].rsplit(b"|", 1)[0]  # line 5: seventeen zones, so the file has the right number of separators
    message = refusal(b"\n".join(lines))
    assert message.endswith("- ligne 3 : 19 champs au lieu de 18 (séparateur : barre verticale « | »)")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.lists(st.sampled_from(["", "a", "1,00", "\r", " ", "é"]), min_size=0, max_size=6).map("|".join),
            st.sampled_from(["", "\r", "|", "|||", "a|b|c|d", "a|b|c|d\r", "a|b|c|d\r\r", "||||\r"]),
        ),
        max_size=8,
    ),
    st.booleans(),
)
def test_any_arrangement_of_lines_reads_as_the_line_by_line_reading(lines, final_newline):
    header = "JournalCode|EcritureNum|CompteNum|Debit"
    text = "\n".join([header, *lines]) + ("\n" if final_newline else "")
    narrow = fec.Header("|", ["JournalCode", "EcritureNum", "CompteNum", "Debit"], False)
    fast, slow = _readings(fec.decode(text.encode(), "f.txt"), narrow)
    assert type(fast) is type(slow)
    assert fast == slow if isinstance(fast, str) else fast.equals(slow)


# --- Fuzzing: whatever the bytes, a French refusal with a place, or balances ----------------------------------------

VALID = fec_bytes()


def _read_or_refuse(content: bytes):
    try:
        return read_fec(content, "fuzz.txt", YEAR)
    except DataImportError as refused:
        message = str(refused)
        assert "fuzz.txt" in message and refused.problems
        assert all(
            ("ligne" in p) or ("écriture" in p) or ("fichier" in p) or ("montants" in p) for p in refused.problems
        ), message
        return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_reader(content):
    _read_or_refuse(content)


def _mutations():
    position = st.integers(min_value=0, max_value=len(VALID))
    truncated = position.map(lambda n: VALID[:n])
    flipped = st.lists(st.tuples(position, st.integers(0, 255)), min_size=1, max_size=8).map(
        lambda changes: bytes(dict(changes).get(n, byte) for n, byte in enumerate(VALID))
    )
    inserted = st.lists(
        st.tuples(position, st.sampled_from([b"|", b"\t", b"\n", b"\r", b"\r\n", b"\n\n", b";", b",", b" ", b"\xe9"])),
        min_size=1,
        max_size=6,
    ).map(lambda changes: _insert(VALID, changes))
    # A zone rewritten with characters that parse half-way: dates of year 0, amounts with signs, spaces, dots.
    zone = st.sampled_from(["20250115", "1200,50", "606100", "AC1", "D"])
    rewritten = st.tuples(zone, st.text(alphabet="0123456789+-,. DC", max_size=16)).map(
        lambda change: VALID.replace(change[0].encode(), change[1].encode(), 1)
    )
    return st.one_of(truncated, flipped, inserted, rewritten)


def _insert(content: bytes, changes) -> bytes:
    for position, piece in sorted(changes, reverse=True):
        content = content[:position] + piece + content[position:]
    return content


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_mutated_files_are_read_or_refused_and_both_readings_agree(content):
    balance = _read_or_refuse(content)
    if balance is not None:
        assert balance.total_debit == balance.total_credit
    try:
        fast, slow = _both_readings(content)
    except DataImportError:
        return  # refused before any line is read: encoding or header
    assert type(fast) is type(slow), "the two readings disagree on whether the lines have the header's width"
    assert fast == slow if isinstance(fast, str) else fast.equals(slow)
