"""The management reviews through the API: /contracts/{id}/reviews/, each with its participants, questions and
decisions (and their adjustments), as the reviews' pages list them (cpom.reviews.services.reviews_of)."""

from django.db.models import Prefetch
from rest_framework import serializers
from rest_framework.decorators import action

from cpom.reviews import services
from cpom.reviews.models import (
    Adjustment,
    Decision,
    DecisionStatus,
    Participant,
    Question,
    Review,
    ReviewState,
)

from .querying import Filters, listed, page_of


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["side", "name", "role", "organisation"]


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["text", "organisation_label", "asked_at"]


class AdjustmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Adjustment
        fields = [
            "id",
            "text",
            "reason",
            "previous_text",
            "proposed_by_organisation",
            "proposed_at",
            "answer",
            "answered_at",
            "answer_comment",
        ]


class DecisionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    owner_authority = serializers.CharField(source="owner_authority.name", allow_null=True, default=None)
    owner_person = serializers.SerializerMethodField()
    amendment = serializers.IntegerField(source="amendment.number", allow_null=True, default=None)
    adjustments = AdjustmentSerializer(many=True)

    def get_owner_person(self, decision) -> str | None:
        return decision.owner_person.get_full_name() if decision.owner_person_id else None

    class Meta:
        model = Decision
        fields = [
            "id",
            "number",
            "kind",
            "kind_label",
            "text",
            "owner_side",
            "owner_authority",
            "owner_person",
            "due_date",
            "status",
            "status_label",
            "status_comment",
            "amendment",
            "version",
            "created_at",
            "adjustments",
        ]


class ReviewSerializer(serializers.ModelSerializer):
    title = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    state_label = serializers.CharField(source="get_state_display")
    purposes = serializers.ListField(child=serializers.CharField())
    participants = ParticipantSerializer(many=True)
    questions = QuestionSerializer(many=True)
    decisions = DecisionSerializer(many=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "year",
            "title",
            "kind",
            "kind_label",
            "purposes",
            "day",
            "place",
            "state",
            "state_label",
            "summary",
            "held_at",
            "sent_at",
            "sealed_at",
            "content_sha256",
            "version",
            "participants",
            "questions",
            "decisions",
        ]


class ReviewFilters(Filters):
    state = serializers.ChoiceField(ReviewState.choices, required=False)
    year = serializers.IntegerField(required=False, min_value=1, max_value=5, help_text="Année du contrat (1 à 5).")
    decision_status = serializers.ChoiceField(
        DecisionStatus.choices, required=False, help_text="Dialogues ayant au moins une décision dans cet état."
    )

    def apply(self, queryset, values):
        if "decision_status" in values:
            queryset = queryset.filter(
                pk__in=Decision.objects.filter(status=values["decision_status"]).values("review")
            )
        return queryset.filter(**{k: v for k, v in values.items() if k in ("state", "year")})


class ReviewActions:
    """Mixed into the contracts' viewset."""

    @listed(ReviewSerializer, ReviewFilters, "Les dialogues de gestion et leurs décisions")
    @action(detail=True, serializer_class=ReviewSerializer)
    def reviews(self, request, pk=None):
        reviews = services.reviews_of(self.get_object()).prefetch_related(
            Prefetch("participants", Participant.objects.order_by("pk")),
            Prefetch("questions", Question.objects.order_by("asked_at", "pk")),
            Prefetch(
                "decisions",
                Decision.objects.select_related("owner_authority", "owner_person", "amendment").prefetch_related(
                    Prefetch("adjustments", Adjustment.objects.order_by("proposed_at", "pk"))
                ),
            ),
        )
        return page_of(self, reviews, ReviewSerializer, ReviewFilters)
