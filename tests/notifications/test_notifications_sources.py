"""The deadline sources of the lower stages: an amendment's procedure and a termination's notice (amendments), the
yearly campaign (followup), the establishments' evaluations (registry). Each gives the dates the rules say, to the
side that must act, for many contracts in a fixed number of queries and without reversing an address per item."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from amendment_steps import draft
from cpom import deadline_sources
from cpom.amendments import deadlines as amendment_deadlines
from cpom.amendments import life
from cpom.amendments.models import Trigger
from cpom.contracts.models import Contract
from cpom.followup import deadlines as campaign_deadlines
from cpom.followup import services as followup
from cpom.registry import deadlines as evaluation_deadlines
from cpom.registry.models import Establishment
from support import programmed_copy, walk_to


def _of(kind, contracts):
    return [due for due in deadline_sources.collect(contracts) if due.kind == kind]


def test_every_stage_registers_its_kinds():
    codes = {kind.code for kind in deadline_sources.kinds()}
    assert {
        "amendment_procedure",
        "termination_notice",
        "campaign_report",
        "campaign_review",
        "evaluation",
        "renewal",
        "contract_end",
    } <= codes
    assert all(kind.label and kind.days_before > 0 for kind in deadline_sources.kinds())


# --- Amendments -------------------------------------------------------------------------------------------------


def test_an_amendment_letter_calls_for_the_meeting_within_two_months(ehpad_contract, users):
    amendment = draft(
        ehpad_contract,
        users["ehpad"],
        trigger=Trigger.CHANGE_OF_SITUATION,
        letter_sent_on=date(2026, 2, 2),
        letter_presented_on=date(2026, 2, 4),
        effective_date=None,
    )
    [meeting] = _of("amendment_procedure", [ehpad_contract])
    assert meeting.day == date(2026, 4, 4)
    assert meeting.label == (
        f"{ehpad_contract.reference} — Réunion des parties sur l'avenant n° {amendment.number} à tenir au plus tard "
        "(2 mois après la présentation de la lettre recommandée)"
    )
    assert meeting.side == "" and meeting.url == amendment.get_absolute_url()


def test_a_meeting_set_calls_for_the_managing_body_note_eight_days_before(ehpad_contract, users):
    draft(
        ehpad_contract,
        users["ehpad"],
        trigger=Trigger.CHANGE_OF_SITUATION,
        letter_sent_on=date(2026, 2, 2),
        letter_presented_on=date(2026, 2, 4),
        meeting_on=date(2026, 3, 20),
        effective_date=None,
    )
    items = {due.day: due for due in _of("amendment_procedure", [ehpad_contract])}
    assert set(items) == {date(2026, 3, 20), date(2026, 3, 12)}
    assert items[date(2026, 3, 12)].side == "managing_body"
    assert "Note de l'organisme gestionnaire" in items[date(2026, 3, 12)].label
    assert items[date(2026, 3, 20)].side == ""


def test_a_capacity_extension_is_signed_six_months_before_it_is_implemented(ehpad_contract, users, settings):
    draft(ehpad_contract, users["ehpad"], effective_date=date(2026, 10, 1))
    [due] = _of("amendment_procedure", [ehpad_contract])
    assert due.day == date(2026, 4, 1) and "extension de capacité" in due.label
    # The months are a setting.
    settings.CPOM_AMENDMENT_PROCEDURE = {**settings.CPOM_AMENDMENT_PROCEDURE, "capacity_extension_months": 3}
    [due] = _of("amendment_procedure", [ehpad_contract])
    assert due.day == date(2026, 7, 1)


def test_a_termination_tells_the_end_of_its_notice(ehpad_contract, users):
    termination = life.terminate(
        ehpad_contract,
        users["ars"],
        {"ground": "breach", "letter_sent_on": date(2026, 3, 2), "letter_presented_on": date(2026, 3, 4)},
        today=date(2026, 3, 5),
    )
    [due] = _of("termination_notice", [ehpad_contract])
    assert due.day == termination.ends_on == date(2026, 9, 4)
    assert due.label == (
        f"{ehpad_contract.reference} — Fin du préavis de la dénonciation (Non-respect des engagements) : le contrat "
        "prend fin"
    )
    assert due.url.endswith("/denonciation/")


# --- Campaigns --------------------------------------------------------------------------------------------------


def test_an_open_campaign_calls_for_the_report_and_the_dialogue_each_to_its_side(ehpad_contract, users):
    campaign = followup.open_campaign(ehpad_contract, users["ars"], {"year": 2026}, today=date(2026, 5, 4))
    items = {due.kind: due for due in deadline_sources.collect([ehpad_contract]) if due.kind.startswith("campaign")}
    report, review = items["campaign_report"], items["campaign_review"]
    assert report.day == campaign.report_deadline and report.side == "managing_body"
    assert report.label == (
        f"{ehpad_contract.reference} — Bilan de l'année {campaign.reviewed_year} à transmettre (campagne 2026)"
    )
    assert review.day == campaign.review_end and review.side == "authority"
    assert report.url == campaign.get_absolute_url()
    assert report.key != review.key


def test_a_closed_or_planned_campaign_calls_for_nothing():
    from cpom.followup.models import Campaign, CampaignStatus

    for status in (CampaignStatus.PLANNED, CampaignStatus.CLOSED):
        assert campaign_deadlines.campaign_deadlines(Campaign(status=status, year=2026, reviewed_year=2025)) == []


# --- Evaluations ------------------------------------------------------------------------------------------------


@pytest.mark.pure
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(min_value=1, max_value=10))
def test_the_next_evaluation_is_a_cycle_after_the_last(last, cycle):
    due = evaluation_deadlines.next_evaluation(last, cycle)
    assert due.year == last.year + cycle and due.month == last.month
    assert due.day == last.day or (last.month, last.day, due.day) == (2, 29, 28)


def test_an_evaluation_recorded_makes_a_deadline_of_every_contract_holding_it(ehpad_contract, settings):
    ehpad = ehpad_contract.establishments.get(category="EHPAD")
    Establishment.objects.filter(pk=ehpad.pk).update(last_evaluation_date=date(2023, 6, 15))
    [due] = _of("evaluation", [ehpad_contract])
    assert due.day == date(2028, 6, 15)
    assert "Évaluation de la qualité de l'EHPAD Les Tilleuls à remettre" in due.label
    assert due.url == ehpad.get_absolute_url()
    settings.CPOM_EVALUATIONS = {"cycle_years": 7}
    [due] = _of("evaluation", [ehpad_contract])
    assert due.day == date(2030, 6, 15)
    # An establishment without a recorded evaluation has no computed deadline.
    assert ehpad_contract.establishments.filter(last_evaluation_date__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (date(2029, 2, 28), date(2029, 2, 28)),  # the 29 February's next, on the 28th
        (date(2029, 3, 1), date(2029, 3, 1)),
        (date(2029, 2, 27), None),
        (None, date(2029, 2, 27)),
        (date(2028, 1, 1), date(2029, 12, 31)),
    ],
)
def test_the_evaluations_a_window_asks_are_all_those_falling_in_it(ehpad_contract, since, until):
    """The source narrows its query to the window (an authority's portfolio asks 90 days of seven thousand
    establishments' evaluations) and loses none of the window's own."""
    ehpad, ssiad = ehpad_contract.establishments.order_by("category")
    Establishment.objects.filter(pk=ehpad.pk).update(last_evaluation_date=date(2024, 2, 29))
    Establishment.objects.filter(pk=ssiad.pk).update(last_evaluation_date=date(2024, 3, 1))
    window = deadline_sources.Window(since, until)
    everything = evaluation_deadlines.source([ehpad_contract])
    assert evaluation_deadlines.source([ehpad_contract], window) == [d for d in everything if window.holds(d.day)]
    assert [d.day for d in deadline_sources.collect([ehpad_contract], since, until) if d.kind == "evaluation"] == [
        d.day for d in everything if window.holds(d.day)
    ]


def test_a_contract_over_calls_for_no_evaluation(ehpad_contract):
    Establishment.objects.filter(contracts=ehpad_contract).update(last_evaluation_date=date(2023, 6, 15))
    ehpad_contract.state = "closed"
    assert evaluation_deadlines.source([ehpad_contract]) == []


# --- Many contracts at once -------------------------------------------------------------------------------------


def test_the_sources_ask_a_fixed_number_of_queries_and_reverse_once(ehpad_contract, users, monkeypatch):
    contracts = [
        walk_to(programmed_copy(ehpad_contract, users["ars"], f"CPOM-NOTIF-{n}"), "in_force") for n in range(3)
    ]
    for contract in contracts:
        draft(contract, users["ehpad"], effective_date=date(2026, 10, 1))
    Establishment.objects.filter(contracts__in=contracts).update(last_evaluation_date=date(2023, 6, 15))
    reversed_names = []
    import django.urls

    real = django.urls.reverse

    def counting(name, *args, **kwargs):
        reversed_names.append(name)
        return real(name, *args, **kwargs)

    for module in (amendment_deadlines, campaign_deadlines, evaluation_deadlines):
        monkeypatch.setattr(module, "reverse", counting)
    fresh = lambda: list(Contract.objects.filter(pk__in=[c.pk for c in contracts]))  # noqa: E731
    with CaptureQueriesContext(connection) as one:
        small = [amendment_deadlines.source(fresh()[:1]), evaluation_deadlines.source(fresh()[:1])]
    with CaptureQueriesContext(connection) as three:
        large = [amendment_deadlines.source(fresh()), evaluation_deadlines.source(fresh())]
    assert len(three) == len(one)
    assert [len(items) for items in large] == [3 * len(items) for items in small]
    # Once per source and call, whatever the number of items.
    assert len(reversed_names) == 2 * 3


def test_the_establishment_record_takes_and_shows_its_last_evaluation(client_for, ehpad_contract, users):
    """On a signed contract's establishment too: the date is no part of what the signature binds."""
    from cpom.audit.models import AuditEntry
    from support import element, text_of

    ehpad = ehpad_contract.establishments.get(category="EHPAD")
    client = client_for("ehpad")
    url = reverse("registry:establishment_update", kwargs={"finess": ehpad.finess})
    page = client.get(url)
    assert element(page, "//input[@name='last_evaluation_date' and @type='date']") is not None
    assert text_of(element(client.get(ehpad.get_absolute_url()), "//dd[@data-testid='last-evaluation']")) == (
        "Non renseignée"
    )
    form = page.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[name] = "on" if value is True else str(getattr(value, "pk", value))
    data["last_evaluation_date"] = "2022-02-10"
    client.post(url, data)
    ehpad.refresh_from_db()
    assert ehpad.last_evaluation_date == date(2022, 2, 10)
    shown = client.get(ehpad.get_absolute_url())
    assert text_of(element(shown, "//dd[@data-testid='last-evaluation']")) == "Le 10/02/2022"
    entry = AuditEntry.objects.filter(object_type="registry.establishment", object_id=str(ehpad.pk)).last()
    assert entry.user == users["ehpad"] and entry.after["date de la dernière évaluation"] == "2022-02-10"
    [due] = _of("evaluation", [ehpad_contract])
    assert due.day == date(2027, 2, 10)
