"""The demo's year-3 review (cpom.demo.review_story), played on the test world's EHPAD contract, which has the demo's
cast: held on 12/10/2026, its relevé of four decisions signed by both sides and sealed, one opening an amendment."""

from datetime import date

import pytest

from cpom.amendments.models import AmendmentStatus, Trigger
from cpom.demo.review_story import load_demo_review
from cpom.registry.models import Authority
from cpom.reviews.models import AdjustmentAnswer, DecisionKind, ReviewState

pytestmark = pytest.mark.django_db


def test_the_ehpad_s_mid_term_review_is_held_with_its_signed_relevé_and_its_amendment_opened(ehpad_contract, users):
    authorities = {"ars": Authority.objects.get(members__user=users["ars"])}
    load_demo_review(ehpad_contract, {"users": users, "authorities": authorities, "bodies": {}})
    review = ehpad_contract.reviews.get()
    assert (review.year, review.day, review.state) == (3, date(2026, 10, 12), ReviewState.SEALED)
    assert review.title == "Dialogue de gestion de l'année 3 (mi-parcours, annuel)"
    assert review.decisions.count() == 4
    assert [s.signatory_name for s in review.signatures.order_by("signed_on")] == ["Paul Lefèvre", "Nadia Benali"]
    assert review.adjustments.get().answer == AdjustmentAnswer.ACCEPTED
    assert "après l'avis du conseil de la vie sociale" in review.decisions.get(number=3).text
    prepare = review.decisions.get(kind=DecisionKind.PREPARE_AMENDMENT)
    assert prepare.amendment.status == AmendmentStatus.DRAFT
    assert prepare.amendment.trigger == Trigger.MANAGEMENT_REVIEW
    assert {p.name for p in review.participants.all()} >= {"Paul Lefèvre", "Nadia Benali", "Sophie Garnier"}
    assert review.questions.count() == 1
