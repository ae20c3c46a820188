"""The demo's contract stories, read from ``stories/*.toml`` (pure: no Django, no database).

A story is one contract: its frame (``[contract]``) and its steps (``[[steps]]``), in order. Each step but
« contenu » names its acting demo user (``by``) and its date (``on``); the loader plays it through the real services
as that user under a clock fixed at that date. Actions:

- « programmer »: the first step, the contract is programmed (frame, perimeter, parties);
- « transition »: the contract moves to the state ``to``, through the lifecycle and its rules;
- « contenu »: the diagnostic and the negotiated objectives are written here (at their own dates);
- « consultation »: a consultation before signature (``kind``, ``outcome``, optionally ``establishment``, the first
  eight characters of its FINESS, ``body`` and ``comment``), recorded through the signature circuit;
- « envoyer »: the final version sent for signature (optionally the agreed ``effective_date``);
- « signer »: the party of ``by`` signs the version sent (``signatory``, ``title``), the hash of the version sent.

A wrong file is refused with a French message naming the file and the step (:class:`StoryFileError`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

STORIES = Path(__file__).parent / "stories"
ACTIONS = ("programmer", "transition", "contenu", "consultation", "envoyer", "signer")
# Each action's keys beyond « action », « on », « by » and « comment »: (required, optional), with their types.
ACTION_KEYS = {
    "programmer": ({}, {}),
    "transition": ({"to": str}, {}),
    "consultation": ({"kind": str, "outcome": str}, {"establishment": str, "body": str}),
    "envoyer": ({}, {"effective_date": date}),
    "signer": ({"signatory": str, "title": str}, {}),
}
CONTRACT_KEYS = {
    "reference": str,
    "title": str,
    "managing_body": str,
    "lead": str,
    "legal_basis": str,
    "duration_years": int,
    "start_date": date,
    "end_date": date,
}
OPTIONAL_CONTRACT_KEYS = {"co_signatories": list, "target_signature_date": date}
TYPE_NAMES = {str: "un texte", int: "un nombre entier", date: "une date (AAAA-MM-JJ)", list: "une liste"}


class StoryFileError(ValueError):
    """A story file that cannot be played: the message names the file and, when it is one, the step."""


@dataclass(frozen=True)
class Step:
    number: int
    action: str
    on: date | None = None
    by: str = ""
    to: str = ""
    comment: str = ""
    details: tuple[tuple[str, object], ...] = ()  # the action's own keys (ACTION_KEYS), in file order

    def detail(self, key: str, default=None):
        return dict(self.details).get(key, default)

    def __str__(self) -> str:
        what = f"transition vers « {self.to} »" if self.action == "transition" else f"« {self.action} »"
        who = f" par {self.by} le {self.on:%d/%m/%Y}" if self.by else ""
        return f"étape {self.number} ({what}{who})"


@dataclass(frozen=True)
class Story:
    name: str
    contract: dict
    steps: tuple[Step, ...]

    @property
    def before_content(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.number < self._content_number)

    @property
    def after_content(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.number > self._content_number)

    @property
    def _content_number(self) -> int:
        return next((s.number for s in self.steps if s.action == "contenu"), len(self.steps) + 1)


def _typed(value, expected, where: str, key: str):
    # bool is an int in Python; a date-time is a date: both are refused where the story wants the other.
    wrong = isinstance(value, bool) or (expected is date and hasattr(value, "hour"))
    if not isinstance(value, expected) or wrong:
        raise StoryFileError(f"{where} : « {key} » doit être {TYPE_NAMES[expected]}, pas « {value} ».")
    return value


def _unreadable(name: str, text: str, error: tomllib.TOMLDecodeError) -> str:
    """« ehpad.toml, étape 3, ligne 21, colonne 6 : fichier TOML illisible (Invalid date or datetime). »"""
    found = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
    if not found:
        return f"{name} : fichier TOML illisible ({error})."
    line, column = int(found[1]), int(found[2])
    before = text.splitlines()[: line - 1]
    steps = sum(1 for row in before if row.strip().startswith("[[steps]]"))
    where = f", étape {steps}" if steps else ""
    detail = str(error)[: found.start()].strip()
    if detail.startswith("Invalid date"):
        detail = "date invalide"
    return f"{name}{where}, ligne {line}, colonne {column} : fichier TOML illisible ({detail})."


def read_story(path: Path, users: set[str], states: set[str]) -> Story:
    """The story in ``path``; ``users`` are the demo's usernames, ``states`` the contract states a step may reach."""
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise StoryFileError(_unreadable(name, path.read_text(encoding="utf-8"), error)) from error
    frame = data.get("contract")
    if not isinstance(frame, dict):
        raise StoryFileError(f"{name} : la section [contract] manque.")
    contract = {}
    for key, expected in CONTRACT_KEYS.items():
        if key not in frame:
            raise StoryFileError(f"{name}, [contract] : la clé « {key} » manque.")
        contract[key] = _typed(frame[key], expected, f"{name}, [contract]", key)
    for key, expected in OPTIONAL_CONTRACT_KEYS.items():
        if key in frame:
            contract[key] = _typed(frame[key], expected, f"{name}, [contract]", key)
    unknown = sorted(set(frame) - set(CONTRACT_KEYS) - set(OPTIONAL_CONTRACT_KEYS))
    if unknown:
        raise StoryFileError(f"{name}, [contract] : clé inconnue « {unknown[0]} ».")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise StoryFileError(f"{name} : le récit n'a aucune étape ([[steps]]).")
    steps = tuple(_step(name, number, raw, users, states) for number, raw in enumerate(raw_steps, start=1))
    if steps[0].action != "programmer":
        raise StoryFileError(f"{name}, {steps[0]} : la première étape doit être « programmer ».")
    for step in steps[1:]:
        if step.action == "programmer":
            raise StoryFileError(f"{name}, {step} : le contrat est déjà programmé à l'étape 1.")
    if sum(s.action == "contenu" for s in steps) > 1:
        raise StoryFileError(f"{name} : l'étape « contenu » ne peut figurer qu'une fois.")
    return Story(name=path.stem, contract=contract, steps=steps)


