"""``cpom finance``: accounting imports, analytical sections, the chart of accounts and national mean costs.

Each action is a sub-parser declared in ``add_arguments`` and a ``do_<action>`` method: adding an action
means adding both. Refusals (ImportRefused, DataImportError) reach the user as a CommandError, in French.
"""

import argparse
import time
from datetime import date, datetime
from pathlib import Path

from django.core.management.base import CommandError

from cpom import commands
from cpom.core.importing import DataImportError
from cpom.core.numbers import count
from cpom.core.text import clean_text, of, the, to
from cpom.finance.accounting import fec, trial_balance
from cpom.finance.accounting import services as imports
from cpom.finance.accounting.grouping import ChartError
from cpom.finance.accounting.services import load_chart_command
from cpom.finance.models import SectionMapping
from cpom.finance.reference.services import ReferenceCostError, mean_cost_command
from cpom.import_slots import ImportsBusy


def _day(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"date invalide « {text} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


class Command(commands.Command):
    help = (
        "Finances : import d'un FEC ou d'une balance générale, sections analytiques, plan de regroupement des comptes, "
        "coûts moyens nationaux."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        entries = actions.add_parser(
            "importer-fec", help="Importe un FEC : les soldes des comptes d'un établissement pour une année."
        )
        self._import_arguments(entries)
        entries.add_argument(
            "--debut-exercice",
            dest="fiscal_start",
            metavar="DATE",
            type=_day,
            help="premier jour de l'exercice s'il ne commence pas le 1er janvier",
        )
        entries.add_argument(
            "--fin-exercice",
            dest="fiscal_end",
            metavar="DATE",
            type=_day,
            help="dernier jour de l'exercice s'il ne finit pas le 31 décembre",
        )
        self._import_arguments(
            actions.add_parser(
                "importer-balance", help="Importe une balance générale (CSV compte;libelle;debit;credit ou Excel)."
            )
        )
        sections = actions.add_parser(
            "sections", help="Sections analytiques : quel établissement chaque section représente."
        )
        operations = sections.add_subparsers(dest="operation", required=True, metavar="OPÉRATION")
        listing = operations.add_parser("lister", help="Liste les sections rattachées (d'un organisme avec --siren).")
        listing.add_argument("--siren", help="SIREN de l'organisme gestionnaire")
        adding = operations.add_parser(
            "ajouter", help="Rattache la section CODE de l'organisme --siren à l'établissement --finess."
        )
        adding.add_argument("code", metavar="CODE", help="code de la section analytique")
        adding.add_argument("--siren", required=True, help="SIREN de l'organisme gestionnaire")
        adding.add_argument("--finess", required=True, help="FINESS de l'établissement")
        adding.add_argument("--libelle", dest="label", metavar="LIBELLE", default="", help="libellé de la section")
        chart = actions.add_parser(
            "charger-plan", help="Charge un plan de regroupement des comptes (le cadre national sans FICHIER)."
        )
        chart.add_argument("file", nargs="?", type=Path, metavar="FICHIER", help="plan propre à une autorité (TOML)")
        chart.add_argument(
            "--autorite",
            dest="authority",
            metavar="ID",
            type=int,
            help="identifiant de l'autorité dont c'est le plan propre",
        )
        cost = actions.add_parser(
            "cout-moyen",
            help="Fixe le coût moyen national à la place d'une catégorie pour une année (vide : le retire).",
        )
        cost.add_argument("category", metavar="CATEGORIE", help="catégorie d'établissement, par exemple MAS")
        cost.add_argument("--annee", dest="year", metavar="AAAA", type=int, required=True, help="année du coût moyen")
        cost.add_argument("value", metavar="MONTANT", help="par exemple « 61 250,00 »")

    @staticmethod
    def _import_arguments(parser):
        parser.add_argument("file", type=Path, metavar="FICHIER", help="le fichier à importer")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--finess", help="FINESS de l'établissement")
        target.add_argument(
            "--section", help="code de la section analytique rattachée à l'établissement (avec --siren)"
        )
        parser.add_argument("--siren", help="SIREN de l'organisme gestionnaire, avec --section")
        parser.add_argument("--annee", dest="year", metavar="AAAA", type=int, required=True, help="année de l'exercice")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "do_" + action.replace("-", "_"))(**options)
        except (imports.ImportRefused, DataImportError, ImportsBusy, ChartError, ReferenceCostError) as error:
            raise CommandError(str(error)) from None

    def do_importer_fec(self, file, year, fiscal_start=None, fiscal_end=None, **options):
        self._import(file, fec.KIND, year, imports.fiscal_year(year, fiscal_start, fiscal_end), **options)

    def do_importer_balance(self, file, year, **options):
        self._import(file, trial_balance.KIND, year, imports.fiscal_year(year), **options)

    def do_charger_plan(self, file=None, authority=None, **options):
        if authority is not None and file is None:
            raise CommandError("--autorite demande le fichier du plan propre à cette autorité.")
        self.stdout.write(load_chart_command(file, authority))

    def do_cout_moyen(self, category, year, value, **options):
        self.stdout.write(mean_cost_command(category, year, value))

    def do_sections(self, operation, **options):
        getattr(self, f"_sections_{operation}")(**options)

    def _sections_lister(self, siren=None, **options):
        sections = SectionMapping.objects.select_related("managing_body", "establishment")
        if siren:
            sections = sections.filter(managing_body=imports.managing_body_for(siren))
        for section in sections:
            label = f" ({section.label})" if section.label else ""
            self.stdout.write(
                f"{section.managing_body.siren}  {section.code:16} → {section.establishment.finess} {section.establishment.name}{label}"
            )
        if not sections:
            self.stdout.write("Aucune section analytique rattachée.")

    def _sections_ajouter(self, code, siren, finess, label="", **options):
        body, establishment = imports.managing_body_for(siren), imports.establishment_for(finess)
        if establishment.managing_body_id != body.pk:
            raise CommandError(
                f"L'établissement {establishment.finess} ({establishment.name}) n'est pas géré par {the(body.name)}."
            )
        section = imports.map_section(establishment, clean_text(code), clean_text(label))
        self.stdout.write(
            self.style.SUCCESS(
                f"Section « {section.code} » {of(body.name)} rattachée {to(establishment.name)} ({establishment.finess})."
            )
        )

    def _import(
        self, file: Path, kind: str, year: int, period: fec.FiscalYear, finess=None, section=None, siren=None, **options
    ):
        establishment = self._establishment(finess, section, siren)
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        progress = self._progress()
        # The name is stored with the import and shown on its report: the same door as an uploaded file's.
        name = clean_text(file.name)
        progress(f"Lecture de {name}…")
        balance = imports.read(file.read_bytes(), name, kind, period, progress)
        for warning in imports.preview(balance, establishment, year).warnings:
            self.stdout.write(self.style.WARNING(f"Attention : {warning}"))
        batch = imports.store(balance, establishment, year)
        self.stdout.write(
            self.style.SUCCESS(
                f"{count(len(imports.accounts_to_store(balance)))} comptes, enregistrés pour {establishment.finess} ({year}) – import n° {batch.pk}."
            )
        )

    @staticmethod
    def _establishment(finess, section, siren):
        if finess:
            return imports.establishment_for(finess)
        if not siren:
            raise CommandError(
                "--section demande --siren : le code d'une section n'a de sens que pour son organisme gestionnaire."
            )
        return imports.section_for(imports.managing_body_for(siren), section).establishment

    def _progress(self):
        started = time.perf_counter()
        return lambda message: self.stdout.write(f"[{time.perf_counter() - started:5.1f} s] {message}")
