from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from cpom.contracts.models import Contract, State
from cpom.registry.identifiers import validate_finess
from cpom.registry.models import Establishment


def _counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label.startswith(("registry", "contracts", "accounts"))}


def test_demo_is_idempotent(db):
    before = _counts()
    call_command("demo", verbosity=0)
    assert _counts() == before


def test_demo_matches_the_story(association_contract, ehpad_contract):
    assert association_contract.state == State.NEGOTIATION
    categories = sorted(association_contract.establishments.values_list("category", flat=True))
    assert categories == ["ESAT", "FAM", "FV", "IME", "MAS", "SAVS", "SESSAD"]
    assert {p.authority.name for p in association_contract.parties.all()} == {"ARS Pays de la Loire", "Conseil départemental de Loire-Atlantique"}
    assert ehpad_contract.state == State.IN_FORCE
    assert sorted(ehpad_contract.establishments.values_list("category", flat=True)) == ["EHPAD", "SSIAD"]
    assert ehpad_contract.start_date.year == 2024  # third year in 2026
    assert Contract.objects.count() == 2


def test_every_demo_finess_is_valid(db):
    for finess in Establishment.objects.values_list("finess", flat=True):
        validate_finess(finess)


def test_demo_users_log_in_with_the_readme_password(db):
    for username in ["asso", "ehpad", "ars", "cd44", "cd49", "admin"]:
        assert authenticate(username=username, password="cpom-demo-2026") is not None, username
