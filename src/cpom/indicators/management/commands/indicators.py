import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cpom.core.importing import DataImportError
from cpom.import_slots import ImportsBusy
from cpom.indicators import catalogues, importers, services
from cpom.indicators.models import DataElement
from cpom.registry.models import Authority, Establishment


class Command(BaseCommand):
    help = "Indicateurs : catalogue, import des données, calcul, comparaison et export."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("elements", help="Liste les codes des données élémentaires.")
        load = actions.add_parser("load-catalogue", help="Charge le catalogue national, ou le fichier TOML donné.")
        load.add_argument("file", nargs="?", type=Path)
        load.add_argument("--autorite", type=int, help="Identifiant de l'autorité propriétaire du catalogue.")
        data = actions.add_parser("import-data", help="Importe un CSV long (finess;annee;element;valeur) ou un modèle Excel.")
        data.add_argument("file", type=Path)
        template = actions.add_parser("template", help="Génère le modèle Excel de saisie d'un établissement.")
        template.add_argument("--finess", required=True)
        template.add_argument("--annee", type=int, required=True)
        template.add_argument("--sortie", type=Path, required=True)
        compute = actions.add_parser("compute", help="Calcule tous les indicateurs et les références de comparaison.")
        compute.add_argument("--year", type=int, action="append", help="Année (répétable) ; toutes si omise.")
        export = actions.add_parser("export", help="Exporte les valeurs d'une année (finess;annee;code;valeur;unite;bande).")
        export.add_argument("--year", type=int, required=True)
        export.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        export.add_argument("--output", type=Path)

    def handle(self, *args, action, **options):
        handler = getattr(self, "do_" + action.replace("-", "_"))
        handler(**options)

    def do_elements(self, **options):
        for element in DataElement.objects.order_by("code"):
            self.stdout.write(f"{element.code:32} {element.unit:12} {element.label}")
        self.stdout.write(f"{'compte:<numéro>':32} {'euros':12} Solde débit − crédit d'un compte (ex. compte:6411)")

    def do_load_catalogue(self, file=None, autorite=None, **options):
        try:
            if file is None:
                loaded = catalogues.load_national()
            else:
                authority = Authority.objects.get(pk=autorite) if autorite else None
                catalogues.load_elements()
                loaded = [catalogues.load_catalogue(file, authority)]
        except (catalogues.CatalogueError, Authority.DoesNotExist, FileNotFoundError) as error:
            raise CommandError(str(error)) from None
        for catalogue in loaded:
            self.stdout.write(f"{catalogue} : {catalogue.indicators.count()} indicateurs")

    def do_import_data(self, file, **options):
        if not file.exists():
            raise CommandError(f"Fichier introuvable : {file}")
        self.stdout.write(f"Lecture de {file.name}…")
        try:
            report = importers.import_file(file)
        except (DataImportError, ImportsBusy) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(
            f"{report.created + report.updated} valeurs importées ({report.created} nouvelles, {report.updated} remplacées)."
        ))

    def do_template(self, finess, annee, sortie, **options):
        try:
            establishment = Establishment.objects.get(finess=finess)
        except Establishment.DoesNotExist:
            raise CommandError(f"Établissement inconnu : {finess}") from None
        importers.template_workbook(establishment, annee).save(sortie)
        self.stdout.write(f"Modèle écrit dans {sortie}")

    def do_compute(self, year=None, **options):
        catalogues.load_national()
        started = time.perf_counter()

        def progress(step):
            self.stdout.write(f"[{time.perf_counter() - started:6.1f} s] {step}")

        summary = services.compute_and_store(year, progress)
        if not summary.years:
            raise CommandError("Aucune donnée à calculer : importez d'abord des données (cpom indicators import-data).")
        self.stdout.write(self.style.SUCCESS(
            f"{summary.values} valeurs pour {', '.join(map(str, summary.years))} : {summary.computable} calculées, "
            f"{summary.values - summary.computable} non calculables, {summary.flagged} à vérifier ; "
            f"{summary.benchmarks} références de comparaison ({summary.seconds:.1f} s)."
        ))

    def do_export(self, year, format, output=None, **options):
        output = output or Path(f"indicateurs-{year}.{format}")
        count = services.export(year, format, output)
        self.stdout.write(f"{count} lignes écrites dans {output}")
