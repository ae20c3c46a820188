"""What a managing body declares on its yearly follow-up grid, through the API: the lines of the campaigns the caller
sees, and the write of a line's declared value, « situation actuelle » and comments.

The write is the page's (cpom.followup.views.entry_save): the same rule (``rules.entry_refusal``: the managing body,
contribution role, while the campaign is open), the same service (``services.save_entry``: normalised value,
audited, proposals recomputed), the same optimistic lock, its version carried by ETag/If-Match.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from cpom.access import visible
from cpom.contracts.models import Contract
from cpom.followup import rules, services
from cpom.followup.models import CONSOLIDATED_LABEL, AchievementLevel, CampaignStatus, GridEntry

from .concurrency import ETAG, IF_MATCH, LOCKING_RESPONSES, PreconditionFailed, etag, expected_version
from .inputs import refuse_unknown_fields, text_field
from .querying import FilteredListMixin, Filters, identifier

ETAG_KIND = "ligne"


class GridEntrySerializer(serializers.ModelSerializer):
    indicator_label = serializers.CharField(source="indicator.label", read_only=True)
    category_label = serializers.SerializerMethodField()
    etag = serializers.SerializerMethodField(help_text="La valeur de l'en-tête « If-Match » pour écrire cette ligne.")
    # Blank until the level is proposed or confirmed: said so in the schema (a read-only model field would not be).
    proposed_level = serializers.ChoiceField(
        label="Niveau proposé", choices=AchievementLevel.choices, allow_blank=True, read_only=True
    )
    confirmed_level = serializers.ChoiceField(
        label="Niveau confirmé", choices=AchievementLevel.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = GridEntry
        fields = [
            "id",
            "campaign",
            "indicator",
            "indicator_label",
            "category",
            "category_label",
            "declared_value",
            "current_situation",
            "comment",
            "proposed_level",
            "proposed_explanation",
            "confirmed_level",
            "version",
            "etag",
        ]
        read_only_fields = fields

    def get_category_label(self, entry) -> str:
        return entry.get_category_display() or CONSOLIDATED_LABEL

    def get_etag(self, entry) -> str:
        return etag(ETAG_KIND, entry)


class EntryWriteSerializer(serializers.Serializer):
    """The fields the managing body writes; each optional, only those sent change."""

    declared_value = text_field("Valeur déclarée", max_length=100)
    current_situation = text_field("Situation actuelle")
    comment = text_field("Commentaires")

    def validate(self, attrs):
        refuse_unknown_fields(self)
        if not attrs:
            raise ValidationError(
                "Envoyez au moins un des champs « declared_value », « current_situation » ou « comment »."
            )
        return attrs


NOT_FOUND = OpenApiResponse(description="Aucune ligne de ce numéro parmi les campagnes que vous voyez.")


class GridEntryFilters(Filters):
    campaign = identifier("Les lignes d'une seule campagne (son identifiant).")

    def apply(self, queryset, values: dict):
        return queryset.filter(campaign_id=values["campaign"]) if "campaign" in values else queryset


@extend_schema_view(
    list=extend_schema(summary="Lignes des grilles de suivi", parameters=[GridEntryFilters]),
    retrieve=extend_schema(
        summary="Une ligne de la grille de suivi",
        parameters=[ETAG],
        responses={200: GridEntrySerializer, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Renseigner une ligne (valeur déclarée, situation actuelle, commentaires)",
        request=EntryWriteSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={
            200: GridEntrySerializer,
            400: OpenApiResponse(description="Donnée refusée : « errors » nomme chaque champ ; rien n'est enregistré."),
            403: OpenApiResponse(description="Votre organisation ou votre rôle ne renseigne pas cette grille."),
            404: NOT_FOUND,
            **LOCKING_RESPONSES,
        },
    ),
)
class GridEntryViewSet(FilteredListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The follow-up grid's lines of the campaigns the caller sees (opened ones); PATCH is the managing body's."""

    serializer_class = GridEntrySerializer
    filters = GridEntryFilters
    http_method_names = ["get", "patch", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        contracts = visible(self.request.user, Contract.objects.all())
        entries = (
            GridEntry.objects.filter(campaign__contract__in=contracts)
            .exclude(campaign__status=CampaignStatus.PLANNED)
            .select_related("indicator", "campaign")
            .order_by("campaign", "indicator", "category")
        )
        return entries

    def retrieve(self, request, *args, **kwargs):
        entry = self.get_object()
        return Response(self.get_serializer(entry).data, headers={"ETag": etag(ETAG_KIND, entry)})

    def partial_update(self, request, pk=None):
        entry = self.get_object()
        refusal = rules.entry_refusal(request.user, entry.campaign)
        if refusal:
            raise PermissionDenied(refusal)
        version = expected_version(request, ETAG_KIND, entry)
        writing = EntryWriteSerializer(data=request.data)
        writing.is_valid(raise_exception=True)
        try:
            saved = services.save_entry(entry.campaign, request.user, entry.pk, writing.validated_data, version)
        except services.EntryRefused as refused:
            raise ValidationError(refused.fields) from None
        except services.StaleFollowUp:
            raise PreconditionFailed from None
        except services.FollowUpRefused as refused:
            # The rule changed between the check above and the write (the campaign was submitted meanwhile).
            raise PermissionDenied(" ".join(refused.reasons)) from None
        saved = self.get_queryset().get(pk=saved.pk)
        return Response(self.get_serializer(saved).data, headers={"ETag": etag(ETAG_KIND, saved)})
