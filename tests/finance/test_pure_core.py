"""The pure finance modules import without Django, and their plain constants are the models' choices."""

import subprocess
import sys
from decimal import Decimal

import pytest

from cpom.finance.accounting import grouping
from cpom.finance.budget import envelope

PURE_MODULES = [
    "cpom.finance.accounting.fec",
    "cpom.finance.accounting.trial_balance",
    "cpom.finance.accounting.grouping",
    "cpom.finance.budget.envelope",
    "cpom.finance.trajectory.projection",
    "cpom.finance.trajectory.charts",
]


@pytest.mark.pure
@pytest.mark.parametrize("module", PURE_MODULES)
def test_a_pure_module_imports_without_django(module):
    blocked = f"import sys; sys.modules['django'] = None; import {module}; assert 'django' not in sys.modules or sys.modules['django'] is None"
    result = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.pure
def test_envelope_growth_rates_follow_the_mode():
    rate = Decimal("1.5")
    assert envelope.growth_rates(envelope.ANNUAL_AMENDMENT, rate, 0, 3) == [None, None, None]
    assert envelope.growth_rates(envelope.ZERO_RATE, rate, 2, 3) == [envelope.ZERO, envelope.ZERO, rate]
    assert envelope.growth_rates(envelope.ZERO_RATE, rate, 5, 3) == [envelope.ZERO] * 3
    assert envelope.growth_rates(envelope.AUTHORITY_RATE, rate, 2, 2) == [rate, rate]
    assert envelope.growth_rates(envelope.REGIONAL_RATE, rate, 0, 2) == [rate, rate]


def test_the_plain_constants_are_the_models_choices():
    from cpom.finance.models import FunctionalGroup, GrowthMode, Side

    assert set(envelope.GROWTH_MODES) == set(GrowthMode.values)
    assert (Side.EXPENSE.value, Side.INCOME.value) == (grouping.EXPENSE, grouping.INCOME)
    assert set(grouping.SIDES) == set(Side.values)
    assert grouping.GROUPS == envelope.GROUPS == tuple(FunctionalGroup.values)
