"""The accounting import service and the `cpom finance` command: balances written all or nothing, who imports what.

(Named test_accounting_imports rather than test_imports: tests/indicators/test_imports.py holds that module
name, and the test folders are not packages.)
"""

import io
import itertools
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cpom.finance import rules
from cpom.finance.accounting import fec, trial_balance
from cpom.finance.accounting import services as imports
from cpom.finance.management.commands.finance import Command
from cpom.finance.models import SectionMapping
from cpom.indicators.models import DataValue, ImportBatch
from cpom.registry.identifiers import finess_with_key
from cpom.registry.models import Establishment

IME = "440005015"
YEAR = 2026  # the demo fills 2021-2025: writes go to a year of their own
HEADER = (
    "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|"
    "EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise"
)
FEC = (
    "\n".join(
        [
            HEADER,
            "AC|Achats|1|20260115|606100|Électricité|||F1|20260115|EDF|1200,50|0,00|||20260120||EUR",
            "AC|Achats|1|20260115|401000|Fournisseurs|||F1|20260115|EDF|0,00|1200,50|||20260120||EUR",
            "VE|Ventes|1|20261231|411000|Usagers|||D1|20261231|Dotation|80000,00|0,00|||20261231||EUR",
            "VE|Ventes|1|20261231|735100|Dotation globale|||D1|20261231|Dotation|0,00|80000,00|||20261231||EUR",
        ]
    )
    + "\n"
)
BALANCES = {
    "compte:401000": Decimal("-1200.50"),
    "compte:411000": Decimal("80000.00"),
    "compte:606100": Decimal("1200.50"),
    "compte:735100": Decimal("-80000.00"),
    # Not yet closed: the year's result, 80 000 − 1 200,50, is brought to 120 as a credit (surplus).
    "compte:120": Decimal("-78799.50"),
}


@pytest.fixture
def ime(db):
    return Establishment.objects.select_related("managing_body").get(finess=IME)


def _balances(finess=IME, year=YEAR) -> dict:
    return {
        v.element: v.value
        for v in DataValue.objects.filter(establishment__finess=finess, year=year, element__startswith="compte:")
    }


def _counts() -> tuple[int, int, int]:
    return DataValue.objects.count(), ImportBatch.objects.count(), SectionMapping.objects.count()


