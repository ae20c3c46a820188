import pytest

from cpom.launch import services
from cpom.registry.models import Contact


def contact_choice(first: str, last: str) -> str:
    return f"contact:{Contact.objects.get(first_name=first, last_name=last).pk}"


@pytest.fixture
def kit(association_contract, users):
    """The association's kit, created by the ARS, with no member yet."""
    return services.create_kit(users["ars"], association_contract)


@pytest.fixture
def staffed_kit(kit, users):
    """The kit with its committee: the association's director (referent) and financial director, the ARS's
    contracting officer (referent), the department's pricing officer (referent)."""
    for first, last, referent in [
        ("Claire", "Martin", True),
        ("Isabelle", "Roux", False),
        ("Nadia", "Benali", True),
        ("Julien", "Moreau", True),
    ]:
        services.add_member(users["ars"], kit, kit.version, contact_choice(first, last), referent)
    return kit


@pytest.fixture
def raci_kit(staffed_kit, users):
    services.apply_default_matrix(users["ars"], staffed_kit, staffed_kit.version)
    return staffed_kit
