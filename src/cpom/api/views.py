import json

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cpom.access import visible
from cpom.alerts.models import Alert
from cpom.alerts.models import Kind as AlertKind
from cpom.amendments.models import Termination
from cpom.contracts.models import Contract, State
from cpom.followup.grid import grid_for
from cpom.followup.models import Campaign, CampaignStatus
from cpom.followup.snapshot import grid_snapshot
from cpom.registry.models import Establishment
from cpom.signing.models import Signature

from .diagnostic import DiagnosticActions
from .finance import FinanceActions
from .indicators import IndicatorActions
from .objectives import ObjectiveActions
from .querying import FilteredListMixin, Filters, identifier, listed, page_of, year_filter
from .reviews import ReviewActions
from .serializers import (
    AlertSerializer,
    AmendmentSerializer,
    CampaignSerializer,
    ContractLifeSerializer,
    ContractSerializer,
    EstablishmentSerializer,
    GridSerializer,
    SignatureSerializer,
    VersionSerializer,
)

# An identifier in a path: digits the databases' integers hold; anything else names no endpoint (a 404 problem).
ID_PATTERN = "[0-9]{1,9}"


class ContractFilters(Filters):
    state = serializers.ChoiceField(State.choices, required=False, help_text="État du contrat.")
    year = year_filter("Contrats dont la période couvre cette année.")
    managing_body = identifier("Identifiant de l'organisme gestionnaire.")

    def apply(self, queryset, values):
        if "state" in values:
            queryset = queryset.filter(state=values["state"])
        if "year" in values:
            queryset = queryset.filter(start_date__year__lte=values["year"], end_date__year__gte=values["year"])
        if "managing_body" in values:
            queryset = queryset.filter(managing_body_id=values["managing_body"])
        return queryset


class AlertFilters(Filters):
    """As the alerts page filters them: open or resolved, acknowledged or not, by kind, year and contract."""

    status = serializers.ChoiceField(
        [("open", "ouverte"), ("resolved", "levée")], required=False, help_text="« open » : pas encore levée."
    )
    acknowledged = serializers.BooleanField(required=False, help_text="Prise en compte par une partie, ou non.")
    kind = serializers.ChoiceField(AlertKind.choices, required=False)
    year = year_filter("Année concernée.")
    contract = identifier("Identifiant du contrat.")

    def apply(self, queryset, values):
        if "status" in values:
            queryset = queryset.open() if values["status"] == "open" else queryset.filter(resolved_at__isnull=False)
        if "acknowledged" in values:
            queryset = queryset.filter(acknowledged_at__isnull=not values["acknowledged"])
        lookups = {"kind": "kind", "year": "year", "contract": "contract_id"}
        return queryset.filter(**{lookups[k]: v for k, v in values.items() if k in lookups})


class CampaignFilters(Filters):
    status = serializers.ChoiceField(
        [(value, label) for value, label in CampaignStatus.choices if value != CampaignStatus.PLANNED], required=False
    )
    year = year_filter("Année concernée.")
    contract = identifier("Identifiant du contrat.")

    def apply(self, queryset, values):
        lookups = {"status": "status", "year": "year", "contract": "contract_id"}
        return queryset.filter(**{lookups[k]: v for k, v in values.items()})


@extend_schema_view(list=extend_schema(parameters=[ContractFilters]))
class ContractViewSet(
    FilteredListMixin,
    DiagnosticActions,
    ObjectiveActions,
    FinanceActions,
    ReviewActions,
    viewsets.ReadOnlyModelViewSet,
):
    """Contracts the caller's organisation is party to; what belongs to one contract is under its address."""

    serializer_class = ContractSerializer
    filters = ContractFilters
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        queryset = Contract.objects.select_related("managing_body").prefetch_related(
            "parties__authority", "establishments"
        )
        return visible(self.request.user, queryset).order_by("pk")

    @listed(VersionSerializer)
    @action(detail=True, serializer_class=VersionSerializer)
    def versions(self, request, pk=None):
        """The contract's versions sent for signature, sealed or voided, oldest first."""
        contract = self.get_object()
        return page_of(self, contract.versions.order_by("sent_at", "pk"), VersionSerializer)

    @listed(SignatureSerializer)
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
        return page_of(self, signatures, SignatureSerializer)

    @listed(AmendmentSerializer)
    @action(detail=True, serializer_class=AmendmentSerializer)
    def amendments(self, request, pk=None):
        """The contract's amendments, in their order, each with its structured changes."""
        amendments = self.get_object().amendments.select_related("version_sent").prefetch_related("changes")
        return page_of(self, amendments.order_by("number"), AmendmentSerializer)

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

    @listed(CampaignSerializer, CampaignFilters)
    @action(detail=True, serializer_class=CampaignSerializer)
    def campaigns(self, request, pk=None):
        """The contract's yearly follow-up campaigns, the latest first."""
        contract = self.get_object()
        campaigns = contract.campaigns.exclude(status=CampaignStatus.PLANNED).select_related("framing_note")
        return page_of(self, campaigns.order_by("-year", "pk"), CampaignSerializer, CampaignFilters)

    @listed(AlertSerializer, AlertFilters)
    @action(detail=True, serializer_class=AlertSerializer)
    def alerts(self, request, pk=None):
        """The contract's alerts, open and resolved, with their acknowledgement."""
        contract = self.get_object()
        return page_of(self, ALERTS.filter(contract=contract), AlertSerializer, AlertFilters)


ALERTS = Alert.objects.select_related("contract", "establishment", "acknowledged_by").order_by("contract", "pk")


@extend_schema_view(list=extend_schema(parameters=[AlertFilters]))
class AlertViewSet(FilteredListMixin, viewsets.ReadOnlyModelViewSet):
    """The alerts of every contract the caller sees."""

    serializer_class = AlertSerializer
    filters = AlertFilters
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return visible(self.request.user, ALERTS.all())


@extend_schema_view(list=extend_schema(parameters=[CampaignFilters]))
class CampaignViewSet(FilteredListMixin, viewsets.ReadOnlyModelViewSet):
    """Follow-up campaigns of the contracts the caller may see; ``grid`` gives their lines as computed now (or as
    signed, once the conclusions are in signature)."""

    serializer_class = CampaignSerializer
    filters = CampaignFilters
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        contracts = visible(self.request.user, Contract.objects.all())
        return (
            Campaign.objects.filter(contract__in=contracts)
            .exclude(status=CampaignStatus.PLANNED)
            .select_related("contract", "framing_note")
            .order_by("contract", "-year", "pk")
        )

    @extend_schema(responses=GridSerializer, summary="La grille de suivi de la campagne")
    @action(detail=True, serializer_class=GridSerializer)
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


class EstablishmentViewSet(IndicatorActions, viewsets.ReadOnlyModelViewSet):
    """Establishments the caller may see, looked up by FINESS number."""

    serializer_class = EstablishmentSerializer
    lookup_field = "finess"
    lookup_value_regex = "[0-9A-Za-z]{9}"
    lookup_url_kwarg = "finess"

    def get_queryset(self):
        queryset = Establishment.objects.select_related("managing_body").prefetch_related("funders")
        return visible(self.request.user, queryset).order_by("finess")
