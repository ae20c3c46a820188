"""When a person is told of a deadline, and how it is said: pure computation, no Django.

A person chooses, per kind of deadline, whether to be told and how many days before. A deadline is told on its day
minus those days (:func:`told_on`); a run of ``cpom notify`` that comes later (the daily run missed a day) still
tells it, until the deadline's day itself (:func:`to_tell`).
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Choice:
    enabled: bool
    days_before: int


def told_on(day: date, days_before: int) -> date:
    return day - timedelta(days=days_before)


def to_tell(day: date, choice: Choice, today: date) -> bool:
    """Whether a deadline on ``day`` is to be told ``today`` under ``choice``."""
    return choice.enabled and told_on(day, choice.days_before) <= today <= day


def in_days(day: date, today: date) -> str:
    """« aujourd'hui », « demain », « dans 12 jours », « il y a 3 jours »."""
    days = (day - today).days
    if days == 0:
        return "aujourd'hui"
    if days == 1:
        return "demain"
    if days == -1:
        return "hier"
    if days > 0:
        return f"dans {days} jours"
    return f"il y a {-days} jours"


def digest_subject(count: int, today: date) -> str:
    what = "1 échéance à venir" if count == 1 else f"{count} échéances à venir"
    return f"cpom — {what} (le {today:%d/%m/%Y})"


@dataclass(frozen=True)
class Line:
    day: date
    label: str
    url: str  # absolute


def digest_text(name: str, lines: list[Line], today: date, preferences_url: str) -> str:
    """The digest of one person's day, in plain text, each deadline with its link."""
    intro = (
        "Une échéance des contrats que vous suivez approche :"
        if len(lines) == 1
        else "Des échéances des contrats que vous suivez approchent :"
    )
    parts = [f"Bonjour {name},", "", intro, ""]
    for line in sorted(lines, key=lambda line: (line.day, line.label)):
        parts += [f"• {line.day:%d/%m/%Y} ({in_days(line.day, today)}) : {line.label}", f"  {line.url}", ""]
    parts += [
        "Vous recevez ce message parce que vos préférences le demandent. Pour choisir les échéances annoncées et "
        "combien de jours avant, ou pour abonner votre agenda à vos échéances :",
        preferences_url,
        "",
        "— cpom, contrats pluriannuels d'objectifs et de moyens",
    ]
    return "\n".join(parts) + "\n"
