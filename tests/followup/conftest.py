from datetime import date

import pytest

import factories
from cpom.followup.models import Campaign, CampaignStatus
from cpom.indicators.models import Indicator, IndicatorValue
from cpom.objectives.models import FollowUpIndicator, Level, Objective, Status, Target
from cpom.registry.models import Authority


def computed_indicators(establishments, count: int):
    """Catalogue indicators for every category that the engine computed for ``establishments`` in 2021-2025."""
    ids = (
        IndicatorValue.objects.filter(establishment__in=establishments, value__isnull=False, indicator__declared=False)
        .values_list("indicator", flat=True)
        .distinct()
        .order_by("indicator")
    )
    every_category = [i for i in Indicator.objects.filter(pk__in=list(ids)).order_by("pk") if not i.categories]
    return every_category[:count]


@pytest.fixture
def followed(users):
    """A contract of the association's seven establishments (seven categories) from 2022, left unsigned so a test
    may give it objectives, with a campaign open in 2025 reviewing 2024 (N+2): two catalogue indicators due N+2 and
    N+4, and a declared one."""
    body = users["asso"].membership.managing_body
    ars = Authority.objects.get(members__user=users["ars"])
    contract = factories.contract(users["ars"], body, ars, start_date=date(2022, 1, 1))
    strategic = Objective.objects.create(
        contract=contract, level=Level.STRATEGIC, number="1", title="Qualité", status=Status.AGREED
    )
    first = Objective.objects.create(
        contract=contract,
        level=Level.OPERATIONAL,
        parent=strategic,
        number="1.1",
        title="Tenir",
        due_year=2,
        status=Status.AGREED,
    )
    second = Objective.objects.create(
        contract=contract,
        level=Level.OPERATIONAL,
        parent=strategic,
        number="1.2",
        title="Durer",
        status=Status.AGREED,
    )
    catalogue = computed_indicators(list(contract.establishments.all()), 2)
    for objective, indicator in zip((first, second), catalogue, strict=True):
        follow = FollowUpIndicator.objects.create(
            objective=objective,
            catalogue_indicator=indicator,
            label=indicator.label,
            kind=indicator.kind,
            value_type=indicator.value_type,
            unit=indicator.unit,
            direction="higher",
        )
        Target.objects.create(indicator=follow, due_year=objective.due_year or 4, value="50")
    declared = FollowUpIndicator.objects.create(
        objective=first, label="Plan d'actions qualité adopté", kind="moyens", value_type="boolean", direction="none"
    )
    Target.objects.create(indicator=declared, due_year=2, value="oui")
    campaign = Campaign.objects.create(
        contract=contract,
        year=2025,
        reviewed_year=2024,
        status=CampaignStatus.OPEN,
        opened_on=date(2025, 5, 5),
        opened_by=users["ars"],
        report_deadline=date(2025, 6, 5),
    )
    return campaign
