import sqlite3
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import models
from django.test import RequestFactory

import factories
from cpom.audit.services import entries_for
from cpom.contracts.models import Contract, State
from cpom.demo.clock import PARIS
from cpom.demo.finance_scenarios import load_demo_scenarios
from cpom.diagnostic.models import Finding, FindingLevel, Nature, SectionEntry
from cpom.diagnostic.services import checklist
from cpom.finance.trajectory import services as scenarios
from cpom.indicators.models import IndicatorValue
from cpom.objectives import negotiation, readiness
from cpom.objectives.models import Agreement, Funding, Level, Message, Milestone, Objective, Status
from cpom.objectives.values import normalise
from cpom.registry.identifiers import validate_finess
from cpom.registry.models import Establishment
from quickstart import DATABASE, pristine_demo

# The demo's own tests: they stand on the demo as `cpom demo` loads it (tests/demo/conftest.py).
pytestmark = pytest.mark.usefixtures("demo_database")


def _counts():
    labels = ("registry", "contracts", "accounts", "diagnostic", "objectives", "audit")
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label.startswith(labels)}


def _negotiation_state():
    return sorted(Objective.objects.values_list("contract__reference", "number", "status", "version"))


def test_demo_is_idempotent(db):
    before, negotiated = _counts(), _negotiation_state()
    call_command("demo", verbosity=0)
    assert _counts() == before
    assert _negotiation_state() == negotiated


def test_demo_matches_the_story(association_contract, ehpad_contract):
    assert association_contract.state == State.NEGOTIATION
    categories = sorted(association_contract.establishments.values_list("category", flat=True))
    assert categories == ["ESAT", "FAM", "FV", "IME", "MAS", "SAVS", "SESSAD"]
    assert {p.authority.name for p in association_contract.parties.all()} == {
        "ARS Pays de la Loire",
        "Conseil départemental de Loire-Atlantique",
    }
    assert ehpad_contract.state == State.IN_FORCE
    assert sorted(ehpad_contract.establishments.values_list("category", flat=True)) == ["EHPAD", "SSIAD"]
    assert ehpad_contract.start_date.year == 2024  # third year in 2026
    assert Contract.objects.count() == 2


def test_every_demo_finess_is_valid(db):
    for finess in Establishment.objects.values_list("finess", flat=True):
        validate_finess(finess)


def test_demo_users_log_in_with_the_readme_password(db):
    for username in ["asso", "ehpad", "ars", "cd44", "cd49", "admin"]:
        # With the request a login comes with: django-axes counts failures per identifier and address.
        assert (
            authenticate(RequestFactory().post("/connexion/"), username=username, password="cpom-demo-2026") is not None
        ), username


def test_association_diagnostic_covers_titre_1_and_the_anap_sheets(association_contract):
    diagnostic = association_contract.diagnostic
    consolidated = set(
        diagnostic.entries.filter(establishment=None).exclude(text="").values_list("section__code", flat=True)
    )
    sub_items = set(
        diagnostic.template.sections.filter(part="titre1", parent__isnull=False).values_list("code", flat=True)
    )
    assert sub_items <= consolidated
    assert len({c for c in consolidated if c.startswith("anap-")}) >= 5
    assert diagnostic.entries.exclude(establishment=None).count() >= 4
    assert "libre" not in consolidated and not diagnostic.findings.filter(section__code="libre").exists()
    assert diagnostic.salient_issues and diagnostic.perspectives.count() == 4
    remarks = [
        (r.authority.name, r.author.membership.authority_id) for e in diagnostic.entries.all() for r in e.remarks.all()
    ]
    assert {name for name, _ in remarks} == {"ARS Pays de la Loire", "Conseil départemental de Loire-Atlantique"}


def test_checklist_leaves_exactly_the_novatrices_theme_uncovered(association_contract):
    assert [line.label for line in checklist(association_contract.diagnostic) if not line.covered] == ["Novatrices"]


