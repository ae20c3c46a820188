"""What the kit tells the other stages: the schedule's deadlines, told to the side (or person) « A » of each step,
read for many contracts in a constant number of queries; and its history events."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpom import deadline_sources, history_sources
from cpom.contracts.models import Contract
from cpom.demo.clock import fixed_clock, moment
from cpom.launch import services
from support import programmed_copy


def _schedule_dues(contracts):
    return [d for d in deadline_sources.collect(contracts) if d.kind == "schedule_step"]


def test_each_open_step_is_due_at_its_planned_end_told_to_the_side_of_its_a(raci_kit, users):
    contract = raci_kit.contract
    with fixed_clock(moment(date(2026, 10, 20))):
        dues = _schedule_dues([contract])
    by_step = {d.key.split(":")[2]: d for d in dues}
    assert "referral" not in by_step and "diagnostic" not in by_step  # the lifecycle proves them done
    sheets = by_step["objective_sheets"]
    assert sheets.day == date(2026, 9, 4) and sheets.side == "managing_body" and sheets.person_id is None
    assert sheets.label == (
        "CPOM-PDL-2027-044-01 — Rétroplanning : 6. Transmission des fiches d'objectifs finalisées par l'organisme "
        "gestionnaire"
    )
    assert sheets.url == f"/contrats/{contract.pk}/lancement/"
    assert sheets.key == f"schedule_step:{contract.pk}:objective_sheets:2026-09-04"
    assert by_step["objectives_meeting"].side == "authority"
    assert by_step["lead_signature"].day == date(2026, 12, 15)
    # Done: no longer due.
    services.mark_step_done(users["asso"], raci_kit, "objective_sheets", date(2026, 9, 30))
    assert "objective_sheets" not in {d.key.split(":")[2] for d in _schedule_dues([contract])}


def test_a_user_who_is_a_is_the_one_told(raci_kit, users):
    services.add_member(users["ars"], raci_kit, raci_kit.version, f"user:{users['cd44'].pk}")
    matrix = services.matrix_of(raci_kit)
    newcomer = raci_kit.members.get(user=users["cd44"]).pk
    moreau = raci_kit.members.get(name="Julien Moreau", contact__isnull=False).pk
    benali = raci_kit.members.get(name="Nadia Benali").pk
    matrix["co_signature"][newcomer], matrix["co_signature"][benali] = "A", "C"
    matrix["co_signature"][moreau] = "R"
    services.save_matrix(users["ars"], raci_kit, raci_kit.version, matrix)
    due = next(d for d in _schedule_dues([raci_kit.contract]) if ":co_signature:" in d.key)
    assert due.person_id == users["cd44"].pk and due.side == "authority"


def test_many_contracts_cost_the_same_queries_as_one(raci_kit, association_contract, users):
    def queries(contracts) -> list[str]:
        contracts = list(Contract.objects.filter(pk__in=[c.pk for c in contracts]))
        with CaptureQueriesContext(connection) as captured:
            _schedule_dues(contracts)
        return [q["sql"] for q in captured.captured_queries]

    copies = []
    for n in range(4):
        copy = programmed_copy(association_contract, users["ars"], reference=f"CPOM-TEST-LAUNCH-{n}")
        copy.target_signature_date = date(2027, 6, 30)
        copy.save(update_fields=["target_signature_date"])
        kit = services.create_kit(users["ars"], copy)
        # Steps said done by people: who said so is read with them, not once each.
        services.mark_step_done(users[("asso", "ars", "cd44", "asso")[n]], kit, "referral", date(2026, 1, 5))
        copies.append(copy)
    one, many = queries(copies[:1]), queries(copies)
    assert len(many) == len(one), "\n".join(many)
    assert {d.contract_id for d in _schedule_dues(copies)} == {c.pk for c in copies}


def test_a_contract_without_a_kit_or_a_target_date_has_no_schedule_deadline(association_contract, ehpad_contract):
    assert _schedule_dues([association_contract, ehpad_contract]) == []


def test_the_history_tells_the_kit_the_steps_the_ticks_and_the_letters_with_who(raci_kit, users):
    from cpom.launch import letters
    from cpom.launch.models import LetterKind

    item = raci_kit.checklist.get(code="perimeter")
    services.tick(users["cd44"], item, item.version, True, "Sept ESMS")
    services.mark_step_done(users["asso"], raci_kit, "objective_sheets", date(2026, 9, 30), "Envoyées")
    letters.generate(users["ars"], raci_kit, LetterKind.FRAMING)
    events = list(history_sources.collect(raci_kit.contract, ["launch"]))
    labels = [e.label for e in events]
    assert labels[0] == "Kit de lancement créé"
    assert any(label.startswith("Check-list de lancement cochée : Périmètre du CPOM") for label in labels)
    step = next(e for e in events if e.label.startswith("Étape du rétroplanning"))
    assert step.label == (
        "Étape du rétroplanning réalisée le 30/09/2026 : 6. Transmission des fiches d'objectifs finalisées par "
        "l'organisme gestionnaire"
    )
    assert (step.person, step.organisation, step.detail) == (
        "Claire Martin",
        "Association Les Chemins de Loire",
        "Envoyées",
    )
    letter = next(e for e in events if e.label == "Lettre de cadrage de l'autorité générée")
    assert letter.person == "Nadia Benali" and letter.detail.endswith(".docx")
