"""The indicators' long work as jobs of the queue.

The national recompute (every establishment, benchmarked by region) may be retried: it replaces, in one
transaction, every value and benchmark of the years it computes (services._store); a worker killed in the middle
leaves the previous figures whole, and running it again completes.

A large data file (« cpom indicateurs importer-donnees FICHIER --en-file ») is not retried: an import is recorded in
the audit with what it replaced, once; it is all-or-nothing (importers.store is one transaction)."""

from pathlib import Path

from cpom.core.importing import DataImportError
from cpom.core.refusals import Refused
from cpom.import_slots import ImportsBusy
from cpom.jobs.services import Outcome, Progress, submit

from . import catalogues, importers, services

KIND = "indicators.recompute"
IMPORT_KIND = "indicators.import"
# The steps compute_and_store announces, and the end.
STEPS = 5
NOTHING_TO_COMPUTE = "Aucune donnée à calculer : importez d'abord des données (cpom indicateurs importer-donnees)."


def ask(years: list[int] | None, user=None):
    which = ", ".join(map(str, years)) if years else "toutes les années"
    return submit(KIND, f"Calcul des indicateurs ({which})", {"years": years or None}, subject="indicators", user=user)


def summary_line(summary: services.ComputeSummary) -> str:
    return (
        f"{summary.values} valeurs pour {', '.join(map(str, summary.years))} : {summary.computable} calculées, "
        f"{summary.values - summary.computable} non calculables, {summary.flagged} à vérifier ; "
        f"{summary.benchmarks} références de comparaison ({summary.seconds:.1f} s)."
    )


def recompute(params: dict, progress: Progress) -> Outcome:
    catalogues.load_national()
    done = iter(range(STEPS))
    summary = services.compute_and_store(params.get("years"), lambda step: progress(step, next(done), STEPS))
    if not summary.years:
        raise Refused(NOTHING_TO_COMPUTE)
    return Outcome(
        message=summary_line(summary)[:200],
        data={"years": summary.years, "values": summary.values, "benchmarks": summary.benchmarks},
    )


def ask_import(path: Path):
    path = path.resolve()
    return submit(IMPORT_KIND, f"Import des données de {path.name}", {"path": str(path)}, subject="indicators")


def import_data(params: dict, progress: Progress) -> Outcome:
    path = Path(params["path"])
    progress(f"Lecture de {path.name}")
    try:
        report = importers.import_file(path)
    except FileNotFoundError:
        raise Refused(f"Fichier introuvable : {path} (le worker lit le fichier là où la commande l'a donné).") from None
    except (DataImportError, ImportsBusy) as error:
        raise Refused(str(error)) from None
    return Outcome(
        message=f"{report.created + report.updated} valeurs importées ({report.created} nouvelles, "
        f"{report.updated} remplacées).",
        data={"created": report.created, "updated": report.updated},
    )