def test_association_findings_follow_the_method(association_contract):
    findings = list(association_contract.diagnostic.findings.select_related("establishment", "authority"))
    assert 16 <= len(findings) <= 20
    assert {f.nature for f in findings} == set(Nature.values)
    assert {f.level for f in findings} == set(FindingLevel.values)
    assert [f.lever_exists for f in findings].count(False) == 1
    by_ars = [f for f in findings if f.authority_id]
    assert 2 <= len(by_ars) <= 3 and {f.organisation_label for f in by_ars} == {"ARS Pays de la Loire"}
    assert {f.organisation_label for f in findings if not f.authority_id} == {"Association Les Chemins de Loire"}
    perimeter = list(association_contract.establishments.all())
    for finding in findings:
        assert finding.causes and finding.consequences and finding.evidence, finding.text
        for indicator in finding.evidence_indicators.all():
            assert indicator.catalogue.authority_id is None
            where = [finding.establishment] if finding.establishment else perimeter
            assert IndicatorValue.objects.filter(
                indicator=indicator, establishment__in=where, value__isnull=False
            ).exists(), (
                finding.text,
                indicator.code,
            )


def test_association_objectives_tell_the_negotiation(association_contract):
    objectives = list(association_contract.objectives.select_related("proposed_by_authority"))
    strategic = [o for o in objectives if o.level == Level.STRATEGIC]
    operational = [o for o in objectives if o.level == Level.OPERATIONAL]
    assert sorted(o.number for o in strategic) == ["1", "2", "3", "4"]
    assert {o.status for o in strategic} == {Status.AGREED}
    assert len(operational) == 12
    assert Counter(o.status for o in operational) == {
        Status.AGREED: 8,
        Status.UNDER_DISCUSSION: 2,
        Status.PROPOSED: 1,
        Status.INTENTION: 1,
    }
    assert [o.funding for o in operational if o.status == Status.INTENTION] == [Funding.INTENTION]
    assert Counter(str(o.proposed_by_authority or "") for o in operational) == {
        "": 8,
        "ARS Pays de la Loire": 3,
        "Conseil départemental de Loire-Atlantique": 1,
    }
    assert {o.version for o in operational} >= {1, 2, 3}
    assert any(o.level == Level.ACTION for o in objectives)
    for objective in operational:
        assert objective.findings.exists() or objective.priorities.exists(), objective.number
        assert objective.due_year is not None and objective.stakes and objective.feasibility
        assert objective.indicators.exists() and objective.milestones.exists()
    assert len({(o.stakes, o.feasibility) for o in operational}) >= 6  # spread across the matrix
    for objective in operational:
        if objective.status == Status.UNDER_DISCUSSION:
            labels = [m.organisation_label for m in objective.messages.filter(event="")]
            assert 3 <= len(labels) <= 5 and len(set(labels)) == 3
        if objective.status == Status.PROPOSED:
            # Played through the negotiation's services, where proposing a version is agreeing to it: the only
            # agreement is the proposer's own, and nobody has said a word yet.
            assert not objective.messages.exists()
            assert [(a.authority, a.version) for a in objective.agreements.all()] == [
                (objective.proposed_by_authority, 1)
            ]


def test_association_readiness_shows_the_open_objectives_and_one_content_problem(association_contract):
    blockers = readiness.blockers(association_contract)
    rules = Counter(b.rule for b in blockers)
    assert rules["not_agreed"] == 3
    assert len(blockers) == 4
    (other,) = [b for b in blockers if b.rule != "not_agreed"]
    assert other.rule == "target_unspecified" and "N+2" in other.message


def test_ehpad_contract_has_no_blocker(ehpad_contract):
    assert readiness.blockers(ehpad_contract) == []
    operational = ehpad_contract.objectives.filter(level=Level.OPERATIONAL)
    assert operational.count() == 3 and not operational.exclude(status=Status.AGREED).exists()
    assert ehpad_contract.objectives.filter(level=Level.STRATEGIC, status=Status.AGREED).count() == 2
    assert 5 <= ehpad_contract.diagnostic.findings.count() <= 6


def test_each_demo_funder_chose_its_growth_and_the_ehpad_signed_on_its_retained_scenario(
    association_contract, ehpad_contract
):
    from cpom.finance import readiness as money
    from cpom.finance.budget.services import growth_by_funder

    growths = {
        contract.reference: [(g.authority.name, g.mode, g.rate) for g in growth_by_funder(contract.reference_budget)]
        for contract in (association_contract, ehpad_contract)
    }
    assert growths == {
        "CPOM-PDL-2027-044-01": [
            ("ARS Pays de la Loire", "regional_rate", D("1.2")),
            ("Conseil départemental de Loire-Atlantique", "authority_rate", D("0.8")),
        ],
        "CPOM-PDL-2024-049-07": [
            ("ARS Pays de la Loire", "authority_rate", D("1.5")),
            ("Conseil départemental de Maine-et-Loire", "authority_rate", D("1")),
        ],
    }
    assert money.blockers(ehpad_contract) == []
    assert scenarios.retained_scenario(ehpad_contract.reference_budget).name == "Taux de l'autorité 1,5 %"
    # The association's negotiation goes on: three scenarios compared, none retained yet.
    assert [b.rule for b in money.blockers(association_contract)] == ["no_retained_scenario"]