def _step(name: str, number: int, raw: dict, users: set[str], states: set[str]) -> Step:
    where = f"{name}, étape {number}"
    action = raw.get("action")
    if action not in ACTIONS:
        known = ", ".join(f"« {a} »" for a in ACTIONS)
        raise StoryFileError(f"{where} : action « {action or ''} » inconnue (attendu : {known}).")
    if action == "contenu":
        extra = sorted(set(raw) - {"action"})
        if extra:
            raise StoryFileError(f"{where} : l'étape « contenu » ne prend pas de clé « {extra[0]} ».")
        return Step(number, action)
    required, optional = ACTION_KEYS[action]
    allowed = {"action", "on", "by", "comment"} | set(required) | set(optional)
    for key in sorted({"on", "by"} | set(required)):
        if key not in raw:
            raise StoryFileError(f"{where} : la clé « {key} » manque.")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise StoryFileError(f"{where} : clé inconnue « {unknown[0]} ».")
    on = _typed(raw["on"], date, where, "on")
    by = _typed(raw["by"], str, where, "by")
    if by not in users:
        raise StoryFileError(f"{where} : utilisateur « {by} » inconnu de la démonstration.")
    to = raw.get("to", "")
    if action == "transition" and to not in states:
        raise StoryFileError(f"{where} : état « {to} » inconnu.")
    comment = _typed(raw.get("comment", ""), str, where, "comment")
    types = {**required, **optional}
    details = tuple((key, _typed(raw[key], types[key], where, key)) for key in raw if key in types and key != "to")
    return Step(number, action, on=on, by=by, to=to, comment=comment, details=details)


def read_stories(users: set[str], states: set[str], folder: Path = STORIES) -> list[Story]:
    """Every story of ``folder``, in file-name order."""
    return [read_story(path, users, states) for path in sorted(folder.glob("*.toml"))]
