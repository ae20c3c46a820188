import pytest


@pytest.fixture
def ssiad(ehpad_contract):
    """The SSIAD du Baugeois of the world's EHPAD contract: 40 authorised places, 38 installed."""
    return ehpad_contract.establishments.get(category="SSIAD")
