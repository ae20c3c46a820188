"""The nightly computation of the alerts as a job of the queue (« cpom suivi alertes --en-file », the timer's way).

May be retried: each contract's alerts are reconciled with what its figures say (services.compute_for), so a second
run raises nothing twice."""

from cpom.jobs.services import Outcome, Progress, submit

from . import services

KIND = "alerts.nightly"


def ask():
    return submit(KIND, "Alertes du suivi, calcul de nuit", subject="alerts")


def nightly(params: dict, progress: Progress) -> Outcome:
    contracts = list(services.contracts_in_force())
    total, count = services.Reconciled(), 0
    for count, contract in enumerate(contracts, start=1):
        progress(f"Contrat {contract.reference}", count - 1, len(contracts))
        total.add(services.compute_for(contract))
    return Outcome(message=services.summary_text(count, total)[:200])
