from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from .accounting import AccountingImportView
from .errors import unknown_address
from .grid_entries import GridEntryViewSet
from .indicator_data import IndicatorDataView
from .views import AlertViewSet, CampaignViewSet, ContractViewSet, EstablishmentViewSet

router = DefaultRouter()
router.register("contracts", ContractViewSet, basename="contract")
router.register("alerts", AlertViewSet, basename="alert")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("establishments", EstablishmentViewSet, basename="establishment")
router.register("grid-entries", GridEntryViewSet, basename="grid-entry")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include(router.urls)),
    path("indicator-data/", IndicatorDataView.as_view(), name="api-indicator-data"),
    path("accounting-imports/", AccountingImportView.as_view(), name="api-accounting-imports"),
    # Last: what no route above names answers as the API's other refusals do.
    re_path(r"^(?P<path>.*)$", unknown_address),
]
