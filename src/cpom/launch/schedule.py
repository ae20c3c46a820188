"""The backward schedule (rétroplanning) of a contract's launch, computed from the target signature date.

The steps are the 9 of the ARS Pays de la Loire note de cadrage (seed 000 L860-870), with the consultations and the
signatures the sources place between its steps 8 and 9 (seed 002 L411, seed 004 L475, seed 000 L62; order in
seed-contract-followup §2.2). The sources give two durations: the diagnostic is sent « dans le mois qui suit les
étapes 2 et 3 » (30 days) and the objective sheets « dans les 2 semaines qui suivent » the meeting of step 5 (14 days);
every other duration is SILENT and comes from the settings (``CPOM_LAUNCH``, per authority).

Each step ends where the next one starts and the last ends on the target signature date: :func:`plan` walks back
from the target. :func:`compare` sets each step beside what happened (a done date, said by a person or proved by the
contract's lifecycle) and says which are late on a given day. Plain computation, no Django.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

MANAGING_BODY = "managing_body"
AUTHORITY = "authority"
BOTH = "both"
CO_SIGNATORIES = "co_signatories"
LEAD = "lead"

ACTOR_LABELS = {
    MANAGING_BODY: "Organisme gestionnaire",
    AUTHORITY: "Autorité cheffe de file",
    BOTH: "Conjointement",
    CO_SIGNATORIES: "Autorités cosignataires",
}


@dataclass(frozen=True)
class Step:
    code: str
    number: str  # the step's number in the note de cadrage, "" for a step the sources place between two of them
    label: str
    actor: str  # MANAGING_BODY, AUTHORITY, BOTH or CO_SIGNATORIES
    default_days: int
    source: str  # where the duration comes from; « SILENT » when the sources give none (then a setting)
    proved_by_state: str = ""  # the lifecycle state whose reaching proves the step done, "" when none does

    @property
    def title(self) -> str:
        return f"{self.number}. {self.label}" if self.number else self.label

    @property
    def sourced(self) -> bool:
        return self.source != "SILENT"


# In the order of the procedure. The signatures come last, in the order the parties sign (CPOM_SIGNATURE_ORDER).
STEPS = (
    Step(
        "referral",
        "1",
        "Saisine de l'autorité par l'organisme gestionnaire ou proposition par l'autorité",
        BOTH,
        15,
        "SILENT",
        "programmed",
    ),
    Step(
        "template",
        "2",
        "Transmission par l'autorité de la trame de contrat et du guide de la contractualisation",
        AUTHORITY,
        15,
        "SILENT",
        "launched",
    ),
    Step("calendar", "3", "Fixation conjointe d'un calendrier de travail", BOTH, 15, "SILENT", "launched"),
    Step(
        "diagnostic",
        "4",
        "Renseignement par l'organisme gestionnaire et transmission à l'autorité du diagnostic",
        MANAGING_BODY,
        30,
        "seed 000 L865 : « dans le mois qui suit les étapes 2 et 3 »",
        "negotiation",
    ),
    Step(
        "diagnostic_meeting",
        "5",
        "Validation du diagnostic partagé et première proposition des objectifs (réunion de 1h30 à 2h)",
        BOTH,
        15,
        "SILENT",
        "negotiation",
    ),
    Step(
        "objective_sheets",
        "6",
        "Transmission des fiches d'objectifs finalisées par l'organisme gestionnaire",
        MANAGING_BODY,
        14,
        "seed 000 L867 : « dans les 2 semaines qui suivent »",
        "ready_for_signature",
    ),
    Step(
        "objectives_meeting",
        "7",
        "Validation des objectifs et échanges sur les moyens (réunion de 1h30 à 2h)",
        BOTH,
        21,
        "SILENT",
        "ready_for_signature",
    ),
    Step(
        "final_document",
        "8",
        "Transmission du document finalisé par l'autorité pour signature à l'organisme gestionnaire",
        AUTHORITY,
        15,
        "SILENT",
        "in_signature",
    ),
    Step(
        "consultations",
        "",
        "Consultations réglementaires : conseil de la vie sociale et instances représentatives du personnel",
        MANAGING_BODY,
        30,
        "SILENT",
        "signed",
    ),
    Step(
        "board",
        "",
        "Délibération du conseil d'administration de l'organisme gestionnaire",
        MANAGING_BODY,
        15,
        "SILENT",
        "signed",
    ),
    Step("managing_body_signature", "", "Signature de l'organisme gestionnaire", MANAGING_BODY, 7, "SILENT", "signed"),
    Step("co_signature", "", "Signature des autorités cosignataires", CO_SIGNATORIES, 7, "SILENT", "signed"),
    Step("lead_signature", "9", "Signature de l'autorité cheffe de file", AUTHORITY, 7, "SILENT", "signed"),
)
STEP_CODES = {step.code: step for step in STEPS}
SIGNATURE_STEPS = {MANAGING_BODY: "managing_body_signature", CO_SIGNATORIES: "co_signature", LEAD: "lead_signature"}


def steps_for(durations: Mapping[str, int], signature_order: Sequence[str], co_signatories: bool) -> list[Step]:
    """The steps of one contract with its durations: the signatures in ``signature_order`` (« managing_body »,
    « co_signatories », « lead »), the co-signatories' only when the contract has some."""
    signatures = [SIGNATURE_STEPS[party] for party in signature_order if party in SIGNATURE_STEPS]
    signatures = [code for code in signatures if co_signatories or code != "co_signature"]
    before = [step for step in STEPS if step.code not in SIGNATURE_STEPS.values()]
    chosen = before + [STEP_CODES[code] for code in signatures]
    return [_with_days(step, durations.get(step.code, step.default_days)) for step in chosen]