def _file(tmp_path, content, name="fec.txt"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def _run(*args) -> str:
    out = io.StringIO()
    call_command("finance", *map(str, args), stdout=out)
    return out.getvalue()


# --- Writing: replace the establishment-year's balances, nothing else, all or nothing -------------------------------


def test_stored_balances_replace_the_previous_ones_and_leave_other_data(ime, users):
    DataValue.objects.create(establishment=ime, year=YEAR, element="journees_realisees", value=9000)
    DataValue.objects.create(establishment=ime, year=YEAR, element="compte:6288", value=12)
    DataValue.objects.create(establishment=ime, year=YEAR - 1, element="compte:6289", value=7)
    balance = fec.read_fec(FEC.encode(), "fec.txt", fec.FiscalYear.calendar(YEAR))
    batch = imports.store(balance, ime, YEAR, users["asso"])
    assert _balances() == BALANCES
    assert DataValue.objects.get(establishment=ime, year=YEAR, element="journees_realisees").value == 9000
    assert DataValue.objects.filter(establishment=ime, year=YEAR - 1, element="compte:6289").exists()
    assert (batch.file_name, batch.kind, batch.rows, batch.user) == ("fec.txt", "FEC", 4, users["asso"])
    assert set(batch.values.values_list("element", flat=True)) == set(BALANCES)


def test_a_failure_while_writing_leaves_the_previous_balances(ime, monkeypatch):
    DataValue.objects.create(establishment=ime, year=YEAR, element="compte:6288", value=12)
    before = _counts()

    def broken_insert(*args):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(imports, "bulk_insert", broken_insert)
    balance = fec.read_fec(FEC.encode(), "fec.txt", fec.FiscalYear.calendar(YEAR))
    with pytest.raises(RuntimeError):
        imports.store(balance, ime, YEAR)
    assert _balances() == {"compte:6288": Decimal("12")}
    assert _counts() == before


def test_the_preview_writes_nothing_and_says_what_to_check(ime):
    DataValue.objects.create(establishment=ime, year=YEAR, element="compte:6288", value=12)
    text = FEC.replace("|606100|Électricité|", "|609100|Rabais|")
    text += "OD|OD|2|20261231|606200|Fournitures|||X|20261231|Avoir|0,00|50,00|||20261231||\n"
    text += "OD|OD|2|20261231|401000|Fournisseurs|||X|20261231|Avoir|50,00|0,00|||20261231||\n"
    before = _counts()
    preview = imports.preview(fec.read_fec(text.encode(), "f.txt", fec.FiscalYear.calendar(YEAR)), ime, YEAR)
    assert _counts() == before
    assert preview.replaced == 1
    assert preview.warnings[0] == "Le solde de compte déjà enregistré pour IME Les Grands Chênes en 2026 sera remplacé."
    # 606200 has a credit balance: flagged. 609100 is a rebate account, whose sign is never flagged.
    assert "1 compte de charges à solde créditeur, à vérifier : 606200 (−50,00\u00a0€)." in preview.warnings
    assert [(c.code, c.accounts, c.balance) for c in preview.classes] == [
        ("4", 2, Decimal("78849.50")),
        ("6", 2, Decimal("1150.50")),
        ("7", 1, Decimal("-80000.00")),
    ]
    assert preview.result == Decimal("78849.50")
    assert [a.number for a in preview.classes[0].top] == ["411000", "401000"]


def test_a_file_without_expenses_or_income_is_flagged(ime):
    balance = trial_balance.read_trial_balance(
        b"compte;libelle;debit;credit\n512000;Banque;10;0\n102000;Fonds;0;10\n", "b.csv"
    )
    warnings = imports.preview(balance, ime, YEAR).warnings
    assert "Aucun compte de charges (classe 6) dans ce fichier." in warnings
    assert "Aucun compte de produits (classe 7) dans ce fichier." in warnings


# --- Who imports for which establishment --------------------------------------------------------------------------


def test_the_managing_body_imports_for_its_establishments_the_authorities_do_not(ime, users):
    assert rules.may_import(users["asso"], ime)
    assert not rules.may_import(users["ars"], ime)
    assert not rules.may_import(users["ehpad"], ime)
    assert rules.may_import(users["admin"], ime)
    assert set(rules.importable_establishments(users["asso"]).values_list("managing_body_id", flat=True)) == {
        ime.managing_body_id
    }
    assert not rules.importable_establishments(users["cd44"]).exists()


def test_past_imports_are_seen_by_those_who_see_the_establishment(ime, users):
    batch = imports.store(
        trial_balance.read_trial_balance(b"compte;libelle;debit;credit\n606100;x;1;0\n129000;x;1;0\n", "b.csv"),
        ime,
        YEAR,
        users["asso"],
    )
    for username in ("asso", "ars", "cd44", "admin"):
        seen = imports.visible_batches(users[username]).get(pk=batch.pk)
        assert (seen.accounts, seen.year, seen.establishment_id) == (2, YEAR, ime.pk)
    assert not imports.visible_batches(users["ehpad"]).filter(pk=batch.pk).exists()
    report = imports.batch_report(batch)
    assert (report.establishment, report.year, report.balances) == (
        ime,
        YEAR,
        [("129000", Decimal("1.0000")), ("606100", Decimal("1.0000"))],
    )


@pytest.mark.parametrize(
    "start,end,message",
    [
        (date(2026, 7, 1), date(2026, 6, 30), "L'exercice commence le 01/07/2026, après sa fin le 30/06/2026."),
        (
            date(2025, 1, 1),
            date(2025, 12, 31),
            "L'exercice se termine le 31/12/2025 : il doit se terminer en 2026, l'année importée.",
        ),
        (date(2024, 1, 1), date(2026, 6, 30), "Un exercice dure au plus 24 mois."),
    ],
)
def test_a_fiscal_year_of_its_own_is_checked(start, end, message):
    with pytest.raises(imports.ImportRefused, match=re.escape(message)):
        imports.fiscal_year(YEAR, start, end)


def test_fiscal_years():
    assert imports.fiscal_year(YEAR) == fec.FiscalYear(date(2026, 1, 1), date(2026, 12, 31))
    assert imports.fiscal_year(YEAR, date(2025, 7, 1)) == fec.FiscalYear(date(2025, 7, 1), date(2026, 12, 31))
    with pytest.raises(imports.ImportRefused, match="Année invalide « 26 »"):
        imports.fiscal_year(26)


# --- The command line ----------------------------------------------------------------------------------------------


def test_import_fec_reports_progress_and_writes_the_balances(ime, tmp_path):
    out = _run("importer-fec", _file(tmp_path, FEC), "--finess", IME, "--annee", YEAR)
    lines = [line.split("] ", 1)[-1] for line in out.splitlines()]
    assert lines == [
        "Lecture de fec.txt…",
        "Encodage UTF-8, séparateur : barre verticale « | ».",
        "4 lignes lues.",
        "4 lignes contrôlées, 2 écritures équilibrées.",
        "Attention : Le résultat de l'exercice (78\xa0799,50\xa0€) n'est pas encore affecté : il sera porté au compte 120 "
        "(excédent) pour les indicateurs de bilan.",
        f"5 comptes, enregistrés pour 440005015 (2026) – import n° {ImportBatch.objects.latest('pk').pk}.",
    ]
    assert _balances() == BALANCES


def test_import_balance_reads_csv_and_excel(ime, tmp_path):
    out = _run(
        "importer-balance",
        _file(tmp_path, "compte;libelle;debit;credit\n606100;x;12,50;0\n", "b.csv"),
        "--finess",
        IME,
        "--annee",
        YEAR,
    )
    # 606 alone: the deficit it makes is brought to 129, a second balance.
    assert "1 lignes contrôlées." in out and "2 comptes, enregistrés pour 440005015 (2026)" in out
    book = Workbook()
    book.active.append(["compte", "libelle", "debit", "credit"])
    book.active.append([641100, "Salaires", 1000, 0])
    book.save(tmp_path / "b.xlsx")
    out = _run("importer-balance", tmp_path / "b.xlsx", "--finess", IME, "--annee", YEAR)
    assert (
        "Attention : Les 2 soldes de comptes déjà enregistrés pour IME Les Grands Chênes en 2026 seront remplacés."
        in out
    )
    assert _balances() == {"compte:641100": Decimal("1000"), "compte:129": Decimal("1000")}
    assert ImportBatch.objects.latest("pk").kind == "balance générale"


@pytest.mark.parametrize(
    "arguments,message",
    [
        (
            ["--finess", "440005016"],
            "Le numéro FINESS « 440005016 » est invalide : sa clé de contrôle (dernier chiffre) ne correspond pas.",
        ),
        (["--finess", "44000501"], "Le numéro FINESS « 44000501 » doit comporter 9 caractères (il en a 8)."),
        (
            ["--finess", finess_with_key("44099999")],
            f"Aucun établissement n'a le numéro FINESS {finess_with_key('44099999')} dans le référentiel.",
        ),
        (["--section", "IME"], "--section demande --siren"),
        (["--section", "INCONNUE", "--siren", "775671230"], "Le SIREN « 775671230 » est invalide"),
    ],
)
def test_a_wrong_establishment_is_refused_in_french(db, tmp_path, arguments, message):
    before = _counts()
    with pytest.raises(CommandError, match=re.escape(message)):
        _run("importer-fec", _file(tmp_path, FEC), *arguments, "--annee", YEAR)
    assert _counts() == before


def test_a_bad_file_exits_non_zero_with_the_french_error_on_stderr(ime, tmp_path, capsys, monkeypatch):
    path = _file(tmp_path, FEC.replace("|20260115|", "|20261501|", 1))
    before = _counts()
    monkeypatch.setattr(connections, "close_all", lambda: None)  # the command closes them on exit: not the test's
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["cpom", "finance", "importer-fec", str(path), "--finess", IME, "--annee", str(YEAR)])
    assert exited.value.code == 1
    stderr = capsys.readouterr().err
    assert "Fichier fec.txt refusé, rien n'a été importé" in stderr
    assert "ligne 2, colonne EcritureDate : « 20261501 » n'est pas une date AAAAMMJJ" in stderr
    assert _counts() == before


