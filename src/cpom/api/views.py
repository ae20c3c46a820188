import json

from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cpom.access import visible
from cpom.alerts.models import Alert
from cpom.amendments.models import Termination
from cpom.contracts.models import Contract
from cpom.followup.grid import grid_for
from cpom.followup.models import Campaign, CampaignStatus
from cpom.followup.snapshot import grid_snapshot
from cpom.registry.models import Establishment
from cpom.signing.models import Signature

from .serializers import (
    AlertSerializer,
    CampaignSerializer,
    ContractLifeSerializer,
    ContractSerializer,
    EstablishmentSerializer,
    SignatureSerializer,
    VersionSerializer,
)


class ContractViewSet(viewsets.ReadOnlyModelViewSet):
    """Contracts the caller's organisation is party to."""

    serializer_class = ContractSerializer

    def get_queryset(self):
        queryset = Contract.objects.select_related("managing_body").prefetch_related(
            "parties__authority", "establishments"
        )
        return visible(self.request.user, queryset)

    @action(detail=True, serializer_class=VersionSerializer)
    def versions(self, request, pk=None):
        """The contract's versions sent for signature, sealed or voided, oldest first."""
        contract = self.get_object()
        versions = contract.versions.order_by("sent_at", "pk")
        return Response(VersionSerializer(versions, many=True).data)

    @action(detail=True, serializer_class=SignatureSerializer)
    def signatures(self, request, pk=None):
        """Every party's decision on every version of the contract, in the order they were recorded."""
        contract = self.get_object()
        signatures = (
            Signature.objects.filter(version__contract=contract)
            .select_related("version__contract__managing_body")
            .prefetch_related("version__contract__parties__authority")
            .order_by("version__sent_at", "recorded_at", "pk")
        )
        return Response(SignatureSerializer(signatures, many=True).data)

    @action(detail=True, serializer_class=ContractLifeSerializer)
    def life(self, request, pk=None):
        """The contract's life after signature: amendments (with their changes), prorogations, termination, and the
        contracts it renews and that renew it."""
        contract = self.get_object()
        # The contracts before and after, only where the caller may see them.
        linked = visible(request.user, Contract.objects.all())
        successor = linked.filter(predecessor=contract).values_list("pk", flat=True).first()
        predecessor = linked.filter(pk=contract.predecessor_id).values_list("pk", flat=True).first()
        life = {
            "amendments": contract.amendments.order_by("number").prefetch_related("changes"),
            "prorogations": contract.prorogations.order_by("number"),
            "termination": Termination.objects.filter(contract=contract).first(),
            "predecessor": predecessor,
            "successor": successor,
        }
        return Response(ContractLifeSerializer(life).data)

    @action(detail=True, serializer_class=CampaignSerializer)
    def campaigns(self, request, pk=None):
        """The contract's yearly follow-up campaigns, the latest first."""
        contract = self.get_object()
        campaigns = contract.campaigns.exclude(status=CampaignStatus.PLANNED).select_related("framing_note")
        return Response(CampaignSerializer(campaigns.order_by("-year"), many=True).data)

    @action(detail=True, serializer_class=AlertSerializer)
    def alerts(self, request, pk=None):
        """The contract's alerts, open and resolved, with their acknowledgement."""
        contract = self.get_object()
        return Response(AlertSerializer(ALERTS.filter(contract=contract), many=True).data)


ALERTS = Alert.objects.select_related("contract", "establishment", "acknowledged_by").order_by("contract", "pk")


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """The alerts of every contract the caller sees."""

    serializer_class = AlertSerializer

    def get_queryset(self):
        return visible(self.request.user, ALERTS.all())


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Follow-up campaigns of the contracts the caller may see; ``grid`` gives their lines as computed now (or as
    signed, once the conclusions are in signature)."""

    serializer_class = CampaignSerializer

    def get_queryset(self):
        contracts = visible(self.request.user, Contract.objects.all())
        return (
            Campaign.objects.filter(contract__in=contracts)
            .exclude(status=CampaignStatus.PLANNED)
            .select_related("contract", "framing_note")
            .order_by("contract", "-year")
        )

    @action(detail=True)
    def grid(self, request, pk=None):
        campaign = self.get_object()
        data = json.loads(campaign.snapshot) if campaign.snapshot else grid_snapshot(grid_for(campaign))
        lines = [
            {"objective": row["number"], "strategic_objective": objective["number"], **line}
            for objective in data["objectives"]
            for row in objective["operational"]
            for line in row["lines"]
        ]
        return Response(
            {
                "campaign": campaign.pk,
                "years": data["years"],
                "achievement_rate": data["achievement_rate"],
                "lines": lines,
            }
        )


class EstablishmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Establishments the caller may see, looked up by FINESS number."""

    serializer_class = EstablishmentSerializer
    lookup_field = "finess"
    lookup_url_kwarg = "finess"

    def get_queryset(self):
        queryset = Establishment.objects.select_related("managing_body").prefetch_related("funders")
        return visible(self.request.user, queryset)
