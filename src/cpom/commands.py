"""What every ``cpom`` command shares: its help and its argument errors in French, its errors on standard error.

Django builds a command's parser itself (``BaseCommand.create_parser``) with argparse's English words and the
English help of its own options, and offers no hook for the parser's class. :class:`Command` therefore finishes the
parser Django built: French titles and help, and a parser class whose errors speak French. A command of cpom
derives from it instead of ``BaseCommand``.
"""

import io
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser, DjangoHelpFormatter
from django.db import DatabaseError

# The help of the options Django adds to every command, by destination.
BASE_OPTIONS_HELP = {
    "help": "affiche cette aide et s'arrête",
    "version": "affiche la version et s'arrête",
    "verbosity": "niveau de détail des messages : 0 minimal, 1 normal, 2 détaillé, 3 très détaillé",
    "settings": "module Python des réglages (à défaut, la variable DJANGO_SETTINGS_MODULE)",
    "pythonpath": "dossier à ajouter au chemin de recherche de Python",
    "traceback": "affiche la pile d'appels complète quand la commande échoue",
    "no_color": "sortie sans couleurs",
    "force_color": "sortie en couleurs même hors d'un terminal",
    "skip_checks": "saute les vérifications du système",
}

# The placeholders of Django's options that would otherwise be their English destination.
BASE_OPTIONS_METAVAR = {"settings": "MODULE", "pythonpath": "DOSSIER"}

# argparse's messages (Python 3.11), most specific first; the last one keeps a message of cpom after its argument.
ARGPARSE_MESSAGES = (
    (r"the following arguments are required: (.+)", r"arguments obligatoires manquants : \1"),
    (r"one of the arguments (.+) is required", r"l'un des arguments \1 est obligatoire"),
    (r"unrecognized arguments: (.+)", r"arguments non reconnus : \1"),
    (r"ambiguous option: (\S+) could match (.+)", r"option ambiguë : \1 peut désigner \2"),
    (r"argument (.+?): not allowed with argument (.+)", r"argument \1 : incompatible avec \2"),
    (r"argument (.+?): expected one argument", r"argument \1 : une valeur est attendue"),
    (r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)", r"argument \1 : choix invalide \2 (choix : \3)"),
    (r"argument (.+?): invalid int value: (.+)", r"argument \1 : nombre entier attendu au lieu de \2"),
    (r"argument (.+?): invalid \w+ value: (.+)", r"argument \1 : valeur invalide \2"),
    (r"argument (.+?): (.+)", r"argument \1 : \2"),
)


def in_french(message: str) -> str:
    """argparse's English error message in French; a message it does not know is left as it is."""
    for pattern, french in ARGPARSE_MESSAGES:
        if re.fullmatch(pattern, message, flags=re.DOTALL):
            return re.sub(pattern, french, message, count=1, flags=re.DOTALL)
    return message


class FrenchHelpFormatter(DjangoHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class FrenchParser(CommandParser):
    """Django's parser, whose refusals speak French: on the command line, on standard error with exit status 2."""

    def error(self, message):
        message = in_french(message)
        if not self.called_from_command_line:
            raise CommandError(f"Erreur : {message}")
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\n")


def frenchify(parser: CommandParser) -> None:
    """Give ``parser`` and each of its sub-parsers French titles, help and errors."""
    # Same state, other methods: the parser Django built becomes the French one without being rebuilt.
    parser.__class__ = FrenchParser
    parser.formatter_class = FrenchHelpFormatter
    parser._positionals.title = "arguments"
    parser._optionals.title = "options"
    for action in parser._actions:
        if action.dest in BASE_OPTIONS_HELP:
            action.help = BASE_OPTIONS_HELP[action.dest]
        if action.dest in BASE_OPTIONS_METAVAR:
            action.metavar = BASE_OPTIONS_METAVAR[action.dest]
        for child in getattr(action, "choices", None) or {}:
            if isinstance(action.choices, dict) and isinstance(action.choices[child], CommandParser):
                frenchify(action.choices[child])


class Command(BaseCommand):
    """A command of cpom: French help and errors; on the command line, an error is one French line on stderr."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        frenchify(parser)
        return parser

    def execute(self, *args, **options):
        if not getattr(self, "_called_from_command_line", False):
            return super().execute(*args, **options)
        try:
            return super().execute(*args, **options)
        except CommandError as error:
            if options.get("traceback"):
                raise
            self.stderr.write(f"Erreur : {error}")
            sys.exit(error.returncode)
        except DatabaseError as error:
            if options.get("traceback"):
                raise
            # Most often a base never created or not migrated: say what to do rather than print a trace.
            self.stderr.write(
                f"Erreur de la base de données : {error}. La base est-elle créée et à jour (« cpom migrate ») ?"
            )
            sys.exit(1)

    @contextmanager
    def result(self, path: Path | None, *, binary: bool = False) -> Iterator[io.BufferedIOBase]:
        """Where the command writes what it produces: the file named, else standard output.

        A binary format (Excel) reaches standard output only when it is redirected: in a terminal it would be noise.
        """
        if path is not None:
            with open(path, "wb") as handle:
                yield handle
            return
        out = getattr(self.stdout, "_out", self.stdout)
        if binary and (out.isatty() or not hasattr(out, "buffer")):
            raise CommandError("Un classeur Excel s'écrit dans un fichier : nommez-le avec --sortie FICHIER.")
        produced = io.BytesIO()
        yield produced
        if binary:
            out.buffer.write(produced.getvalue())
            out.buffer.flush()
        else:
            self.stdout.write(produced.getvalue().decode("utf-8"), ending="")

    def report(self, message: str, path: Path | None) -> None:
        """A line about the result: on standard error when the result itself went to standard output."""
        (self.stdout if path is not None else self.stderr).write(message)
