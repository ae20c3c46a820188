"""The national recompute of the indicators (every establishment, benchmarked by region) as a job of the queue.

May be retried: it replaces, in one transaction, every value and benchmark of the years it computes
(services._store); a worker killed in the middle leaves the previous figures whole, and running it again completes."""

from cpom.core.refusals import Refused
from cpom.jobs.services import Outcome, Progress, submit

from . import catalogues, services

KIND = "indicators.recompute"
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
