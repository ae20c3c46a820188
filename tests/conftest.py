import pytest
from django.contrib.auth import get_user_model

from cpom.contracts.models import Contract
from cpom.demo.loader import load_demo

DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


def pytest_collection_modifyitems(items):
    """A test marked ``pure`` that reaches the database is a mistake: ``-m pure`` must run without one."""
    for item in items:
        if item.get_closest_marker("pure") and (
            item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        ):
            raise pytest.UsageError(f"{item.nodeid} est marqué « pure » mais demande la base de données.")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo is the shared fixture: loaded once, each test rolls its changes back."""
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def users(db):
    User = get_user_model()
    return {u.username: u for u in User.objects.select_related("membership")}


@pytest.fixture
def association_contract(db):
    return Contract.objects.get(reference="CPOM-PDL-2027-044-01")


@pytest.fixture
def ehpad_contract(db):
    return Contract.objects.get(reference="CPOM-PDL-2024-049-07")


@pytest.fixture
def client_for(client, users):
    def log_in(username):
        client.force_login(users[username])
        return client

    return log_in


def complete_operational_objective(contract, users, number_suffix="", agree=True):
    """A strategic objective and an operational one that pass every readiness rule, agreed by every party."""
    from datetime import date

    from cpom.diagnostic.models import Finding
    from cpom.diagnostic.services import diagnostic_for
    from cpom.objectives import negotiation, services
    from cpom.objectives.models import Level

    proposer = users["asso"] if contract.managing_body.members.filter(user=users["asso"]).exists() else users["ehpad"]
    diagnostic = diagnostic_for(contract)
    finding = Finding.objects.create(
        diagnostic=diagnostic,
        section=diagnostic.template.sections.get(code="1.3.4"),
        text="Absentéisme élevé des équipes",
        nature="difficulty",
        level="managing_body",
        organisation_label=str(contract.managing_body),
    )
    strategic = services.propose(
        contract, proposer, {"level": Level.STRATEGIC, "title": f"Qualité de vie au travail{number_suffix}"}
    )
    operational = services.propose(
        contract,
        proposer,
        {
            "level": Level.OPERATIONAL,
            "parent": strategic,
            "title": f"Réduire l'absentéisme{number_suffix}",
            "due_year": 2,
            "findings": [finding],
            "establishments": list(contract.establishments.all()[:1]),
        },
        sheet={
            "pilot": "Directrice des ressources humaines",
            "context": "Absentéisme au-dessus de la médiane régionale.",
        },
    )
    operational = services.save_milestone(
        operational,
        proposer,
        "Plan de prévention adopté",
        date(contract.start_date.year + 1, 6, 30),
        operational.version,
    )
    operational = services.save_indicator(
        operational,
        proposer,
        {
            "catalogue_indicator": None,
            "label": "Taux d'absentéisme",
            "kind": "resultats",
            "value_type": "percentage",
            "method": "Jours d'absence ÷ jours théoriques travaillés × 100",
            "unit": "%",
            "data_source": "Logiciel de paie",
            "direction": "lower",
            "baseline_value": "9,5",
            "baseline_date": date(2025, 12, 31),
        },
        {1: "8,5", 2: "7"},
        operational.version,
    )
    if agree:
        for objective in (strategic, operational):
            objective.refresh_from_db()
            for username in [
                u
                for u in ("ars", "cd44", "cd49")
                if contract.parties.filter(authority__members__user__username=u).exists()
            ]:
                negotiation.agree(objective, users[username], objective.version)
    operational.refresh_from_db()
    return strategic, operational


@pytest.fixture
def ready_association_contract(db, users):
    """The association's contract with one complete, agreed objective and nothing else: ready for signature."""
    association_contract = Contract.objects.get(reference="CPOM-PDL-2027-044-01")
    association_contract.objectives.all().delete()
    complete_operational_objective(association_contract, users)
    association_contract.refresh_from_db()
    return association_contract
