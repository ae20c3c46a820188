import time
from pathlib import Path

from django.core.management.base import CommandError

from cpom import commands
from cpom.core.importing import DataImportError
from cpom.core.text import agreed, plural
from cpom.import_slots import ImportsBusy
from cpom.indicators import catalogues, importers, jobs, services
from cpom.indicators.models import DataElement
from cpom.registry.models import Authority, Establishment

OUTPUT_HELP = "fichier à écrire ; à défaut, la sortie standard (redirigée pour un classeur Excel)"


class Command(commands.Command):
    help = "Indicateurs : catalogue, import des données, calcul, comparaison et export."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("donnees", help="Liste les codes des données élémentaires.")
        load = actions.add_parser("charger-catalogue", help="Charge le catalogue national, ou le fichier TOML donné.")
        load.add_argument(
            "file", nargs="?", type=Path, metavar="FICHIER", help="catalogue propre à une autorité (TOML)"
        )
        load.add_argument(
            "--autorite",
            dest="authority",
            metavar="ID",
            type=int,
            help="identifiant de l'autorité propriétaire du catalogue",
        )
        data = actions.add_parser(
            "importer-donnees", help="Importe un CSV long (finess;annee;element;valeur) ou un modèle Excel."
        )
        data.add_argument("file", type=Path, metavar="FICHIER", help="le fichier CSV ou Excel à importer")
        data.add_argument(
            "--en-file",
            dest="queued",
            action="store_true",
            help="confie l'import à « cpom worker » (un gros fichier ; le worker le lit là où il est)",
        )
        template = actions.add_parser("modele", help="Écrit le modèle Excel de saisie d'un établissement.")
        template.add_argument("--finess", required=True, help="FINESS de l'établissement")
        template.add_argument(
            "--annee", dest="year", metavar="AAAA", type=int, required=True, help="année des données à saisir"
        )
        template.add_argument("--sortie", dest="output", type=Path, metavar="FICHIER", help=OUTPUT_HELP)
        compute = actions.add_parser("calculer", help="Calcule tous les indicateurs et les références de comparaison.")
        compute.add_argument(
            "--annee",
            dest="year",
            metavar="AAAA",
            type=int,
            action="append",
            help="année (répétable) ; toutes si omise",
        )
        compute.add_argument(
            "--en-file",
            dest="queued",
            action="store_true",
            help="confie le calcul à « cpom worker » au lieu de le faire ici (la page des travaux en suit l'avancement)",
        )
        export = actions.add_parser(
            "exporter", help="Exporte les valeurs d'une année (finess;annee;code;valeur;unite;bande)."
        )
        export.add_argument("--annee", dest="year", metavar="AAAA", type=int, required=True, help="année à exporter")
        export.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="csv (par défaut) ou xlsx")
        export.add_argument("--sortie", dest="output", type=Path, metavar="FICHIER", help=OUTPUT_HELP)

    def handle(self, *args, action, **options):
        handler = getattr(self, "do_" + action.replace("-", "_"))
        handler(**options)

    def do_donnees(self, **options):
        for element in DataElement.objects.order_by("code"):
            self.stdout.write(f"{element.code:32} {element.unit:12} {element.label}")
        self.stdout.write(f"{'compte:<numéro>':32} {'euros':12} Solde débit − crédit d'un compte (ex. compte:6411)")

    def do_charger_catalogue(self, file=None, authority=None, **options):
        try:
            if file is None:
                loaded = catalogues.load_national()
            else:
                authority = Authority.objects.get(pk=authority) if authority else None
                catalogues.load_elements()
                loaded = [catalogues.load_catalogue(file, authority)]
        except (catalogues.CatalogueError, Authority.DoesNotExist, FileNotFoundError) as error:
            raise CommandError(str(error)) from None
        for catalogue in loaded:
            self.stdout.write(f"{catalogue} : {catalogue.indicators.count()} indicateurs")

    def do_importer_donnees(self, file, queued=False, **options):
        if not file.exists():
            raise CommandError(f"Fichier introuvable : {file}")
        if queued:
            job = jobs.ask_import(file)
            self.stdout.write(f"Import confié à la file d'attente : travail n° {job.pk} (« cpom worker » l'exécute).")
            return
        self.stdout.write(f"Lecture de {file.name}…")
        try:
            report = importers.import_file(file)
        except (DataImportError, ImportsBusy) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.created + report.updated} valeurs importées ({report.created} nouvelles, {report.updated} remplacées)."
            )
        )

    def do_modele(self, finess, year, output=None, **options):
        try:
            establishment = Establishment.objects.get(finess=finess)
        except Establishment.DoesNotExist:
            raise CommandError(f"Établissement inconnu : {finess}") from None
        with self.result(output, binary=True) as handle:
            importers.template_workbook(establishment, year).save(handle)
        self.report(f"Modèle écrit dans {output or 'la sortie standard'}", output)

    def do_calculer(self, year=None, queued=False, **options):
        if queued:
            job = jobs.ask(year)
            self.stdout.write(f"Calcul confié à la file d'attente : travail n° {job.pk} (« cpom worker » l'exécute).")
            return
        catalogues.load_national()
        started = time.perf_counter()

        def progress(step):
            self.stdout.write(f"[{time.perf_counter() - started:6.1f} s] {step}")

        summary = services.compute_and_store(year, progress)
        if not summary.years:
            raise CommandError(jobs.NOTHING_TO_COMPUTE)
        self.stdout.write(self.style.SUCCESS(jobs.summary_line(summary)))

    def do_exporter(self, year, format, output=None, **options):
        with self.result(output, binary=format == "xlsx") as handle:
            count = services.export(year, format, handle)
        self.report(f"{plural(count, 'ligne')} {agreed(count, 'écrite')} dans {output or 'la sortie standard'}", output)
