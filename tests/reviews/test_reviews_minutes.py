"""A review of the EHPAD's contract from planning to the sealed relevé: who may do what, what each step records, what
the database refuses once sealed, and the amendment a decision opens."""

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from cpom.amendments.models import AmendmentStatus, Trigger
from cpom.audit.models import AuditEntry
from cpom.core.locking import StaleWrite
from cpom.reviews import seal, services
from cpom.reviews.models import (
    AdjustmentAnswer,
    Decision,
    DecisionKind,
    DecisionStatus,
    MinutesSignature,
    Review,
    ReviewState,
)

pytestmark = pytest.mark.django_db
DAY = date(2026, 10, 12)


def _plan(contract, users, year=3, day=DAY):
    return services.plan_review(contract, users["ars"], {"year": year, "day": day, "place": "Délégation d'Angers"})


def _decision(review, users, kind=DecisionKind.CORRECTIVE_MEASURE, text="Plan de retour à l'activité du SSIAD", **more):
    review.refresh_from_db()
    data = {"kind": kind, "text": text, "owner": "managing_body", "due_date": date(2027, 3, 31), **more}
    return services.add_decision(review, users["ars"], data, review.version)


def _held(contract, users, year=3, day=DAY):
    review = _plan(contract, users, year, day)
    return services.hold(review, users["ars"], review.version, today=day)


def _sealed(contract, users):
    review = _held(contract, users)
    _decision(review, users)
    _decision(review, users, DecisionKind.PREPARE_AMENDMENT, "Préparer l'avenant de l'extension de l'accueil de jour")
    review.refresh_from_db()
    services.send_for_signature(review, users["ars"], review.version)
    for name, who in (("ehpad", "Paul Lefèvre"), ("ars", "Nadia Benali")):
        review.refresh_from_db()
        services.sign(review, users[name], {"signatory_name": who, "signatory_title": "Directeur"}, review.version)
    review.refresh_from_db()
    return review


def test_the_lead_authority_plans_a_review_with_every_party_s_contacts_in_office_that_day(ehpad_contract, users):
    review = _plan(ehpad_contract, users)
    assert review.title == "Dialogue de gestion de l'année 3 (mi-parcours, annuel)"
    assert review.state == ReviewState.PLANNED
    names = {(p.name, p.role, p.organisation) for p in review.participants.all()}
    assert ("Paul Lefèvre", "Directeur", "EHPAD public Les Tilleuls") in names
    assert ("Nadia Benali", "Chargée de contractualisation", "ARS Pays de la Loire") in names
    assert ("Sophie Garnier", "Cheffe du service autonomie", "Conseil départemental de Maine-et-Loire") in names
    assert "Claire Martin" not in {p.name for p in review.participants.all()}
    journal = AuditEntry.objects.filter(object_type="contracts.contract", object_id=str(ehpad_contract.pk))
    assert journal.filter(action="Dialogue de gestion de l'année 3 : planifié").exists()


def test_planning_is_refused_to_the_managing_body_and_for_a_date_outside_the_contract(ehpad_contract, users):
    with pytest.raises(services.ReviewRefused, match="Seule l'autorité cheffe de file planifie"):
        services.plan_review(ehpad_contract, users["ehpad"], {"year": 3, "day": DAY, "place": "Angers"})
    with pytest.raises(services.ReviewRefused) as refused:
        services.plan_review(ehpad_contract, users["ars"], {"year": 3, "day": date(2030, 1, 1), "place": "Angers"})
    assert refused.value.reasons == ["Date : le dialogue se tient pendant le contrat, du 01/01/2024 au 31/12/2028."]
    _plan(ehpad_contract, users)
    with pytest.raises(services.ReviewRefused, match="Année du contrat : le dialogue de l'année 3 est déjà planifié"):
        _plan(ehpad_contract, users)
    assert Review.objects.filter(contract=ehpad_contract).count() == 1


def test_a_review_without_a_date_takes_the_day_the_rules_propose_and_the_default_place(ehpad_contract, users):
    review = services.plan_review(ehpad_contract, users["ars"], {"year": 5})
    assert (review.day, review.place) == (date(2028, 10, 15), "Délégation territoriale de l'ARS")
    assert review.kind == "final"


