"""The objectives through the API: /contracts/{id}/objectives/ (each with its fiche, calendar, indicators and
targets) and /contracts/{id}/negotiation/ (each objective's agreements and thread, as its page shows them)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action

from cpom.objectives import negotiation
from cpom.objectives.models import (
    FollowUpIndicator,
    Level,
    Message,
    Milestone,
    Objective,
    ObjectiveSheet,
    Status,
    Target,
)
from cpom.objectives.snapshots import SHEET_FIELDS

from .querying import Filters, filtered, listed, page_of

MONEY = {"max_digits": 14, "decimal_places": 2}


class SheetSerializer(serializers.ModelSerializer):
    """The fiche objectif of the model contract's annex (operational objectives)."""

    constant_means_value = serializers.DecimalField(**MONEY, allow_null=True)
    managing_body_means = serializers.DecimalField(**MONEY, allow_null=True)
    authority_means = serializers.DecimalField(**MONEY, allow_null=True)

    class Meta:
        model = ObjectiveSheet
        fields = SHEET_FIELDS


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "label", "due_date"]


class TargetSerializer(serializers.ModelSerializer):
    due_year_label = serializers.CharField(source="get_due_year_display")

    class Meta:
        model = Target
        fields = ["due_year", "due_year_label", "value"]


class FollowUpIndicatorSerializer(serializers.ModelSerializer):
    catalogue_code = serializers.CharField(source="catalogue_indicator.code", allow_null=True, default=None)
    kind_label = serializers.CharField(source="get_kind_display")
    tolerance = serializers.DecimalField(max_digits=12, decimal_places=4)
    targets = TargetSerializer(many=True)

    class Meta:
        model = FollowUpIndicator
        fields = [
            "id",
            "label",
            "catalogue_code",
            "kind",
            "kind_label",
            "value_type",
            "method",
            "unit",
            "data_source",
            "direction",
            "tolerance",
            "baseline_value",
            "baseline_date",
            "baseline_note",
            "targets",
        ]


class ObjectiveSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display")
    status_label = serializers.CharField(source="get_status_display")
    proposed_by = serializers.CharField(source="proposer_label")
    establishments = serializers.SlugRelatedField(slug_field="finess", many=True, read_only=True)
    findings = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    sheet = serializers.SerializerMethodField()
    milestones = MilestoneSerializer(many=True)
    indicators = FollowUpIndicatorSerializer(many=True)

    class Meta:
        model = Objective
        fields = [
            "id",
            "number",
            "level",
            "level_label",
            "parent",
            "title",
            "theme",
            "proposed_by",
            "status",
            "status_label",
            "funding",
            "due_year",
            "stakes",
            "feasibility",
            "version",
            "establishments",
            "findings",
            "sheet",
            "milestones",
            "indicators",
        ]

    @extend_schema_field(SheetSerializer(allow_null=True))
    def get_sheet(self, objective):
        """Operational objectives have their fiche; the others (and a fiche not written yet) null."""
        try:
            return SheetSerializer(objective.sheet).data
        except ObjectiveSheet.DoesNotExist:
            return None


class ObjectiveFilters(Filters):
    level = serializers.ChoiceField(Level.choices, required=False)
    status = serializers.ChoiceField(Status.choices, required=False)

    def apply(self, queryset, values):
        return queryset.filter(**values)


def objectives_of(contract):
    """The contract's objectives in the order they were proposed."""
    return (
        contract.objectives.select_related("proposed_by_authority", "sheet", "parent")
        .prefetch_related(
            "establishments",
            "findings",
            "milestones",
            Prefetch(
                "indicators",
                FollowUpIndicator.objects.select_related("catalogue_indicator").prefetch_related(
                    Prefetch("targets", Target.objects.order_by("due_year"))
                ),
            ),
        )
        .order_by("pk")
    )


class AgreementSerializer(serializers.Serializer):
    party = serializers.CharField()
    managing_body = serializers.IntegerField(allow_null=True)
    authority = serializers.IntegerField(allow_null=True)
    agreed = serializers.BooleanField()
    agreed_at = serializers.DateTimeField(allow_null=True)


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["organisation_label", "event", "text", "objective_version", "at"]


class NegotiationSerializer(serializers.Serializer):
    """Where one objective's negotiation stands: the word of every party it concerns on its current version,
    the authorities it does not concern, what the caller may do now, and the thread."""

    objective = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    version = serializers.IntegerField()
    agreements = serializers.SerializerMethodField()
    unconcerned = serializers.SerializerMethodField()
    may = serializers.SerializerMethodField()
    messages = MessageSerializer(many=True)

    @extend_schema_field(AgreementSerializer(many=True))
    def get_agreements(self, objective):
        return [
            {
                "party": party.label,
                "managing_body": party.managing_body_id,
                "authority": party.authority_id,
                "agreed": agreement is not None,
                "agreed_at": agreement.at if agreement else None,
            }
            for party, agreement in negotiation.agreement_state(objective)
        ]

    def get_unconcerned(self, objective) -> list[str]:
        return [party.label for party in negotiation.unconcerned(objective)]

    def get_may(self, objective) -> list[str]:
        """The negotiation actions the caller's organisation may take now (« agree », « reject », « reopen »,
        « comment »), as the page's buttons."""
        user = self.context["request"].user
        return [name for name in ACTIONS if negotiation.may(objective, user, name)]


ACTIONS = ("agree", "reject", "reopen", "comment")


class ObjectiveActions:
    """Mixed into the contracts' viewset: /contracts/{id}/objectives/ and /contracts/{id}/negotiation/."""

    @listed(ObjectiveSerializer, ObjectiveFilters, "Les objectifs, avec leur fiche, indicateurs et cibles")
    @action(detail=True, serializer_class=ObjectiveSerializer)
    def objectives(self, request, pk=None):
        return page_of(self, objectives_of(self.get_object()), ObjectiveSerializer, ObjectiveFilters)

    @listed(NegotiationSerializer, ObjectiveFilters, "L'état de la négociation de chaque objectif")
    @action(detail=True, serializer_class=NegotiationSerializer)
    def negotiation(self, request, pk=None):
        contract = self.get_object()
        objectives = filtered(request, contract.objectives.select_related("parent"), ObjectiveFilters)
        objectives = list(
            objectives.prefetch_related(
                "agreements", Prefetch("messages", Message.objects.order_by("at", "pk"))
            ).order_by("pk")
        )
        for objective in objectives:
            # One contract, its parties read once, for every objective's rules (cpom.objectives.negotiation).
            objective.contract = contract
        return page_of(self, objectives, NegotiationSerializer)