def test_a_file_of_another_year_is_refused(ime, tmp_path):
    with pytest.raises(
        CommandError,
        match=r"ligne 2, colonne EcritureDate : le 15/01/2026 est hors de l'exercice \(du 01/01/2025 au 31/12/2025\)",
    ):
        _run("importer-fec", _file(tmp_path, FEC), "--finess", IME, "--annee", 2025)
    out = _run(
        "importer-fec",
        _file(tmp_path, FEC),
        "--finess",
        IME,
        "--annee",
        2026,
        "--debut-exercice",
        "2025-07-01",
        "--fin-exercice",
        "31/12/2026",
    )
    assert "5 comptes, enregistrés pour 440005015 (2026)" in out


def test_a_missing_file_is_named(ime, tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        _run("importer-fec", tmp_path / "absent.txt", "--finess", IME, "--annee", YEAR)


def test_sections_map_a_managing_body_s_code_to_an_establishment(ime, tmp_path):
    siren = ime.managing_body.siren
    assert _run("sections", "lister") == "Aucune section analytique rattachée.\n"
    out = _run("sections", "ajouter", "--siren", siren, "S-IME", "--finess", IME, "--libelle", "IME Rezé")
    assert (
        out
        == "Section « S-IME » de l'Association Les Chemins de Loire rattachée à l'IME Les Grands Chênes (440005015).\n"
    )
    assert f"{siren}  S-IME            → 440005015 IME Les Grands Chênes (IME Rezé)" in _run(
        "sections", "lister", "--siren", siren
    )
    out = _run("importer-fec", _file(tmp_path, FEC), "--section", "S-IME", "--siren", siren, "--annee", YEAR)
    assert "5 comptes, enregistrés pour 440005015 (2026)" in out
    with pytest.raises(CommandError, match="La section « S-IME » est déjà rattachée à l'IME Les Grands Chênes."):
        _run("sections", "ajouter", "--siren", siren, "S-IME", "--finess", finess_with_key("44000502"))
    with pytest.raises(
        CommandError, match="n'est rattachée à aucun établissement de l'Association Les Chemins de Loire"
    ):
        _run("importer-fec", _file(tmp_path, FEC), "--section", "S-MAS", "--siren", siren, "--annee", YEAR)


def test_a_file_named_with_a_control_character_is_recorded_without_it(ime, tmp_path):
    path = tmp_path / "ecritures\x1b.txt"
    path.write_text(FEC, encoding="utf-8")
    _run("importer-fec", str(path), "--finess", IME, "--annee", YEAR)
    assert ImportBatch.objects.latest("pk").file_name == "ecritures.txt"


def test_a_section_typed_with_a_control_character_is_stored_without_it(ime):
    _run(
        "sections",
        "ajouter",
        "--siren",
        ime.managing_body.siren,
        "S-IME\x1b",
        "--finess",
        IME,
        "--libelle",
        "IME\x07 Rezé",
    )
    assert SectionMapping.objects.filter(code="S-IME", label="IME Rezé", establishment=ime).exists()


def test_a_section_maps_only_to_an_establishment_of_its_managing_body(db):
    ehpad_body = Establishment.objects.get(finess=finess_with_key("49000801")).managing_body
    with pytest.raises(CommandError, match="n'est pas géré par l'EHPAD public Les Tilleuls"):
        _run("sections", "ajouter", "--siren", ehpad_body.siren, "S1", "--finess", IME)


# --- Fuzzing through the command: a refused file changes nothing ---------------------------------------------------

_names = itertools.count()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(st.one_of(st.binary(max_size=600), st.integers(0, len(FEC)).map(lambda n: FEC.encode()[:n] + b"|\xff\n")))
def test_whatever_the_bytes_a_refused_import_leaves_the_database_unchanged(ime, tmp_path, content):
    before, balances = _counts(), _balances()
    path = _file(tmp_path, content, f"fuzz-{next(_names)}.txt")
    try:
        _run("importer-fec", path, "--finess", IME, "--annee", YEAR)
    except CommandError as refused:
        assert path.name in str(refused)
        assert (_counts(), _balances()) == (before, balances)
    else:  # the fuzzer does build a valid FEC now and then
        assert ImportBatch.objects.count() == before[1] + 1


def _accounts(text: bytes):
    return trial_balance.read_trial_balance(b"compte;libelle;debit;credit\n" + text, "b.csv")


def test_the_year_result_is_brought_to_12_before_closing(ime):
    # Expenses 1 000 (606) and 500 (641), income 1 200 (735): a deficit of 300, a debit of account 129.
    balance = _accounts(b"606100;x;1000;0\n641100;x;500;0\n735100;x;0;1200\n512000;x;300;0\n")
    derived = imports.result_account(balance.accounts)
    assert (derived.number, derived.balance) == ("129", Decimal("300"))
    assert (
        "Le résultat de l'exercice (−300,00\xa0€) n'est pas encore affecté : il sera porté au compte 129 (déficit)"
        in " ".join(imports.preview(balance, ime, YEAR).warnings)
    )


def test_a_result_already_in_12_is_taken_as_it_is():
    balance = _accounts(b"606100;x;1000;0\n735100;x;0;1200\n120000;x;0;200\n")
    assert imports.result_account(balance.accounts) is None
    assert len(imports.accounts_to_store(balance)) == 3


def test_a_closed_file_is_flagged(ime):
    # Closing entries have zeroed classes 6 and 7 into 12: the income statement is gone.
    balance = _accounts(b"606100;x;1000;1000\n735100;x;1200;1200\n120000;x;0;200\n512000;x;200;0\n")
    warnings = " ".join(imports.preview(balance, ime, YEAR).warnings)
    assert "le fichier semble contenir les écritures de clôture" in warnings
