"""The launch kit's services: the committee and its referents, the RACI matrix, the check-list, the steps done,
each change audited, each stale or refused change leaving everything as it was."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cpom.audit.models import AuditEntry
from cpom.core.locking import StaleWrite
from cpom.launch import services
from cpom.launch.checklist import ITEMS
from cpom.launch.models import CommitteeMember, RaciCell
from launch.conftest import contact_choice


def _journal(contract):
    return list(
        AuditEntry.objects.filter(object_type="contracts.contract", object_id=str(contract.pk)).values_list(
            "action", flat=True
        )
    )


def test_a_party_creates_the_kit_with_the_anap_check_list_and_the_journal_says_so(kit, association_contract):
    assert [item.label for item in kit.checklist.all()] == [label for _, label in ITEMS]
    assert not any(item.is_ticked for item in kit.checklist.all())
    assert "Kit de lancement créé" in _journal(association_contract)
    with pytest.raises(services.LaunchRefused, match="existe déjà"):
        services.create_kit(association_contract.managing_body.members.first().user, association_contract)


@pytest.mark.parametrize(
    "username,message",
    [
        ("ehpad", "Seules les parties au contrat"),
        ("cd49", "Seules les parties au contrat"),
        ("admin", "Seules les parties"),
    ],
)
def test_outsiders_and_the_platform_do_not_keep_a_kit(association_contract, users, username, message):
    with pytest.raises(services.LaunchRefused, match=message):
        services.create_kit(users[username], association_contract)
    assert services.kit_of(association_contract) is None


def test_a_read_only_member_does_not_keep_the_kit(association_contract, users):
    membership = users["cd44"].membership
    membership.role = "read"
    membership.save()
    with pytest.raises(services.LaunchRefused, match="demande le rôle « Contribution »"):
        services.create_kit(users["cd44"], association_contract)


def test_the_committee_is_drawn_from_the_parties_contacts_in_office_and_their_users(kit, association_contract):
    labels = [c.label for c in services.candidates(association_contract)]
    assert any(label.startswith("Claire Martin – Directrice générale") for label in labels)
    assert any(label.startswith("Julien Moreau – Responsable de la tarification") for label in labels)
    assert not any("Hervé Dupuis" in label for label in labels)  # left in 2021
    assert not any("Sophie Garnier" in label for label in labels)  # the council of Maine-et-Loire is no party
    assert any("utilisateur de cpom" in label and "Nadia Benali" in label for label in labels)


def test_each_party_has_one_referent_and_naming_another_replaces_the_first(staffed_kit, users):
    referents = {m.organisation_label: m.name for m in services.referents(staffed_kit)}
    assert referents == {
        "Association Les Chemins de Loire": "Claire Martin",
        "ARS Pays de la Loire": "Nadia Benali",
        "Conseil départemental de Loire-Atlantique": "Julien Moreau",
    }
    roux = staffed_kit.members.get(name="Isabelle Roux")
    services.set_referent(users["asso"], staffed_kit, staffed_kit.version, roux.pk)
    referents = {m.organisation_label: m.name for m in services.referents(staffed_kit)}
    assert referents["Association Les Chemins de Loire"] == "Isabelle Roux"
    assert "Référent de Association Les Chemins de Loire : Isabelle Roux" in _journal(staffed_kit.contract)
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeMember.objects.filter(name="Claire Martin").update(is_referent=True)


def test_a_person_sits_once_and_a_stranger_never(staffed_kit, users):
    with pytest.raises(services.LaunchRefused, match="Claire Martin est déjà membre du comité de pilotage"):
        services.add_member(users["ars"], staffed_kit, staffed_kit.version, contact_choice("Claire", "Martin"))
    with pytest.raises(services.LaunchRefused, match="Membre du comité : choisissez un contact en fonction"):
        services.add_member(users["ars"], staffed_kit, staffed_kit.version, contact_choice("Sophie", "Garnier"))
    assert staffed_kit.members.count() == 4


def test_a_committee_change_on_an_outdated_page_is_refused_and_changes_nothing(staffed_kit, users):
    seen = staffed_kit.version
    services.set_referent(users["asso"], staffed_kit, seen, staffed_kit.members.get(name="Isabelle Roux").pk)
    with pytest.raises(StaleWrite):
        services.add_member(users["ars"], staffed_kit, seen, f"user:{users['cd44'].pk}")
    assert not staffed_kit.members.filter(user=users["cd44"]).exists()


def test_the_default_matrix_gives_each_step_one_a_and_an_r_and_the_acting_party_answers(raci_kit):
    names = {m.pk: m.name for m in raci_kit.members.all()}
    matrix = {step: {names[m]: r for m, r in row.items()} for step, row in services.matrix_of(raci_kit).items()}
    assert matrix["diagnostic"] == {
        "Claire Martin": "A",
        "Isabelle Roux": "R",
        "Nadia Benali": "C",
        "Julien Moreau": "C",
    }
    # The ARS has one member: its referent sends the final document, the association's referent answers for it.
    assert matrix["final_document"]["Nadia Benali"] == "R"
    assert matrix["final_document"]["Claire Martin"] == "A"
    # A joint step: the lead authority's referent answers, the association's does.
    assert matrix["objectives_meeting"] == {
        "Claire Martin": "R",
        "Nadia Benali": "A",
        "Isabelle Roux": "I",
        "Julien Moreau": "C",
    }
    assert matrix["co_signature"]["Julien Moreau"] == "R" and matrix["co_signature"]["Nadia Benali"] == "A"


def test_the_default_matrix_needs_the_referents(kit, users):
    with pytest.raises(services.LaunchRefused, match="désignez d'abord le référent"):
        services.apply_default_matrix(users["ars"], kit, kit.version)


def test_a_matrix_without_one_a_per_step_is_refused_with_every_step_named_and_nothing_changes(raci_kit, users):
    before = services.matrix_of(raci_kit)
    matrix = {step: dict(row) for step, row in before.items()}
    martin = raci_kit.members.get(name="Claire Martin").pk
    benali = raci_kit.members.get(name="Nadia Benali").pk
    matrix["diagnostic"][martin] = "R"  # no A left
    matrix["board"][benali] = "A"  # two A
    with pytest.raises(services.LaunchRefused) as refused:
        services.save_matrix(users["asso"], raci_kit, raci_kit.version, matrix)
    assert len(refused.value.reasons) == 2
    assert refused.value.reasons[0].startswith("Étape « 4. Renseignement par l'organisme gestionnaire")
    assert "la matrice en donne 2 personnes" in refused.value.reasons[1]
    assert services.matrix_of(raci_kit) == before


def test_a_cell_changed_is_saved_whole_and_audited_before_and_after(raci_kit, users):
    matrix = services.matrix_of(raci_kit)
    roux = raci_kit.members.get(name="Isabelle Roux").pk
    matrix["final_document"][roux] = "C"
    services.save_matrix(users["asso"], raci_kit, raci_kit.version, matrix)
    assert RaciCell.objects.get(kit=raci_kit, member_id=roux, activity="final_document").role == "C"
    entry = AuditEntry.objects.filter(action="Matrice RACI modifiée").latest("pk")
    step = "8. Transmission du document finalisé par l'autorité pour signature à l'organisme gestionnaire"
    assert entry.before[step]["Isabelle Roux"] == "I" and entry.after[step]["Isabelle Roux"] == "C"


def test_a_member_who_holds_an_a_or_an_r_cannot_leave_until_someone_else_does(raci_kit, users):
    roux = raci_kit.members.get(name="Isabelle Roux")
    with pytest.raises(services.LaunchRefused, match="Isabelle Roux est « A » ou « R » dans la matrice RACI"):
        services.remove_member(users["asso"], raci_kit, raci_kit.version, roux.pk)
    services.add_member(users["ars"], raci_kit, raci_kit.version, f"user:{users['cd44'].pk}")
    newcomer = raci_kit.members.get(user=users["cd44"])
    services.remove_member(users["ars"], raci_kit, raci_kit.version, newcomer.pk)
    assert not raci_kit.members.filter(pk=newcomer.pk).exists()


def test_ticking_a_point_keeps_who_and_when_with_the_comment_and_unticking_clears_them(kit, users):
    item = kit.checklist.get(code="perimeter")
    ticked = services.tick(users["asso"], item, item.version, True, "  Sept établissements.  ")
    assert ticked.is_ticked and ticked.ticked_by == users["asso"] and ticked.comment == "Sept établissements."
    assert ticked.ticked_by_organisation == "Association Les Chemins de Loire"
    with pytest.raises(StaleWrite):
        services.tick(users["ars"], item, item.version, False, "")
    unticked = services.tick(users["ars"], ticked, ticked.version, False, "À revoir")
    assert not unticked.is_ticked and unticked.ticked_by is None and unticked.comment == "À revoir"
    journal = _journal(kit.contract)
    assert any(a.startswith("Check-list de lancement :") and a.endswith("coché") for a in journal)


def test_the_schedule_counts_back_from_the_target_and_takes_the_steps_the_lifecycle_proves(kit):
    plan = services.schedule_of(kit, date(2026, 10, 20))
    assert plan.target == date(2026, 12, 15) and plan.progress[-1].planned.end == date(2026, 12, 15)
    done = {row.planned.step.code: row.done_on for row in plan.progress if row.done_on}
    # Programmed on 3 November 2025, launched on 19 January 2026, in negotiation since 14 September 2026.
    assert done["referral"] == date(2025, 11, 3)
    assert done["template"] == done["calendar"] == date(2026, 1, 19)
    assert done["diagnostic"] == done["diagnostic_meeting"] == date(2026, 9, 14)
    # The world's board deliberated on 28 September 2026.
    assert done["board"] == date(2026, 9, 28)
    assert plan.done_by["referral"] == "Constaté par le suivi du contrat"
    assert [row.planned.step.code for row in plan.late] == ["objective_sheets", "objectives_meeting", "final_document"]


def test_a_step_marked_done_with_its_date_leaves_the_late_ones(kit, users):
    services.mark_step_done(users["asso"], kit, "objective_sheets", date(2026, 9, 30), "Envoyées")
    plan = services.schedule_of(kit, date(2026, 10, 20))
    row = next(r for r in plan.progress if r.planned.step.code == "objective_sheets")
    assert row.status_label == "Fait en retard (26 j)"
    assert plan.done_by["objective_sheets"] == "Déclaré par Claire Martin (Association Les Chemins de Loire)"
    assert "objective_sheets" not in [r.planned.step.code for r in plan.late]
    with pytest.raises(services.LaunchRefused, match="est déjà déclarée réalisée"):
        services.mark_step_done(users["ars"], kit, "objective_sheets", date(2026, 10, 1))
    services.undo_step(users["asso"], kit, "objective_sheets")
    assert "objective_sheets" in [r.planned.step.code for r in services.schedule_of(kit, date(2026, 10, 20)).late]


def test_a_step_done_tomorrow_or_unknown_is_refused_in_french(kit, users):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(services.LaunchRefused, match="Date de réalisation : une étape ne peut pas"):
        services.mark_step_done(users["asso"], kit, "objective_sheets", tomorrow)
    with pytest.raises(services.LaunchRefused, match="Étape : cette étape n'est pas au rétroplanning"):
        services.mark_step_done(users["asso"], kit, "tea_break", date(2026, 9, 1))
    with pytest.raises(services.LaunchRefused, match="Date de réalisation : indiquez"):
        services.mark_step_done(users["asso"], kit, "objective_sheets", None)
    assert not kit.steps.exists()


def test_an_authority_sets_its_own_durations_merged_step_by_step(kit, settings):
    settings.CPOM_LAUNCH_BY_AUTHORITY = {"ARS-52": {"step_days": {"lead_signature": 20}}}
    plan = services.schedule_of(kit, date(2026, 10, 20))
    last = plan.progress[-1].planned
    assert (last.step.code, last.start) == ("lead_signature", date(2026, 11, 25))
    assert next(r for r in plan.progress if r.planned.step.code == "board").planned.days == 15


def test_without_a_target_date_there_is_no_schedule(kit):
    kit.contract.target_signature_date = None
    assert services.schedule_of(kit).progress == []
