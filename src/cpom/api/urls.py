from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from .views import AlertViewSet, CampaignViewSet, ContractViewSet, EstablishmentViewSet

router = DefaultRouter()
router.register("contracts", ContractViewSet, basename="contract")
router.register("alerts", AlertViewSet, basename="alert")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("establishments", EstablishmentViewSet, basename="establishment")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include(router.urls)),
]