def test_the_managing_body_sends_its_questions_before_the_review_and_they_are_on_its_agenda(ehpad_contract, users):
    review = _plan(ehpad_contract, users)
    services.ask_question(review, users["ehpad"], "L'extension de l'accueil de jour peut-elle être financée en 2027 ?")
    with pytest.raises(services.ReviewRefused, match="Seul l'organisme gestionnaire transmet"):
        services.ask_question(review, users["ars"], "Une question")
    with pytest.raises(services.ReviewRefused, match="Question : écrivez"):
        services.ask_question(review, users["ehpad"], "  ")
    assert [q.text for q in services.agenda(review).questions] == [
        "L'extension de l'accueil de jour peut-elle être financée en 2027 ?"
    ]


def test_a_review_is_held_only_on_or_after_its_date(ehpad_contract, users):
    review = _plan(ehpad_contract, users)
    with pytest.raises(services.ReviewRefused, match="prévu le 12/10/2026 : il ne peut pas être tenu avant"):
        services.hold(review, users["ars"], review.version, today=date(2026, 10, 11))
    held = services.hold(review, users["ars"], review.version, today=DAY)
    assert held.state == ReviewState.HELD


def test_a_decision_names_its_fields_when_refused_and_nothing_is_written(ehpad_contract, users):
    review = _held(ehpad_contract, users)
    with pytest.raises(services.ReviewRefused) as refused:
        services.add_decision(
            review, users["ars"], {"kind": "", "text": " ", "owner": "x", "due_date": date(2026, 1, 1)}, review.version
        )
    assert refused.value.reasons == [
        "Type : choisissez le type de la décision.",
        "Décision : écrivez ce qui est décidé.",
        "Porteur : choisissez l'organisme gestionnaire ou une autorité partie au contrat.",
        "Échéance : elle suit la date du dialogue (12/10/2026).",
    ]
    assert not review.decisions.exists()


def test_a_decision_owned_by_a_person_of_another_organisation_is_refused(ehpad_contract, users):
    review = _held(ehpad_contract, users)
    with pytest.raises(services.ReviewRefused, match="Personne porteuse : elle appartient"):
        _decision(review, users, owner_person=users["ars"])
    decision = _decision(review, users, owner_person=users["ehpad"])
    assert services.owner_label(decision) == "EHPAD public Les Tilleuls (Paul Lefèvre)"


def test_the_managing_body_proposes_an_adjustment_the_authority_accepts_or_not_and_both_are_kept(ehpad_contract, users):
    review = _held(ehpad_contract, users)
    first = _decision(review, users)
    second = _decision(review, users, DecisionKind.DOCUMENT_TO_SEND, "Transmettre le bilan du SSIAD")
    accepted = services.propose_adjustment(first, users["ehpad"], "Plan de retour à l'activité du SSIAD d'ici juin")
    refused = services.propose_adjustment(second, users["ehpad"], "Ne rien transmettre", "Déjà transmis")
    with pytest.raises(services.ReviewRefused, match="Seul l'organisme gestionnaire propose"):
        services.propose_adjustment(first, users["ars"], "Autre chose")
    review.refresh_from_db()
    with pytest.raises(services.ReviewRefused, match="attend votre réponse"):
        services.send_for_signature(review, users["ars"], review.version)
    services.answer_adjustment(accepted, users["ars"], True)
    with pytest.raises(services.ReviewRefused, match="Commentaire : dites pourquoi"):
        services.answer_adjustment(refused, users["ars"], False)
    services.answer_adjustment(refused, users["ars"], False, "Le bilan 2026 reste attendu.")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.text == "Plan de retour à l'activité du SSIAD d'ici juin"
    assert second.text == "Transmettre le bilan du SSIAD"
    answers = {a.previous_text: a.answer for a in review.adjustments.all()}
    assert answers == {
        "Plan de retour à l'activité du SSIAD": AdjustmentAnswer.ACCEPTED,
        "Transmettre le bilan du SSIAD": AdjustmentAnswer.REFUSED,
    }


