"""The means through the API: /contracts/{id}/budget/ (the reference budget's table, daily prices, growth),
/contracts/{id}/envelopes/ (the common envelopes, shares and douzièmes) and /contracts/{id}/scenarios/ (each
scenario's assumptions and trajectory), computed by the services the budget and trajectory pages use."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from cpom.finance.budget import services as budget_service
from cpom.finance.trajectory import services as trajectory_service

from .querying import listed, page_of


def money(**options):
    """Amounts in euros, to the cent, as strings (exact: no float rounding on the way)."""
    return serializers.DecimalField(max_digits=None, decimal_places=2, **options)


def percent(**options):
    return serializers.DecimalField(max_digits=None, decimal_places=4, **options)


class GroupAmountSerializer(serializers.Serializer):
    group = serializers.IntegerField()
    amount = money()


class FunderAmountSerializer(serializers.Serializer):
    funder = serializers.CharField()
    amount = money()


class AmountsSerializer(serializers.Serializer):
    """One column of the model contract's table: expenses and income by functional group (I to III), the tariff
    income by funder, the totals and the result."""

    expenses = serializers.SerializerMethodField()
    income = serializers.SerializerMethodField()
    tariff = serializers.SerializerMethodField()
    total_expenses = money()
    total_income = money()
    result = money()

    @extend_schema_field(GroupAmountSerializer(many=True))
    def get_expenses(self, amounts):
        return GroupAmountSerializer([{"group": g, "amount": a} for g, a in amounts.expenses.items()], many=True).data

    @extend_schema_field(GroupAmountSerializer(many=True))
    def get_income(self, amounts):
        return GroupAmountSerializer([{"group": g, "amount": a} for g, a in amounts.income.items()], many=True).data

    @extend_schema_field(FunderAmountSerializer(many=True))
    def get_tariff(self, amounts):
        return FunderAmountSerializer([{"funder": f, "amount": a} for f, a in amounts.tariff.items()], many=True).data


class ColumnSerializer(serializers.Serializer):
    establishment = serializers.CharField(source="establishment.finess", allow_null=True, default=None)
    amounts = AmountsSerializer()


class DailyPriceSerializer(serializers.Serializer):
    establishment = serializers.CharField(source="establishment.finess")
    funder = serializers.CharField()
    funder_label = serializers.CharField()
    net_expenses = money()
    days = serializers.IntegerField(allow_null=True)
    price = money(allow_null=True)
    reason = serializers.CharField()


class GrowthSerializer(serializers.Serializer):
    authority = serializers.CharField(source="authority.name")
    mode = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    rate = percent()
    zero_rate_years = serializers.IntegerField()
    contradictory = serializers.BooleanField(allow_null=True)


class BudgetSerializer(serializers.Serializer):
    """The reference budget as its page shows it: a column per establishment of the perimeter, then the whole
    perimeter (establishment null); an empty budget has every amount at zero."""

    base_year = serializers.IntegerField()
    version = serializers.IntegerField()
    saved = serializers.BooleanField()
    columns = ColumnSerializer(many=True)
    daily_prices = DailyPriceSerializer(many=True)
    growths = GrowthSerializer(many=True)
    outside = serializers.ListField(child=serializers.CharField(), help_text="Établissements sortis du périmètre.")


class InstalmentsSerializer(serializers.Serializer):
    regular = money()
    last = money()


class ShareSerializer(serializers.Serializer):
    establishment = serializers.CharField(source="establishment.finess")
    amount = money()
    percentage = percent(source="shown_percentage")
    instalments = InstalmentsSerializer()


class EnvelopeYearSerializer(serializers.Serializer):
    label = serializers.CharField()
    year = serializers.IntegerField()
    rate = percent(allow_null=True, help_text="Null : fixé par avenant.")
    amount = money(allow_null=True)


class EnvelopeSerializer(serializers.Serializer):
    funder = serializers.CharField()
    label = serializers.CharField()
    authority = serializers.CharField(source="authority.name", allow_null=True, default=None)
    amount = money()
    places = serializers.IntegerField()
    instalments = InstalmentsSerializer()
    growth = GrowthSerializer(allow_null=True)
    shares = ShareSerializer(many=True)
    years = EnvelopeYearSerializer(many=True)


class SumsSerializer(serializers.Serializer):
    envelope = money()
    convergence = money()
    measures_envelope = money()
    other_income = money()
    expenses = money()
    measures_expenses = money()
    result = money()


class ContractYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="0 pour la première année du contrat (N).")
    sums = SumsSerializer()
    carried_in = money()
    to_reserves = money()
    to_investment = money()
    covered_by_reserves = money()
    carried_out = money()
    reserves = money()


class ScenarioSerializer(serializers.Serializer):
    """A scenario's assumptions and its trajectory year by year, as the trajectory page simulates it."""

    id = serializers.IntegerField(source="scenario.pk")
    name = serializers.CharField(source="scenario.name")
    retained = serializers.BooleanField(source="scenario.retained")
    envelope_rates = serializers.ListField(child=percent(), source="trajectory.assumptions.envelope_rates")
    expense_rates = serializers.ListField(child=percent(), source="trajectory.assumptions.expense_rates")
    convergence_target = money(source="scenario.convergence_target", allow_null=True)
    convergence_years = serializers.IntegerField(source="scenario.convergence_years")
    surplus_rule = serializers.CharField(source="scenario.surplus_rule")
    deficit_rule = serializers.CharField(source="scenario.deficit_rule")
    opening_reserves = money(source="trajectory.opening_reserves")
    year_labels = serializers.ListField(child=serializers.CharField())
    years = ContractYearSerializer(many=True, source="trajectory.years")
    totals = SumsSerializer(source="trajectory.totals")
    closing_reserves = money(source="trajectory.closing_reserves")
    carried_to_next_contract = money(source="trajectory.carried_to_next_contract")


class FinanceActions:
    """Mixed into the contracts' viewset."""

    @extend_schema(responses=BudgetSerializer, summary="Le budget de référence")
    @action(detail=True, serializer_class=BudgetSerializer)
    def budget(self, request, pk=None):
        contract = self.get_object()
        budget = budget_service.reference_budget(contract)  # unsaved and empty when none is written: never written
        establishments = budget_service.perimeter(contract)
        data = {
            "base_year": budget.base_year,
            "version": budget.version,
            "saved": budget.pk is not None,
            "columns": budget_service.budget_columns(budget, establishments),
            "daily_prices": budget_service.daily_prices(budget, establishments),
            "growths": budget_service.growth_by_funder(budget),
            "outside": [e.finess for e in budget_service.lines_outside(budget, establishments)],
        }
        return Response(BudgetSerializer(data).data)

    @listed(EnvelopeSerializer, summary="Les enveloppes communes, quotes-parts et douzièmes")
    @action(detail=True, serializer_class=EnvelopeSerializer)
    def envelopes(self, request, pk=None):
        contract = self.get_object()
        budget = budget_service.reference_budget(contract)
        envelopes = budget_service.common_envelopes(budget, budget_service.perimeter(contract))
        return page_of(self, envelopes, EnvelopeSerializer)

    @listed(ScenarioSerializer, summary="Les scénarios de trajectoire et leur projection")
    @action(detail=True, serializer_class=ScenarioSerializer)
    def scenarios(self, request, pk=None):
        budget = trajectory_service.budget_of(self.get_object())
        return page_of(self, trajectory_service.runs(budget) if budget else [], ScenarioSerializer)
