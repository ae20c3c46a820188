from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from cpom.registry.models import Establishment
from cpom.web.views import visible_or_404

from .charts import quartile_chart, trend_chart
from .explain import element_labels, formula_in_words, source_data
from .models import Catalogue, DataElement, Indicator, IndicatorValue
from .services import peer_benchmarks


def _establishment(request, finess):
    return visible_or_404(request.user, Establishment.objects.select_related("managing_body"), finess=finess)


@login_required
def establishment_indicators(request, finess):
    establishment = _establishment(request, finess)
    values = IndicatorValue.objects.filter(establishment=establishment).select_related("indicator__catalogue")
    years = sorted({v.year for v in values}, reverse=True)
    year = int(request.GET["annee"]) if request.GET.get("annee", "").isdigit() else (years[0] if years else None)
    current = [v for v in values if v.year == year]
    current.sort(key=lambda v: (v.indicator.catalogue_id, v.indicator_id))
    return render(
        request,
        "indicators/establishment_indicators.html",
        {
            "establishment": establishment,
            "years": years,
            "year": year,
            "values": current,
            "computable": sum(1 for v in current if v.value is not None),
            "flagged": [v for v in current if v.flag],
        },
    )


@login_required
def indicator_detail(request, finess, indicator_id, year):
    """htmx panel: the formula in words, the data used, the trend and the position among peers."""
    establishment = _establishment(request, finess)
    try:
        indicator = Indicator.objects.get(pk=indicator_id)
    except Indicator.DoesNotExist:
        raise Http404 from None
    history = {v.year: v for v in IndicatorValue.objects.filter(establishment=establishment, indicator=indicator)}
    if year not in history:
        raise Http404
    value = history[year]
    benchmarks = list(peer_benchmarks(establishment).filter(indicator=indicator, year=year))
    years = sorted(history)
    return render(
        request,
        "indicators/_indicator_detail.html",
        {
            "establishment": establishment,
            "indicator": indicator,
            "value": value,
            "year": year,
            "formula": formula_in_words(indicator),
            "terms": source_data(indicator, establishment, year),
            "history": [history[y] for y in years],
            "trend": trend_chart([(y, history[y].value) for y in years]),
            "benchmarks": benchmarks,
            "chart": quartile_chart(benchmarks, value.value),
        },
    )


@login_required
def catalogue(request):
    """The reference: every catalogue's indicators with their calculation method in words."""
    labels = element_labels()
    catalogues = [
        (catalogue, [(i, formula_in_words(i, labels)) for i in catalogue.indicators.order_by("id")])
        for catalogue in Catalogue.objects.select_related("authority").order_by("id")
    ]
    return render(request, "indicators/catalogue.html", {"catalogues": catalogues})


@login_required
def elements(request):
    """The data element codes an import file or a formula may use."""
    return render(request, "indicators/elements.html", {"elements": DataElement.objects.order_by("level", "code")})
