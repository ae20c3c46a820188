"""The demo's avenant n° 1 (cpom.demo.amendment_story), played on the test world's EHPAD contract, which has the
demo's cast and establishments, signed through the circuit (cpom.signing.services.sign)."""

from decimal import Decimal

import pytest

from cpom.amendments.models import AmendmentStatus
from cpom.signing.models import VersionStatus

pytestmark = pytest.mark.django_db


def test_the_ehpad_contract_carries_its_signed_capacity_extension(ehpad_contract, users):
    from cpom.demo.amendment_story import _care_line, load_demo_amendment

    ssiad = ehpad_contract.establishments.get(category="SSIAD")
    care_before = _care_line(ehpad_contract, ssiad).amount
    amendment = load_demo_amendment(ehpad_contract, users)
    ssiad.refresh_from_db()
    assert amendment.status == AmendmentStatus.APPLIED
    assert (ssiad.authorised_places, ssiad.installed_places) == (45, 43)
    assert _care_line(ehpad_contract, ssiad).amount == (care_before * 45 / 40).quantize(Decimal("0.01"))
    version = amendment.version_sent
    assert (version.number, version.status) == (1, VersionStatus.SEALED)
    assert [s.party_key for s in version.signatures.order_by("signed_on")] == version.signature_order
