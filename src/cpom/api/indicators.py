"""Indicator values and benchmarks through the API, under the establishment they belong to:
/establishments/{finess}/indicator-values/ and /establishments/{finess}/benchmarks/, as the establishment's
indicator pages show them (the same stored values, the same peers: cpom.indicators.services.peer_benchmarks)."""

from rest_framework import serializers
from rest_framework.decorators import action

from cpom.indicators.models import Benchmark, IndicatorValue
from cpom.indicators.services import peer_benchmarks

from .querying import Filters, listed, page_of, year_filter


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    indicator_label = serializers.CharField(source="indicator.label")
    unit = serializers.CharField(source="indicator.unit")
    band_label = serializers.CharField(source="get_band_display")

    class Meta:
        model = IndicatorValue
        fields = [
            "indicator",
            "indicator_label",
            "unit",
            "year",
            "value",
            "numerator",
            "denominator",
            "reason",
            "band",
            "band_label",
            "flag",
            "formula_version",
            "computed_at",
        ]


class BenchmarkSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    level_label = serializers.CharField(source="get_level_display")

    class Meta:
        model = Benchmark
        fields = [
            "indicator",
            "year",
            "category",
            "level",
            "level_label",
            "territory",
            "count",
            "minimum",
            "q1",
            "median",
            "q3",
            "maximum",
        ]


class IndicatorFilters(Filters):
    indicator = serializers.CharField(required=False, max_length=60, help_text="Code de l'indicateur du catalogue.")
    year = year_filter("Année des données.")

    def apply(self, queryset, values):
        if "indicator" in values:
            queryset = queryset.filter(indicator__code=values["indicator"])
        if "year" in values:
            queryset = queryset.filter(year=values["year"])
        return queryset


class IndicatorActions:
    """Mixed into the establishments' viewset."""

    @listed(IndicatorValueSerializer, IndicatorFilters, "Les valeurs des indicateurs de l'établissement")
    @action(detail=True, url_path="indicator-values", serializer_class=IndicatorValueSerializer)
    def indicator_values(self, request, finess=None):
        values = IndicatorValue.objects.filter(establishment=self.get_object()).select_related("indicator")
        return page_of(self, values.order_by("-year", "indicator_id"), IndicatorValueSerializer, IndicatorFilters)

    @listed(BenchmarkSerializer, IndicatorFilters, "Les références de comparaison de l'établissement")
    @action(detail=True, serializer_class=BenchmarkSerializer)
    def benchmarks(self, request, finess=None):
        """Quartiles of the establishment's category in its département, its region and France."""
        benchmarks = peer_benchmarks(self.get_object()).select_related("indicator")
        return page_of(self, benchmarks, BenchmarkSerializer, IndicatorFilters)
