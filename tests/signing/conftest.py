import pytest

from cpom.contracts import lifecycle
from cpom.contracts.models import State
from cpom.signing import services


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Minutes and signed scans go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ready_contract(ready_association_contract, users):
    """The world's association contract declared ready for signature by the ARS (its board has deliberated)."""
    lifecycle.transition(ready_association_contract, State.READY_FOR_SIGNATURE, users["ars"])
    return ready_association_contract


@pytest.fixture
def sent_version(ready_contract, users):
    """Its final version, sent for signature by the ARS today."""
    return services.send_for_signature(ready_contract, users["ars"])
