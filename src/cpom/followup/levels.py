"""The level of achievement a follow-up line proposes (R / NR / EC), and why, in one French sentence.

The sources give the three levels (« R : réalisé, NR : non réalisé, EC : en cours », seed 000 L1039) but no formula
(SILENT, seed-contract-followup §4.6 and §8.4): cpom proposes a level by the rule below, and a person confirms it.

Words. N is the contract's first year (``start_year``); a line is due at an offset (its objective's échéance, N to
N+4); a campaign reviews one closed financial year, at the offset ``reviewed_year − start_year``. Targets and
values are the normalised strings of ``cpom.objectives.values`` (numbers « 95 » or « 9,5 », dates « 30/06/2026 »,
« oui » / « non », free text).

The rule.

1. The target is the one of the due year, or else the last one set before it. No target, a target that is free
   text or that does not read as the indicator's type (« Conformité à l'agrément » for a percentage), an indicator
   whose values are text: EC, « à apprécier », a person decides.
2. A value meets a target according to the indicator's direction and tolerance (same unit as the value; days for a
   date): « higher » met when value ≥ target − tolerance, « lower » when value ≤ target + tolerance, « none » when
   |value − target| ≤ tolerance; a date is met when the thing was done by the target date (+ tolerance days); a
   yes/no when it is the target's answer.
3. Due year reached (the reviewed year is the due year or later): the due year's value meets the target → R, it
   does not → NR; the due year's value is missing → EC, « à apprécier » (a person decides with what is known).
   A date target is judged as soon as it is known: done by the target date → R, done late or the target date
   passed without it → NR, at any campaign.
4. Before the due year: EC, with the trend.
   - « on track » when the year's own target (an intermediate target set for the reviewed offset) is met, or, without
     one, when the value is at least as good as the straight path from the baseline (the situation at signature,
     taken at offset −1) to the target at the due year; without a baseline, when the value moved toward the target
     since the year before, or already meets it;
   - « off track » otherwise; no value for the reviewed year (or nothing to compare it with): no trend, said so.
   - A yes/no already at its target's answer is on track; not yet, no trend (it is not late before its due year).

The module imports nothing of Django: the rule is tested alone (hypothesis, ``-m pure``).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from cpom.core.numbers import NBSP, plain, read_decimal

REALISED = "R"
NOT_REALISED = "NR"
IN_PROGRESS = "EC"
LEVEL_LABELS = {REALISED: "réalisé", NOT_REALISED: "non réalisé", IN_PROGRESS: "en cours"}

ON_TRACK = "on_track"
OFF_TRACK = "off_track"
TRACK_LABELS = {ON_TRACK: "en bonne voie", OFF_TRACK: "en retard sur la trajectoire"}

NUMERIC_TYPES = ("number", "percentage")
TO_APPRECIATE = "à apprécier"

DUE_LABELS = ["N", "N+1", "N+2", "N+3", "N+4"]


@dataclass(frozen=True)
class LineFacts:
    """What the rule reads of one grid line."""

    value_type: str
    direction: str
    tolerance: Decimal
    baseline: str
    targets: dict[int, str]
    values: dict[int, str]  # by calendar year, normalised; a missing year is absent or empty
    start_year: int
    due_offset: int
    reviewed_year: int
    unit: str = ""


@dataclass(frozen=True)
class Assessment:
    level: str
    track: str = ""
    explanation: str = ""
    needs_person: bool = field(default=False)

    @property
    def label(self) -> str:
        text = LEVEL_LABELS[self.level]
        return f"{text}, {TRACK_LABELS[self.track]}" if self.track else text


def due_label(offset: int, start_year: int) -> str:
    """« N+2 (2026) »."""
    return f"{DUE_LABELS[offset] if 0 <= offset < len(DUE_LABELS) else f'N+{offset}'} ({start_year + offset})"


def _number(text: str) -> Decimal | None:
    try:
        return read_decimal(text)
    except ValueError:
        return None


def _date(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def _read(value_type: str, text: str):
    """The comparable reading of a stored string, or None when it does not read as the type."""
    if not text or not text.strip():
        return None
    if value_type in NUMERIC_TYPES:
        return _number(text)
    if value_type == "date":
        return _date(text)
    if value_type == "boolean":
        return text.strip().lower() if text.strip().lower() in ("oui", "non") else None
    return None


def shown(value_type: str, text: str, unit: str = "") -> str:
    """A stored value in a sentence: « 96,1 % », « 30/06/2026 », « oui »."""
    if value_type in NUMERIC_TYPES and (number := _number(text)) is not None:
        suffix = "%" if value_type == "percentage" and not unit else unit
        return f"{plain(number)}{NBSP}{suffix}" if suffix else plain(number)
    return text


def meets(facts: LineFacts, value, target) -> bool:
    """Whether a read value meets a read target, by the direction and the tolerance."""
    if facts.value_type == "boolean":
        return value == target
    if facts.value_type == "date":
        return (value - target).days <= facts.tolerance
    return _at_least_as_good(facts, value, target)


def target_for(targets: dict[int, str], offset: int) -> tuple[int, str] | None:
    """The target of ``offset``, or the last one set before it."""
    set_before = [o for o, text in targets.items() if o <= offset and text and text.strip()]
    return (max(set_before), targets[max(set_before)]) if set_before else None


def assess(facts: LineFacts) -> Assessment:
    """The level the rule proposes for one line (see the module's docstring)."""
    found = target_for(facts.targets, facts.due_offset)
    if found is None:
        return Assessment(IN_PROGRESS, explanation=f"aucune cible fixée : {TO_APPRECIATE}", needs_person=True)
    target_offset, target_text = found
    target = _read(facts.value_type, target_text)
    if target is None:
        return Assessment(
            IN_PROGRESS,
            explanation=f"cible « {target_text} » non chiffrée : {TO_APPRECIATE}",
            needs_person=True,
        )
    target_words = f"cible {shown(facts.value_type, target_text, facts.unit)}"
    reviewed_offset = facts.reviewed_year - facts.start_year
    due_year = facts.start_year + facts.due_offset
    due_words = due_label(facts.due_offset, facts.start_year)
    if facts.value_type == "date":
        return _assess_date(facts, target, target_words)
    if reviewed_offset >= facts.due_offset:
        text = facts.values.get(due_year, "")
        value = _read(facts.value_type, text)
        if value is None:
            return Assessment(
                IN_PROGRESS,
                explanation=f"{target_words} en {due_words} : valeur {due_year} manquante, {TO_APPRECIATE}",
                needs_person=True,
            )
        value_words = shown(facts.value_type, text, facts.unit)
        if meets(facts, value, target):
            return Assessment(REALISED, explanation=f"{target_words} atteinte en {due_words} : {value_words}")
        return Assessment(NOT_REALISED, explanation=f"{target_words} non atteinte en {due_words} : {value_words}")
    return _trend(facts, target, target_words, due_words)


def _assess_date(facts: LineFacts, target: date, target_words: str) -> Assessment:
    done_text = facts.values.get(facts.reviewed_year, "") or next(
        (facts.values[y] for y in sorted(facts.values, reverse=True) if y < facts.reviewed_year and facts.values[y]),
        "",
    )
    done = _date(done_text) if done_text else None
    if done is not None:
        if meets(facts, done, target):
            return Assessment(REALISED, explanation=f"{target_words} tenue : réalisé le {done_text}")
        return Assessment(NOT_REALISED, explanation=f"{target_words} dépassée : réalisé le {done_text}")
    if target <= date(facts.reviewed_year, 12, 31):
        return Assessment(
            NOT_REALISED, explanation=f"{target_words} passée sans date de réalisation au 31/12/{facts.reviewed_year}"
        )
    return Assessment(IN_PROGRESS, explanation=f"{target_words} : pas encore réalisé, échéance à venir")


def _trend(facts: LineFacts, target, target_words: str, due_words: str) -> Assessment:
    year = facts.reviewed_year
    text = facts.values.get(year, "")
    value = _read(facts.value_type, text)
    if value is None:
        return Assessment(IN_PROGRESS, explanation=f"{target_words} en {due_words} : valeur {year} manquante")
    value_words = f"{shown(facts.value_type, text, facts.unit)} en {year}"
    if meets(facts, value, target):
        return Assessment(IN_PROGRESS, ON_TRACK, f"{target_words} en {due_words} déjà atteinte : {value_words}")
    if facts.value_type == "boolean":
        return Assessment(IN_PROGRESS, explanation=f"{target_words} en {due_words} : pas encore ({value_words})")
    reviewed_offset = year - facts.start_year
    own = facts.targets.get(reviewed_offset, "")
    own_target = _read(facts.value_type, own)
    if own_target is not None:
        step = f"cible de l'année {shown(facts.value_type, own, facts.unit)}"
        if meets(facts, value, own_target):
            return Assessment(IN_PROGRESS, ON_TRACK, f"{step} atteinte : {value_words} ({target_words} en {due_words})")
        return Assessment(
            IN_PROGRESS, OFF_TRACK, f"{step} non atteinte : {value_words} ({target_words} en {due_words})"
        )
    baseline = _read(facts.value_type, facts.baseline)
    if baseline is not None:
        share = Decimal(reviewed_offset + 1) / Decimal(facts.due_offset + 1)
        expected = baseline + (target - baseline) * share
        path = (
            f"trajectoire de {shown(facts.value_type, facts.baseline, facts.unit)} vers {target_words} en {due_words}"
        )
        if _at_least_as_good(facts, value, expected):
            return Assessment(IN_PROGRESS, ON_TRACK, f"{value_words}, sur la {path}")
        return Assessment(IN_PROGRESS, OFF_TRACK, f"{value_words}, en deçà de la {path}")
    before_text = facts.values.get(year - 1, "")
    before = _read(facts.value_type, before_text)
    if before is None:
        return Assessment(
            IN_PROGRESS,
            explanation=f"{target_words} en {due_words} : {value_words}, sans situation initiale ni valeur {year - 1} pour juger de la tendance",
        )
    toward = abs(target - value) < abs(target - before)
    trend = f"{value_words} contre {shown(facts.value_type, before_text, facts.unit)} en {year - 1}"
    if toward:
        return Assessment(IN_PROGRESS, ON_TRACK, f"{trend} : se rapproche de la {target_words} en {due_words}")
    return Assessment(IN_PROGRESS, OFF_TRACK, f"{trend} : ne se rapproche pas de la {target_words} en {due_words}")


def _at_least_as_good(facts: LineFacts, value: Decimal, expected: Decimal) -> bool:
    """A number against a target or a point of the path, by the direction, within the tolerance."""
    if facts.direction == "higher":
        return value >= expected - facts.tolerance
    if facts.direction == "lower":
        return value <= expected + facts.tolerance
    return abs(value - expected) <= facts.tolerance


# --- Objectives, the contract, milestones ---------------------------------------------------------------------


def combined(levels: list[str]) -> str:
    """An objective's level from its lines (or a strategic objective's from its operational ones): any NR → NR, all
    R → R, otherwise EC; nothing to judge → "" (à apprécier)."""
    judged = [level for level in levels if level]
    if not judged:
        return ""
    if NOT_REALISED in judged:
        return NOT_REALISED
    if all(level == REALISED for level in judged):
        return REALISED
    return IN_PROGRESS


def achievement_rate(levels: list[str]) -> Decimal | None:
    """The contract's achievement rate: the share of its judged operational objectives that are R, in percent."""
    judged = [level for level in levels if level]
    if not judged:
        return None
    return Decimal(100) * sum(1 for level in judged if level == REALISED) / len(judged)


DONE = "done"
LATE = "late"
NOT_STARTED = "not_started"
MILESTONE_LABELS = {DONE: "réalisé", LATE: "en retard", NOT_STARTED: "à venir"}


def milestone_state(due: date | None, done: date | None, as_of: date) -> str:
    """Done when it has a date of completion; late when its date has passed without one; otherwise not started."""
    if done is not None:
        return DONE
    if due is not None and due < as_of:
        return LATE
    return NOT_STARTED
