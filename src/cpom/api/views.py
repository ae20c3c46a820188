from rest_framework import viewsets

from cpom.access import visible
from cpom.contracts.models import Contract
from cpom.registry.models import Establishment

from .serializers import ContractSerializer, EstablishmentSerializer


class ContractViewSet(viewsets.ReadOnlyModelViewSet):
    """Contracts the caller's organisation is party to."""

    serializer_class = ContractSerializer

    def get_queryset(self):
        queryset = Contract.objects.select_related("managing_body").prefetch_related(
            "parties__authority", "establishments"
        )
        return visible(self.request.user, queryset)


class EstablishmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Establishments the caller may see, looked up by FINESS number."""

    serializer_class = EstablishmentSerializer
    lookup_field = "finess"
    lookup_url_kwarg = "finess"

    def get_queryset(self):
        queryset = Establishment.objects.select_related("managing_body").prefetch_related("funders")
        return visible(self.request.user, queryset)
