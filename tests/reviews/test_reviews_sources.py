"""What the reviews give the deadlines and the contract's history: the review to prepare, the relevé to sign, each
open decision for its owner (and its person), in bulk; and every step with who did it."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpom import deadline_sources, history_sources
from cpom.contracts.models import Contract
from cpom.reviews import services
from cpom.reviews.models import DecisionKind, DecisionStatus

pytestmark = pytest.mark.django_db
DAY = date(2026, 10, 12)


def _decide(review, users, **more):
    review.refresh_from_db()
    data = {
        "kind": DecisionKind.DOCUMENT_TO_SEND,
        "text": "Transmettre le plan de prévention des chutes",
        "owner": "managing_body",
        "due_date": date(2026, 12, 15),
        **more,
    }
    return services.add_decision(review, users["ars"], data, review.version)


def _ours(items):
    return [d for d in items if d.kind in {"review", "minutes_signature", "decision"}]


def test_a_planned_review_and_each_open_decision_are_deadlines_of_their_contract(ehpad_contract, users):
    planned = services.plan_review(
        ehpad_contract, users["ars"], {"year": 4, "day": date(2027, 10, 11), "place": "Angers"}
    )
    held = services.plan_review(ehpad_contract, users["ars"], {"year": 3, "day": DAY, "place": "Angers"})
    held = services.hold(held, users["ars"], held.version, today=DAY)
    decision = _decide(held, users, owner_person=users["ehpad"])
    items = _ours(deadline_sources.collect([ehpad_contract]))
    by_kind = {d.kind: d for d in items}
    review = by_kind["review"]
    assert (review.day, review.side, review.key) == (date(2027, 10, 11), "", f"review:{planned.pk}:2027-10-11")
    assert review.label == (
        "CPOM-PDL-2024-049-07 — Dialogue de gestion de l'année 4 (préparation du renouvellement, annuel) : "
        "le 11/10/2027, Angers"
    )
    due = by_kind["decision"]
    assert (due.day, due.side, due.person_id) == (date(2026, 12, 15), "managing_body", users["ehpad"].pk)
    assert due.label == (
        "CPOM-PDL-2024-049-07 — Décision n° 1 du dialogue de l'année 3 : Transmettre le plan de prévention des chutes"
    )
    assert due.url.endswith(f"/dialogues/{held.pk}/#decision-{decision.pk}")
    services.send_for_signature(held, users["ars"], held.version + 1)
    held.refresh_from_db()
    services.sign(
        held, users["ehpad"], {"signatory_name": "Paul Lefèvre", "signatory_title": "Directeur"}, held.version
    )
    signing = {d.kind: d for d in _ours(deadline_sources.collect([ehpad_contract]))}["minutes_signature"]
    assert signing.side == "authority"
    assert signing.day == held.sent_at.date().fromordinal(held.sent_at.date().toordinal() + 30)
    held.refresh_from_db()
    services.sign(held, users["ars"], {"signatory_name": "Nadia Benali", "signatory_title": "DGA"}, held.version)
    decision.refresh_from_db()
    services.set_status(decision, users["ehpad"], DecisionStatus.DONE, "Transmis", decision.version)
    assert {d.kind for d in _ours(deadline_sources.collect([ehpad_contract]))} == {"review"}


def test_the_source_asks_the_same_queries_for_one_contract_or_many(ehpad_contract, association_contract, users):
    held = services.plan_review(ehpad_contract, users["ars"], {"year": 3, "day": DAY, "place": "Angers"})
    held = services.hold(held, users["ars"], held.version, today=DAY)
    _decide(held, users)
    from cpom.reviews.sources import deadlines

    one = list(Contract.objects.filter(pk=ehpad_contract.pk).prefetch_related("parties__authority"))
    many = list(Contract.objects.prefetch_related("parties__authority"))
    counts = []
    for contracts in (one, many):
        with CaptureQueriesContext(connection) as queries:
            deadlines(contracts)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3


def test_the_history_tells_every_step_with_who_did_it(ehpad_contract, users):
    review = services.plan_review(ehpad_contract, users["ars"], {"year": 3, "day": DAY, "place": "Angers"})
    review = services.hold(review, users["ars"], review.version, today=DAY)
    decision = _decide(review, users)
    review.refresh_from_db()
    review = services.send_for_signature(review, users["ars"], review.version)
    for name, who in (("ehpad", "Paul Lefèvre"), ("ars", "Nadia Benali")):
        review.refresh_from_db()
        services.sign(review, users[name], {"signatory_name": who, "signatory_title": "Signataire"}, review.version)
    decision.refresh_from_db()
    services.set_status(decision, users["ehpad"], DecisionStatus.DONE, "", decision.version)
    events = list(history_sources.collect(ehpad_contract, ["review", "decision"]))
    labels = [e.label for e in events]
    assert "Dialogue de gestion de l'année 3 (mi-parcours, annuel) planifié le 12/10/2026" in labels
    assert "Dialogue de gestion de l'année 3 (mi-parcours, annuel) tenu" in labels
    assert "Relevé de décisions du dialogue de l'année 3 signé par EHPAD public Les Tilleuls" in labels
    assert "Relevé de décisions du dialogue de l'année 3 scellé" in labels
    assert "Décision n° 1 inscrite (dialogue de l'année 3)" in labels
    done = next(e for e in events if e.label == "Décision n° 1 : réalisée (dialogue de l'année 3)")
    assert (done.person, done.organisation) == ("Paul Lefèvre", "EHPAD public Les Tilleuls")
    planned = next(e for e in events if e.label.endswith("planifié le 12/10/2026"))
    assert (planned.person, planned.organisation) == ("Nadia Benali", "ARS Pays de la Loire")


def test_a_held_review_s_relevé_is_for_the_authority_to_draft_within_its_days(ehpad_contract, users, settings):
    settings.CPOM_REVIEWS_BY_AUTHORITY = {"ARS-52": {"minutes_days": 10}}
    held = services.plan_review(ehpad_contract, users["ars"], {"year": 3, "day": DAY, "place": "Angers"})
    services.hold(held, users["ars"], held.version, today=DAY)
    (due,) = _ours(deadline_sources.collect([ehpad_contract]))
    assert (due.kind, due.day, due.side) == ("review", date(2026, 10, 22), "authority")
    assert due.label == "CPOM-PDL-2024-049-07 — Relevé de décisions du dialogue de l'année 3 à rédiger et envoyer"