def test_the_ehpad_contract_is_signed_through_the_circuit_at_its_dates(ehpad_contract):
    from cpom.signing.models import VersionStatus

    consultations = list(ehpad_contract.consultations.values_list("kind", "held_on", "outcome"))
    assert consultations == [
        ("cvs", date(2023, 10, 9), "favourable"),
        ("staff", date(2023, 10, 12), "favourable"),
        ("board", date(2023, 10, 19), "adopted"),
    ]
    # The contract as signed, version 0; its avenant n° 1 came later (test_the_ehpad_contract_carries_its_amendment).
    version = ehpad_contract.versions.get(number=0)
    assert (version.number, version.status, version.effective_date) == (0, VersionStatus.SEALED, date(2024, 1, 1))
    assert version.sent_at.astimezone(PARIS).date() == date(2023, 11, 27)
    assert [(s.signatory_name, s.signed_on) for s in version.signatures.order_by("signed_on")] == [
        ("Paul Lefèvre", date(2023, 12, 1)),
        ("Sophie Garnier", date(2023, 12, 5)),
        ("Nadia Benali", date(2023, 12, 8)),
    ]
    assert '"deliberation_date":"2023-10-19"' in version.snapshot
    states = [t.to_state for t in ehpad_contract.transitions.all()]
    assert states[-6:-2] == [State.READY_FOR_SIGNATURE, State.IN_SIGNATURE, State.SIGNED, State.IN_FORCE]


def test_the_ehpad_contract_carries_its_amendment(ehpad_contract):
    """Avenant n° 1, the SSIAD's capacity extension, signed through the circuit and applied: the version in force."""
    from cpom.signing import services as signing

    version = signing.current_version(ehpad_contract)
    assert (version.number, version.label) == (1, "Avenant n° 1 – Extension de capacité")
    assert [(s.signatory_name, s.signed_on) for s in version.signatures.order_by("signed_on")] == [
        ("Paul Lefèvre", date(2026, 2, 16)),
        ("Sophie Garnier", date(2026, 2, 19)),
        ("Nadia Benali", date(2026, 2, 23)),
    ]
    ssiad = ehpad_contract.establishments.get(category="SSIAD")
    assert (ssiad.authorised_places, ssiad.installed_places) == (45, 43)
    states = [t.to_state for t in ehpad_contract.transitions.all()]
    assert states[-2:] == [State.AMENDING, State.IN_FORCE]


def test_every_agreed_objective_has_one_agreement_per_party_concerned_at_its_current_version(db):
    """Every party the objective concerns agreed to its current version; a strategic axis may also hold the word of
    a council given before its operational objectives narrowed it to establishments the council does not fund."""
    for objective in Objective.objects.select_related("contract"):
        parties = {(p.managing_body_id, p.authority_id) for p in negotiation.parties(objective.contract)}
        concerned = {(p.managing_body_id, p.authority_id) for p, _ in negotiation.agreement_state(objective)}
        current = [
            (a.managing_body_id, a.authority_id) for a in objective.agreements.all() if a.version == objective.version
        ]
        assert len(current) == len(set(current)), objective
        if objective.status in (Status.AGREED, Status.INTENTION):
            assert concerned <= set(current) <= parties, objective
        else:
            assert not concerned <= set(current), objective


def test_messages_and_agreements_are_those_the_services_write(db):
    for agreement in Agreement.objects.select_related("user__membership", "objective"):
        event = f"a donné son accord à la version {agreement.version}"
        # Proposing or editing a version is agreeing to it, without a message; any other agreement says so once.
        put_forward = (
            entries_for(agreement.objective)
            .filter(user=agreement.user, action__startswith=f"Version {agreement.version} : ")
            .exists()
        )
        assert Message.objects.filter(
            objective=agreement.objective_id,
            author=agreement.user,
            event=event,
            objective_version=agreement.version,
        ).count() == (0 if put_forward else 1), (agreement.objective, agreement.user, agreement.version)
    for message in Message.objects.select_related("author__membership", "objective"):
        assert message.organisation_label == message.author.membership.organisation_label
        assert message.objective_version <= message.objective.version
    for finding in Finding.objects.select_related("authority", "diagnostic__contract__managing_body"):
        assert finding.organisation_label == str(finding.authority or finding.diagnostic.contract.managing_body)