def test_both_sides_sign_the_hash_of_the_relevé_sent_then_it_is_sealed(ehpad_contract, users):
    review = _held(ehpad_contract, users)
    review.refresh_from_db()
    with pytest.raises(services.ReviewRefused, match="aucune décision"):
        services.send_for_signature(review, users["ars"], review.version)
    _decision(review, users)
    review.refresh_from_db()
    sent = services.send_for_signature(review, users["ars"], review.version)
    assert sent.state == ReviewState.SIGNING
    assert sent.content_sha256 == services.content_hash(services.minutes_snapshot(sent))
    assert sent.snapshot["decisions"][0]["text"] == "Plan de retour à l'activité du SSIAD"
    signer = {"signatory_name": "Sophie Garnier", "signatory_title": "Vice-présidente"}
    with pytest.raises(services.ReviewRefused, match="l'autorité cheffe de file signe"):
        services.sign(sent, users["cd49"], signer, sent.version)
    with pytest.raises(services.ReviewRefused) as refused:
        services.sign(sent, users["ehpad"], {"signatory_name": "", "signatory_title": ""}, sent.version)
    assert refused.value.reasons == [
        "Nom du signataire : indiquez qui signe.",
        "Qualité du signataire : indiquez à quel titre il signe.",
    ]
    services.sign(
        sent, users["ehpad"], {"signatory_name": "Paul Lefèvre", "signatory_title": "Directeur"}, sent.version
    )
    sent.refresh_from_db()
    assert sent.state == ReviewState.SIGNING
    with pytest.raises(services.ReviewRefused, match="déjà signé"):
        services.sign(sent, users["ehpad"], {"signatory_name": "P", "signatory_title": "D"}, sent.version)
    services.sign(sent, users["ars"], {"signatory_name": "Nadia Benali", "signatory_title": "DGA"}, sent.version)
    sent.refresh_from_db()
    assert sent.state == ReviewState.SEALED and sent.sealed_at is not None
    assert set(MinutesSignature.objects.filter(review=sent).values_list("signed_hash", flat=True)) == {
        sent.content_sha256
    }


def test_a_write_based_on_an_older_copy_is_refused(ehpad_contract, users):
    review = _plan(ehpad_contract, users)
    with pytest.raises(StaleWrite):
        services.hold(review, users["ars"], review.version - 1, today=DAY)
    assert Review.objects.get(pk=review.pk).state == ReviewState.PLANNED


