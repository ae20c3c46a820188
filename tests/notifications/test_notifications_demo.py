"""The demo's part (cpom.demo.notifications_story), played on the test world, which has the demo's cast and
establishments: the evaluations recorded by each managing body, everyone's default preferences and calendar link,
and ``cpom notify`` printing the day's emails on the console as the demo's quick start does."""

import re
from datetime import date

import pytest
from django.core.management import call_command

from cpom.audit.models import AuditEntry
from cpom.demo.notifications_story import LAST_EVALUATIONS, load_demo_notifications
from cpom.notifications.models import KindChoice, Preference
from cpom.notifications.services import defaults
from cpom.registry.models import Establishment

pytestmark = pytest.mark.django_db


@pytest.fixture
def played(users, association_contract, ehpad_contract):
    context = {
        "users": {name: users[name] for name in ("asso", "ehpad", "ars", "cd44", "cd49")},
        "bodies": {"association": association_contract.managing_body, "ehpad": ehpad_contract.managing_body},
    }
    load_demo_notifications(context)
    return context


def test_the_managing_bodies_record_their_establishments_last_evaluations(played, users):
    recorded = {
        e.finess[:8]: e.last_evaluation_date for e in Establishment.objects.filter(last_evaluation_date__isnull=False)
    }
    assert recorded == LAST_EVALUATIONS
    savs = Establishment.objects.get(name="SAVS Nantes Métropole")
    assert savs.last_evaluation_date is None
    ehpad = Establishment.objects.get(name="EHPAD Les Tilleuls")
    entry = AuditEntry.objects.filter(object_type="registry.establishment", object_id=str(ehpad.pk)).last()
    assert entry.user == users["ehpad"] and entry.at.date() == date(2026, 9, 1)
    assert entry.after["date de la dernière évaluation"] == "2022-02-10"


def test_every_demo_user_has_the_default_preferences_and_a_calendar_link(played):
    for user in played["users"].values():
        preference = Preference.objects.get(user=user)
        assert len(preference.feed_token) >= 32
        chosen = {row.kind: (row.enabled, row.days_before) for row in KindChoice.objects.filter(preference=preference)}
        assert chosen == {code: (c.enabled, c.days_before) for code, c in defaults().items()}


def test_cpom_notify_prints_the_days_emails_on_the_console(played, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    call_command("notify", "--date", "03/12/2026")
    out = capsys.readouterr().out
    assert out.count("Bonjour ") == 5
    assert "To: paul.lefevre@exemple.fr" in out
    assert "10/02/2027 (dans 69 jours) : CPOM-PDL-2024-049-07 — Évaluation de la qualité de l'EHPAD Les Tilleuls" in out
    assert re.search(r"^03/12/2026 : 5 courriels envoyés, \d+ échéances annoncées\.$", out, flags=re.M), out[-300:]