def test_baselines_targets_and_milestones_are_well_formed(db):
    for objective in Objective.objects.filter(level=Level.OPERATIONAL).select_related("contract"):
        contract = objective.contract
        for milestone in Milestone.objects.filter(objective=objective):
            assert contract.start_date <= milestone.due_date <= contract.end_date, milestone
        for indicator in objective.indicators.all():
            assert indicator.baseline_value == normalise(indicator.value_type, indicator.baseline_value)
            assert indicator.baseline_date and indicator.baseline_note
            for target in indicator.targets.all():
                assert target.due_year < contract.duration_years
                if indicator.is_numeric:
                    assert target.value == normalise(indicator.value_type, target.value), (objective, target.value)


def test_demo_text_fits_its_columns(db):
    """SQLite does not enforce max_length; PostgreSQL would refuse the demo."""
    for model in apps.get_models():
        if model._meta.app_label not in ("diagnostic", "objectives"):
            continue
        for column in model._meta.fields:
            if isinstance(column, models.CharField) and column.max_length:
                for value in model.objects.values_list(column.name, flat=True):
                    assert len(value or "") <= column.max_length, (model.__name__, column.name, value)


def test_section_entries_are_written_by_the_managing_body(association_contract, users):
    entries = SectionEntry.objects.filter(diagnostic__contract=association_contract)
    assert set(entries.values_list("updated_by__username", flat=True)) == {"asso"}
    assert not entries.filter(version__lt=2).exists()


def test_the_demo_scenarios_load_twice_to_the_same_three(association_contract):
    # The demo's own fiches on the worked example's budget (tests/finance/trajectory), whose MAS has a known cost.
    budget = factories.worked_example_budget(association_contract)
    first = load_demo_scenarios(budget.contract)
    second = load_demo_scenarios(budget.contract)
    assert [s.pk for s in first] == [s.pk for s in second]
    assert [s.name for s in second] == [
        "Taux régional 1,2 %",
        "Taux zéro deux ans puis 1 %",
        "Convergence vers la médiane",
    ]
    # The demo's agreed, funded fiches with means give the measures; the MAS (50 000 a place) is the one to converge.
    assert all(s.measures.exists() for s in second)
    assert second[2].convergence_target == D("48000")
    runs = scenarios.runs(budget)
    assert len(runs) == 3 and all(len(r.trajectory.years) == 5 for r in runs)


# --- The stories played again -------------------------------------------------------------------------------


def _history_and_journal(cursor):
    cursor.execute(
        "SELECT c.reference, t.from_state, t.to_state, u.username, t.organisation_label, t.comment, t.at "
        "FROM contracts_transition t JOIN contracts_contract c ON c.id = t.contract_id "
        "JOIN auth_user u ON u.id = t.user_id ORDER BY t.id"
    )
    history = [(*row[:-1], _utc(row[-1])) for row in cursor.fetchall()]
    cursor.execute("SELECT action, object_type, organisation_label, at FROM audit_auditentry ORDER BY id")
    journal = [(*row[:-1], _utc(row[-1])) for row in cursor.fetchall()]
    return history, journal


def _utc(value):
    if isinstance(value, str):  # SQLite answers text, in UTC
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(PARIS).isoformat()


def test_the_quick_start_plays_the_stories_to_the_same_dates(db, tmp_path_factory):
    """``cpom demo`` in a process of its own, on an empty embedded database (the quick start's build, made once for
    the run), writes the history and the journal the demo loaded here has: each step is played at its own date."""
    from django.db import connection

    with connection.cursor() as cursor:
        expected = _history_and_journal(cursor)
    build = sqlite3.connect(pristine_demo(tmp_path_factory) / DATABASE)
    try:
        assert _history_and_journal(build.cursor()) == expected
    finally:
        build.close()
    history, journal = expected
    assert [row[-1] for row in history][:2] == ["2025-11-03T10:00:00+01:00", "2026-01-19T10:00:00+01:00"]
    assert history[-1][2:4] == (State.IN_FORCE, "ars")  # the EHPAD's contract, signed last


def test_a_second_run_says_the_demo_is_already_there(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("demo", stdout=out)
    assert out.getvalue().startswith("La démonstration est déjà dans la base : rien n'a été modifié.")