def _sql(statement: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_database_refuses_any_change_to_a_sealed_relevé_and_to_its_decisions_text(ehpad_contract, users):
    review = _sealed(ehpad_contract, users)
    decision = review.decisions.first()
    for statement, params, message in (
        ("UPDATE reviews_review SET summary = 'autre' WHERE id = %s", [review.pk], seal.REVIEW_MESSAGE),
        ("DELETE FROM reviews_review WHERE id = %s", [review.pk], seal.REVIEW_MESSAGE),
        ("UPDATE reviews_decision SET text = 'autre' WHERE id = %s", [decision.pk], seal.DECISIONS_MESSAGE),
        ("UPDATE reviews_decision SET due_date = '2030-01-01' WHERE id = %s", [decision.pk], seal.DECISIONS_MESSAGE),
        ("DELETE FROM reviews_decision WHERE id = %s", [decision.pk], seal.DECISIONS_MESSAGE),
        ("DELETE FROM reviews_participant WHERE review_id = %s", [review.pk], seal.PARTICIPANTS_MESSAGE),
        ("DELETE FROM reviews_minutessignature WHERE review_id = %s", [review.pk], seal.SIGNATURE_MESSAGE),
    ):
        with pytest.raises(DatabaseError, match=message[:40]):
            _sql(statement, params)
    # The status stays open to change, audited.
    services.set_status(decision, users["ehpad"], DecisionStatus.DONE, "Plan adopté", decision.version)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DONE
    assert AuditEntry.objects.filter(
        object_type="reviews.decision", object_id=str(decision.pk), action="Décision n° 1 : réalisée"
    ).exists()


def test_a_signature_on_another_hash_is_refused_by_the_database(ehpad_contract, users):
    review = _held(ehpad_contract, users)
    _decision(review, users)
    review.refresh_from_db()
    services.send_for_signature(review, users["ars"], review.version)
    with pytest.raises(DatabaseError, match=seal.SIGNATURE_MESSAGE[:40]):
        _sql(
            "INSERT INTO reviews_minutessignature (review_id, side, user_id, organisation_label, signatory_name, "
            "signatory_title, signed_on, signed_hash, recorded_at) "
            "VALUES (%s, 'managing_body', %s, 'x', 'x', 'x', '2026-10-20', %s, '2026-10-20 10:00:00')",
            [review.pk, users["ehpad"].pk, "0" * 64],
        )


def test_the_decision_to_prepare_an_amendment_opens_its_draft_linked_to_it(ehpad_contract, users):
    review = _sealed(ehpad_contract, users)
    corrective, prepare = review.decisions.order_by("number")
    with pytest.raises(services.ReviewRefused, match="Seule une décision « Préparer un avenant »"):
        services.open_amendment(corrective, users["ars"], corrective.version)
    amendment = services.open_amendment(prepare, users["ehpad"], prepare.version)
    prepare.refresh_from_db()
    assert prepare.amendment == amendment
    assert amendment.status == AmendmentStatus.DRAFT and amendment.trigger == Trigger.MANAGEMENT_REVIEW
    assert amendment.summary.startswith("Préparer l'avenant de l'extension de l'accueil de jour (décision n° 2")
    with pytest.raises(services.ReviewRefused, match="a déjà ouvert l'avenant"):
        services.open_amendment(prepare, users["ehpad"], prepare.version)


def test_the_open_decisions_appear_on_the_next_review_s_agenda(ehpad_contract, users):
    review = _sealed(ehpad_contract, users)
    done = review.decisions.get(number=1)
    services.set_status(done, users["ars"], DecisionStatus.DONE, "", done.version)
    following = _plan(ehpad_contract, users, year=4, day=date(2027, 10, 11))
    assert [(d.review.year, d.number) for d in services.agenda(following).previous_decisions] == [(3, 2)]


def test_a_decision_s_status_is_set_by_its_owner_side_or_the_lead_and_a_drop_says_why(ehpad_contract, users):
    review = _sealed(ehpad_contract, users)
    decision = review.decisions.get(number=1)
    with pytest.raises(services.ReviewRefused, match="tenu par la partie qui la porte"):
        services.set_status(decision, users["cd49"], DecisionStatus.DONE, "", decision.version)
    with pytest.raises(services.ReviewRefused, match="Commentaire : dites pourquoi la décision est abandonnée"):
        services.set_status(decision, users["ehpad"], DecisionStatus.DROPPED, "", decision.version)
    assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.OPEN


def test_the_lead_authority_s_own_rules_stand_for_the_platform_s(ehpad_contract, settings):
    settings.CPOM_REVIEWS_BY_AUTHORITY = {"ARS-52": {"yearly": False, "preferred_month": 6}}
    assert [(p.year, p.kind, p.day) for p in services.proposed(ehpad_contract)] == [
        (3, "mid_term", date(2026, 6, 15)),
        (4, "renewal", date(2027, 6, 15)),
        (5, "final", date(2028, 6, 15)),
    ]


def test_moving_a_planned_review_draws_its_participants_again_at_the_new_date(ehpad_contract, users):
    from cpom.registry.models import Contact

    review = _plan(ehpad_contract, users)
    Contact.objects.filter(last_name="Garnier").update(end_date=date(2026, 12, 31))
    Contact.objects.create(
        first_name="Léa",
        last_name="Robin",
        role="Cheffe du service autonomie",
        start_date=date(2027, 1, 1),
        authority=Contact.objects.get(last_name="Garnier").authority,
    )
    moved = services.update_review(review, users["ars"], {"day": date(2027, 1, 18), "place": "Angers"}, review.version)
    names = {p.name for p in moved.participants.all()}
    assert "Léa Robin" in names and "Sophie Garnier" not in names
    with pytest.raises(services.ReviewRefused, match="Lieu : indiquez où"):
        services.update_review(moved, users["ars"], {"day": date(2027, 1, 18), "place": " "}, moved.version)


def test_a_draft_decision_is_edited_or_removed_by_the_lead_until_the_relevé_is_sent(ehpad_contract, users):
    review = _held(ehpad_contract, users)
    decision = _decision(review, users)
    data = {
        "kind": DecisionKind.ADJUST_ACTION,
        "text": "Revoir la fiche action 2.1",
        "owner": "managing_body",
        "due_date": date(2027, 6, 30),
    }
    edited = services.update_decision(decision, users["ars"], data, decision.version)
    assert (edited.kind, edited.text) == (DecisionKind.ADJUST_ACTION, "Revoir la fiche action 2.1")
    with pytest.raises(services.ReviewRefused, match="Seule l'autorité cheffe de file rédige"):
        services.update_decision(edited, users["ehpad"], data, edited.version)
    services.remove_decision(edited, users["ars"], edited.version)
    assert not Decision.objects.filter(pk=decision.pk).exists()


def test_the_database_holds_every_trigger_the_seal_writes_today():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'reviews!_%' ESCAPE '!'"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'reviews!_%' ESCAPE '!'"
            )
        installed = {name for (name,) in cursor.fetchall()}
    written = {
        statement.split()[2]
        for statement in seal.statements(connection.vendor)
        if statement.startswith("CREATE TRIGGER")
    }
    assert installed == written and len(written) >= 4