def _with_days(step: Step, days: int) -> Step:
    if days < 1:
        raise ValueError(f"La durée de l'étape « {step.label} » doit être d'au moins un jour (reçu : {days}).")
    return Step(step.code, step.number, step.label, step.actor, days, step.source, step.proved_by_state)


@dataclass(frozen=True)
class PlannedStep:
    step: Step
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def plan(target: date, steps: Sequence[Step]) -> list[PlannedStep]:
    """Backward from ``target``: the last step ends on it, each step ends where the next starts."""
    planned = []
    end = target
    for step in reversed(steps):
        start = end - timedelta(days=step.default_days)
        planned.append(PlannedStep(step, start, end))
        end = start
    return list(reversed(planned))


DONE, DONE_LATE, LATE, CURRENT, UPCOMING = "done", "done_late", "late", "current", "upcoming"
STATUS_LABELS = {
    DONE: "Fait",
    DONE_LATE: "Fait en retard",
    LATE: "En retard",
    CURRENT: "En cours",
    UPCOMING: "À venir",
}


@dataclass(frozen=True)
class Progress:
    planned: PlannedStep
    done_on: date | None
    status: str
    days_late: int  # after the planned end: the delay of a step done late, or how late an open step is today

    @property
    def is_late(self) -> bool:
        return self.status == LATE

    @property
    def status_label(self) -> str:
        if self.status in (LATE, DONE_LATE):
            return f"{STATUS_LABELS[self.status]} ({self.days_late} j)"
        return STATUS_LABELS[self.status]


def status_of(planned: PlannedStep, done_on: date | None, today: date) -> tuple[str, int]:
    if done_on is not None:
        late = (done_on - planned.end).days
        return (DONE_LATE, late) if late > 0 else (DONE, 0)
    if today > planned.end:
        return LATE, (today - planned.end).days
    return (CURRENT, 0) if today >= planned.start else (UPCOMING, 0)


def compare(planned: Sequence[PlannedStep], done: Mapping[str, date], today: date) -> list[Progress]:
    """Each planned step beside its done date (``done`` by step code), its status on ``today``."""
    rows = []
    for item in planned:
        done_on = done.get(item.step.code)
        status, days_late = status_of(item, done_on, today)
        rows.append(Progress(item, done_on, status, days_late))
    return rows


def late(progress: Sequence[Progress]) -> list[Progress]:
    return [row for row in progress if row.is_late]
