"""One convention for every ``cpom`` command: French names, French help, results on stdout, errors on stderr."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError, CommandParser
from django.db import connections

from cpom import commands
from cpom.core.numbers import grouped
from cpom.indicators.models import IndicatorValue

CPOM = str(Path(sys.executable).with_name("cpom"))

OURS = sorted(name for name, app in get_commands().items() if app.startswith("cpom."))

# What argparse and Django write when nobody translates them, and options that would speak English.
ENGLISH_WORDS = (
    "usage:",
    "positional arguments",
    "show this help",
    "Show program's",
    "Verbosity level",
    "Display a full",
)
ENGLISH_OPTIONS = {"--year", "--output", "--file", "--authority", "--label", "--start", "--end", "--force"}


def _parsers(parser: CommandParser, path: str):
    yield path, parser
    for action in parser._actions:
        if isinstance(action.choices, dict):
            for name, child in action.choices.items():
                yield from _parsers(child, f"{path} {name}")


def _all_parsers():
    for name in OURS:
        command = load_command_class(get_commands()[name], name)
        yield from _parsers(command.create_parser("cpom", name), f"cpom {name}")


def test_the_commands_of_cpom_are_named_in_french():
    # « notify » is the name the issue gives to « notifier » for the daily cron, « worker » the one it gives to
    # « travaux » (issue 14, the job queue): the two aliases, each the same command.
    assert OURS == [
        "contrats",
        "demo",
        "diagnostic",
        "finance",
        "indicateurs",
        "notifier",
        "notify",
        "restauration",
        "sauvegarde",
        "suivi",
        "travaux",
        "worker",
    ]


def test_every_command_and_sub_command_helps_in_french():
    seen = 0
    for path, parser in _all_parsers():
        seen += 1
        text = parser.format_help()
        assert text.startswith("utilisation : "), path
        assert not [word for word in ENGLISH_WORDS if word in text], path
        for action in parser._actions:
            # A list of sub-commands is described by each of its sub-commands.
            described = getattr(action, "_choices_actions", None) or [action]
            assert all(each.help for each in described), f"{path} : {action.option_strings or action.dest} sans aide"
            assert not set(action.option_strings) & ENGLISH_OPTIONS, f"{path} : {action.option_strings}"
    assert seen >= 18


def test_an_argument_error_is_french_on_stderr_with_status_2(capsys):
    # In a process of its own, as a person types it: the exit status and the streams are the command line's.
    done = subprocess.run([CPOM, "indicateurs", "calculer", "--annee", "deux-mille"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert (
        "cpom indicateurs calculer : erreur : argument --annee : nombre entier attendu au lieu de 'deux-mille'"
        in done.stderr
    )
    # The same parsing in this process (a process costs a second and a half): argparse stops before any database.
    with pytest.raises(SystemExit) as missing:
        load_command_class("cpom.finance", "finance").run_from_argv(["cpom", "finance", "importer-fec", "fec.txt"])
    assert missing.value.code == 2
    assert "erreur : arguments obligatoires manquants : --annee" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("unrecognized arguments: --year 2025", "arguments non reconnus : --year 2025"),
        (
            "one of the arguments --finess --section is required",
            "l'un des arguments --finess --section est obligatoire",
        ),
        ("argument --finess: not allowed with argument --section", "argument --finess : incompatible avec --section"),
        (
            "argument --format: invalid choice: 'pdf' (choose from csv, xlsx)",
            "argument --format : choix invalide 'pdf' (choix : csv, xlsx)",
        ),
        ("argument --debut-exercice: date invalide « 2025 »", "argument --debut-exercice : date invalide « 2025 »"),
        ("quelque chose d'inattendu", "quelque chose d'inattendu"),
    ],
)
def test_argparse_messages_in_french(english, french):
    assert commands.in_french(english) == french


def test_a_refusal_is_one_french_line_on_stderr_with_a_non_zero_status(db, capsys, monkeypatch):
    monkeypatch.setattr(connections, "close_all", lambda: None)  # the command closes them on exit: not the test's
    command = load_command_class("cpom.contracts", "contrats")
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["cpom", "contrats", "verification", "CPOM-INCONNU"])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "Erreur : Aucun contrat ne porte la référence « CPOM-INCONNU ».\n"


def test_a_result_goes_to_stdout_unless_a_file_is_named(db, tmp_path):
    rows = IndicatorValue.objects.filter(year=2025).count()
    out, err = io.StringIO(), io.StringIO()
    call_command("indicateurs", "exporter", "--annee", "2025", stdout=out, stderr=err)
    lines = out.getvalue().split("\r\n")
    assert lines[0] == "finess;annee;code;valeur;unite;bande" and len(lines) == rows + 2 and lines[-1] == ""
    # The line about the result leaves the result alone: a script can pipe it.
    assert err.getvalue() == f"{grouped(rows, 0)} lignes écrites dans la sortie standard\n"
    named, err = io.StringIO(), io.StringIO()
    call_command(
        "indicateurs", "exporter", "--annee", "2025", "--sortie", str(tmp_path / "i.csv"), stdout=named, stderr=err
    )
    assert (tmp_path / "i.csv").read_bytes().decode("utf-8") == out.getvalue()
    assert named.getvalue() == f"{grouped(rows, 0)} lignes écrites dans {tmp_path / 'i.csv'}\n" and err.getvalue() == ""


def test_a_workbook_is_not_written_on_a_terminal(db):
    with pytest.raises(
        CommandError, match="Un classeur Excel s'écrit dans un fichier : nommez-le avec --sortie FICHIER."
    ):
        call_command("indicateurs", "exporter", "--annee", "2025", "--format", "xlsx", stdout=io.StringIO())


def test_cpom_alone_lists_its_own_commands_first_in_french():
    done = subprocess.run([CPOM, "help"], capture_output=True, text=True)
    assert done.returncode == 0
    ours = done.stdout.split("Commandes de cpom :\n")[1].split("\n\n")[0].split()
    assert ours == OURS
    assert "Commandes de Django et des modules utilisés (aide en anglais) :" in done.stdout
    assert "Type 'cpom help" not in done.stdout
