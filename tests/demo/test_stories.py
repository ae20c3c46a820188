"""The demo's stories are data (src/cpom/demo/stories/*.toml), played through the real services under a fixed clock."""

import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from cpom.contracts.models import State, Transition
from cpom.demo.clock import PARIS, fixed_clock, moment
from cpom.demo.loader import DEMO_USERS, StoryStepFailed, play
from cpom.demo.story import STORIES, StoryFileError, read_stories, read_story

USERS = {username for username, *_ in DEMO_USERS}
STATES = set(State.values)
CPOM = str(Path(sys.executable).with_name("cpom"))

GOOD = """\
[contract]
reference = "CPOM-ESSAI-01"
title = "Contrat d'essai"
managing_body = "association"
lead = "ars"
co_signatories = ["cd44"]
legal_basis = "L313-12-2"
duration_years = 5
start_date = 2027-01-01
end_date = 2031-12-31

[[steps]]
action = "programmer"
on = 2026-02-02
by = "ars"
comment = "Programmé pour l'essai."

[[steps]]
action = "transition"
to = "launched"
on = 2026-02-09
by = "ars"
"""


def _story(tmp_path, text, name="essai.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_story(path, USERS, STATES)


def test_the_demo_stories_are_read_in_order_with_their_users_and_dates():
    association, ehpad = read_stories(USERS, STATES)
    assert (association.name, ehpad.name) == ("association", "ehpad")
    assert [s.action for s in association.steps] == ["programmer", "transition", "transition", "transition", "contenu"]
    assert association.steps[0].by == "ars" and association.steps[0].on == date(2025, 11, 3)
    assert [(s.action, s.to or s.detail("kind", "")) for s in ehpad.after_content] == [
        ("consultation", "cvs"),
        ("consultation", "staff"),
        ("consultation", "board"),
        ("transition", "ready_for_signature"),
        ("envoyer", ""),
        ("signer", ""),
        ("signer", ""),
        ("signer", ""),
        ("transition", "in_force"),
    ]
    assert [(s.by, s.on) for s in ehpad.after_content if s.action == "signer"] == [
        ("ehpad", date(2023, 12, 1)),
        ("cd49", date(2023, 12, 5)),
        ("ars", date(2023, 12, 8)),
    ]
    assert sorted(p.name for p in STORIES.glob("*.toml")) == ["association.toml", "ehpad.toml"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('lead = "ars"\n', ""), "essai.toml, [contract] : la clé « lead » manque."),
        (
            ('on = 2026-02-09\nby = "ars"', 'on = 2026-02-09\nby = "inconnu"'),
            "essai.toml, étape 2 : utilisateur « inconnu » inconnu de la démonstration.",
        ),
        (('to = "launched"', 'to = "lancé"'), "essai.toml, étape 2 : état « lancé » inconnu."),
        (
            ("on = 2026-02-09", 'on = "9 février 2026"'),
            "essai.toml, étape 2 : « on » doit être une date (AAAA-MM-JJ), pas « 9 février 2026 ».",
        ),
        (('to = "launched"\n', ""), "essai.toml, étape 2 : la clé « to » manque."),
        (('action = "transition"', 'action = "signer"'), "essai.toml, étape 2 : la clé « signatory » manque."),
        (('action = "transition"', 'action = "signature"'), "essai.toml, étape 2 : action « signature » inconnue"),
        (
            ('action = "transition"\nto = "launched"', 'action = "envoyer"\neffective_date = "demain"'),
            "essai.toml, étape 2 : « effective_date » doit être une date (AAAA-MM-JJ), pas « demain ».",
        ),
        (
            ('action = "programmer"', 'action = "transition"\nto = "launched"'),
            "essai.toml, étape 1 (transition vers « launched » par ars le 02/02/2026) : la première étape doit être « programmer ».",
        ),
    ],
)
def test_a_wrong_story_file_is_refused_in_french_naming_the_file_and_the_step(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(StoryFileError) as refused:
        _story(tmp_path, GOOD.replace(old, new, 1))
    assert str(refused.value).startswith(message)


def test_an_impossible_date_is_refused_naming_the_file_the_step_and_the_line(tmp_path):
    with pytest.raises(StoryFileError) as refused:
        _story(tmp_path, GOOD.replace("on = 2026-02-09", "on = 2026-02-30"))
    assert str(refused.value) == "essai.toml, étape 2, ligne 21, colonne 6 : fichier TOML illisible (date invalide)."


def test_the_fixed_clock_dates_the_history_and_the_journal(association_contract, users):
    from cpom.contracts import lifecycle

    at = datetime(2026, 12, 1, 9, 30, tzinfo=PARIS)
    with fixed_clock(at):
        transition = lifecycle.transition(association_contract, State.CLOSED, users["ars"], "Démarche abandonnée.")
    assert transition.at == at
    assert moment(date(2026, 2, 9)) == datetime(2026, 2, 9, 10, tzinfo=PARIS)


def _context(users):
    from cpom.registry.models import Authority, ManagingBody

    bodies = {"association": ManagingBody.objects.get(name="Association Les Chemins de Loire")}
    authorities = {
        a: Authority.objects.get(name=n)
        for a, n in [("ars", "ARS Pays de la Loire"), ("cd44", "Conseil départemental de Loire-Atlantique")]
    }
    return {"users": users, "bodies": bodies, "authorities": authorities}


def test_a_story_step_breaking_a_rule_makes_the_demo_fail_loudly_naming_the_step(tmp_path, users):
    story = _story(tmp_path, GOOD.replace('to = "launched"', 'to = "signed"'))
    played = {}
    with pytest.raises(StoryStepFailed) as failed:
        play(story, story.steps, _context(users), played)
    assert str(failed.value) == (
        "essai.toml, étape 2 (transition vers « signed » par ars le 09/02/2026) : "
        "Un contrat à l'état « Programmé » ne peut pas passer à l'état « Signé »."
    )
    # The step before it was played through the services, as its user, at its date.
    (programmed,) = Transition.objects.filter(contract=played["essai"])
    assert (programmed.user.username, programmed.comment, programmed.at) == (
        "ars",
        "Programmé pour l'essai.",
        datetime(2026, 2, 2, 10, tzinfo=PARIS),
    )


def test_a_story_step_taken_by_a_user_who_may_not_take_it_fails_naming_the_step(tmp_path, users):
    story = _story(tmp_path, GOOD.replace('on = 2026-02-09\nby = "ars"', 'on = 2026-02-09\nby = "cd44"'))
    with pytest.raises(StoryStepFailed) as failed:
        play(story, story.steps, _context(users), {})
    assert str(failed.value).startswith("essai.toml, étape 2 (transition vers « launched » par cd44 le 09/02/2026) : ")


def test_a_negotiation_event_the_rules_refuse_stops_the_demo_naming_the_objective_and_the_day(
    association_contract, users
):
    from cpom.demo import contract_content as content
    from cpom.diagnostic.models import DiagnosticTemplate
    from cpom.objectives.models import Level, Objective
    from cpom.registry.models import Authority

    by_key = {"association": users["asso"], "ars": users["ars"], "cd44": users["cd44"], "cd49": users["cd49"]}
    authorities = {
        key: Authority.objects.get(pk=by_key[key].membership.authority_id) for key in ("ars", "cd44", "cd49")
    }
    builder = content._Builder(
        content.ASSOCIATION,
        association_contract,
        DiagnosticTemplate.objects.get(code=content.TEMPLATE_CODE),
        {},
        {},
        by_key,
        authorities,
    )
    objective = Objective.objects.create(
        contract=association_contract, level=Level.STRATEGIC, number="9", title="Essai"
    )
    with pytest.raises(content.StoryError) as refused:
        builder._negotiate(objective, "", date(2026, 11, 2), [], [("cd49", date(2026, 11, 3), None)])
    assert str(refused.value) == (
        "9, 03/11/2026 : Seules les parties au contrat (rôle contribution au moins) négocient les objectifs."
    )


def test_the_demo_command_reports_a_wrong_story_on_standard_error_and_writes_nothing(db, monkeypatch, tmp_path):
    from django.core.management import CommandError, call_command

    from cpom.contracts.models import Contract
    from cpom.demo import loader

    (tmp_path / "essai.toml").write_text(GOOD.replace("on = 2026-02-09", 'on = "demain"'), encoding="utf-8")
    monkeypatch.setattr(loader, "is_loaded", lambda: False)
    monkeypatch.setattr(loader, "_stories", lambda: read_stories(USERS, STATES, tmp_path))
    before = Contract.objects.count()
    with pytest.raises(CommandError) as failed:
        call_command("demo", verbosity=0)
    assert str(failed.value) == (
        "Démonstration non chargée : essai.toml, étape 2 : « on » doit être une date (AAAA-MM-JJ), pas « demain »."
    )
    assert Contract.objects.count() == before
