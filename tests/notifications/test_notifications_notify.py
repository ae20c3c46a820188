"""``cpom notify``: each person is told, in one email a day, the deadlines of theirs that reached the day they chose;
a second run tells nobody twice; a person hears only of the contracts they may see, of their side, or of what names
them."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from cpom.deadline_sources import Due
from cpom.notifications import schedule, services
from cpom.notifications.models import Sent

# The association's contract aims at signature on 15/12/2026, told 30 days before by default.
DAY = date(2026, 12, 1)


def _outbox():
    return {message.to[0]: message for message in mail.outbox}


def _due(contract, day, kind="review", side="", person=None, what="Dialogue de gestion de l'année 3"):
    return Due(
        contract_id=contract.pk,
        day=day,
        kind=kind,
        label=f"{contract.reference} — {what}",
        url=contract.get_absolute_url(),
        key=f"{kind}:{contract.pk}:{day.isoformat()}:{side}:{person.pk if person else ''}",
        side=side,
        person_id=person.pk if person else None,
    )


def test_run_twice_the_same_day_each_notification_is_sent_once(association_contract, users):
    first = services.notify(DAY)
    sent = _outbox()
    # Every party of the association's contract, no one else: the EHPAD, the other council, the platform team.
    assert set(sent) == {users[name].email for name in ("asso", "ars", "cd44")}
    assert first.emails == 3 and first.deadlines == 3
    body = sent[users["asso"].email].body
    assert "Signature visée" in body and association_contract.reference in body and "15/12/2026" in body
    mail.outbox.clear()
    second = services.notify(DAY)
    assert mail.outbox == [] and second.emails == 0
    # And the next day too: a deadline told is not told again.
    services.notify(date(2026, 12, 2))
    assert mail.outbox == []
    assert Sent.objects.filter(key__startswith="target_signature:").count() == 3


def test_one_digest_per_person_with_absolute_links_in_french(association_contract, users, settings, fake_source):
    settings.CPOM_SITE_URL = "https://cpom.ars-pdl.example"
    fake_source(
        _due(association_contract, date(2026, 12, 10)),
        _due(association_contract, date(2026, 12, 3), kind="schedule_step", what="Étape 4 : diagnostic à remettre"),
    )
    services.notify(DAY)
    message = _outbox()[users["asso"].email]
    assert [m.to for m in mail.outbox].count([users["asso"].email]) == 1
    assert message.subject == "cpom — 3 échéances à venir (le 01/12/2026)"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    lines = message.body.splitlines()
    assert lines[0] == "Bonjour Claire Martin,"
    told = [line for line in lines if line.startswith("• ")]
    assert told == [
        f"• 03/12/2026 (dans 2 jours) : {association_contract.reference} — Étape 4 : diagnostic à remettre",
        f"• 10/12/2026 (dans 9 jours) : {association_contract.reference} — Dialogue de gestion de l'année 3",
        f"• 15/12/2026 (dans 14 jours) : {association_contract.reference} — Signature visée",
    ]
    assert f"  https://cpom.ars-pdl.example{association_contract.get_absolute_url()}" in lines
    assert "https://cpom.ars-pdl.example/echeances/" in lines


def test_a_person_hears_only_of_their_side_or_of_what_names_them(
    association_contract, ehpad_contract, users, fake_source
):
    fake_source(
        _due(association_contract, date(2026, 12, 5), side="managing_body", what="Questions à envoyer"),
        _due(association_contract, date(2026, 12, 6), side="authority", what="Ordre du jour à arrêter"),
        _due(association_contract, date(2026, 12, 7), kind="decision", person=users["cd44"], what="Décision 2"),
        # Named to someone who may not see the contract: not told either.
        _due(association_contract, date(2026, 12, 8), kind="decision", person=users["ehpad"], what="Décision 3"),
        _due(ehpad_contract, date(2026, 12, 9), what="Dialogue de l'EHPAD"),
    )
    services.notify(DAY)
    sent = _outbox()

    def told(name):
        return sent[users[name].email].body if users[name].email in sent else ""

    assert "Questions à envoyer" in told("asso") and "Ordre du jour" not in told("asso")
    assert "Ordre du jour à arrêter" in told("ars") and "Questions à envoyer" not in told("ars")
    assert "Décision 2" in told("cd44") and "Décision 2" not in told("ars") and "Décision 2" not in told("asso")
    assert "Décision 3" not in told("ehpad")
    assert "Dialogue de l'EHPAD" in told("ehpad") and "Dialogue de l'EHPAD" in told("cd49")
    assert "Dialogue de l'EHPAD" not in told("asso") and "Dialogue de l'EHPAD" not in told("cd44")
    assert association_contract.reference not in told("ehpad") + told("cd49")
    assert ehpad_contract.reference not in told("asso") + told("cd44")
    assert "admin@example.invalid" not in sent


def test_the_preferences_choose_the_kinds_and_how_early(association_contract, users):
    asso = users["asso"]
    preference = services.preference_for(asso)
    wanted = {code: (choice.enabled, choice.days_before) for code, choice in services.defaults().items()}
    services.save_choices(asso, preference.version, {**wanted, "target_signature": (False, 30)})
    services.notify(DAY)
    assert asso.email not in _outbox() and users["ars"].email in _outbox()
    mail.outbox.clear()
    preference.refresh_from_db()
    services.save_choices(asso, preference.version, {**wanted, "target_signature": (True, 5)})
    services.notify(DAY)  # 14 days before: not yet
    assert asso.email not in _outbox()
    services.notify(date(2026, 12, 10))  # 5 days before
    assert "Signature visée" in _outbox()[asso.email].body
    assert Sent.objects.get(user=asso).told_on == date(2026, 12, 10)


def test_a_sending_that_fails_records_nothing_and_the_next_run_tells_it(association_contract, users, monkeypatch):
    from django.core.mail import EmailMessage

    real = EmailMessage.send

    def refused(self, *args, **kwargs):
        if self.to == [users["asso"].email]:
            raise OSError("serveur de messagerie injoignable")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", refused)
    run = services.notify(DAY)
    assert run.failures == [f"{users['asso'].email} : serveur de messagerie injoignable"]
    assert not Sent.objects.filter(user=users["asso"]).exists()
    assert Sent.objects.filter(user=users["ars"]).count() == 1
    monkeypatch.setattr(EmailMessage, "send", real)
    mail.outbox.clear()
    services.notify(DAY)
    assert set(_outbox()) == {users["asso"].email}


def test_a_person_without_email_or_inactive_is_not_written_to(association_contract, users):
    users["asso"].email = ""
    users["asso"].save()
    users["cd44"].is_active = False
    users["cd44"].save()
    services.notify(DAY)
    assert set(_outbox()) == {users["ars"].email}


def test_the_command_runs_as_of_a_day_and_says_what_it_sent(association_contract, users, capsys):
    call_command("notify", "--date", "01/12/2026")
    assert capsys.readouterr().out == "01/12/2026 : 3 courriels envoyés, 3 échéances annoncées.\n"
    call_command("notifier", "--date", "01/12/2026")
    assert capsys.readouterr().out == "01/12/2026 : aucune échéance à annoncer.\n"
    assert len(mail.outbox) == 3
    with pytest.raises(CommandError, match="--date : « 2026-12-01 » n'est pas une date au format JJ/MM/AAAA."):
        call_command("notify", "--date", "2026-12-01")


@pytest.mark.pure
@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=0, max_value=365),
    st.integers(min_value=-400, max_value=400),
    st.booleans(),
)
def test_a_deadline_is_told_from_its_day_minus_the_days_chosen_until_its_day(day, days_before, offset, enabled):
    from datetime import timedelta

    today = day + timedelta(days=offset)
    told = schedule.to_tell(day, schedule.Choice(enabled, days_before), today)
    assert told == (enabled and -days_before <= offset <= 0)


@pytest.mark.pure
def test_days_are_said_in_words():
    today = date(2026, 12, 1)
    assert [schedule.in_days(date(2026, 12, d), today) for d in (1, 2, 9)] == [
        "aujourd'hui",
        "demain",
        "dans 8 jours",
    ]
    assert schedule.digest_subject(1, today) == "cpom — 1 échéance à venir (le 01/12/2026)"


def test_finding_whom_to_tell_asks_as_many_queries_for_many_contracts_as_for_one(
    association_contract, ehpad_contract, users
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from support import programmed_copy

    with CaptureQueriesContext(connection) as before:
        told = services.to_tell(DAY)
    copies = [programmed_copy(association_contract, users["ars"], f"CPOM-NOTIF-{n}") for n in range(4)]
    from cpom.contracts.models import Contract

    Contract.objects.filter(pk__in=[c.pk for c in copies]).update(target_signature_date=date(2026, 12, 20))
    with CaptureQueriesContext(connection) as after:
        told_more = services.to_tell(DAY)
    assert len(after) == len(before)
    asso = users["asso"]
    assert len(told_more[asso]) == len(told[asso]) + 4


def test_the_day_s_emails_may_go_to_the_queue_and_a_refused_send_is_retried_without_sending_twice(
    association_contract, users, capsys, monkeypatch
):
    from cpom.jobs.models import Job
    from jobs_support import run_queued_jobs

    call_command("notify", "--date", "01/12/2026", "--en-file")
    job = Job.objects.get(kind="notifications.daily")
    assert capsys.readouterr().out == f"Courriels du 01/12/2026 confiés à la file d'attente : travail n° {job.pk}.\n"
    assert mail.outbox == []
    told = services._tell
    refused_once = []

    def flaky(person, items, today, connection):
        if person.email == users["ars"].email and not refused_once:
            refused_once.append(person.email)
            raise OSError("serveur de courriel indisponible")
        return told(person, items, today, connection)

    monkeypatch.setattr(services, "_tell", flaky)
    # The first run sends two emails and fails on the third; the retry sends only that one.
    assert run_queued_jobs() == 2
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        {users["asso"].email, users["ars"].email, users["cd44"].email}
    )
