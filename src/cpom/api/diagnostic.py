"""The shared diagnostic through the API: under /contracts/{id}/diagnostic/, as the diagnostic's pages show it to
whoever sees the contract. Reading never opens a diagnostic (the page opens it on first use; the API only reads)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from cpom.diagnostic import services
from cpom.diagnostic.models import (
    Attachment,
    Diagnostic,
    Finding,
    FindingLevel,
    Nature,
    Priority,
    Remark,
    SectionEntry,
)

from .querying import Filters, listed, page_of


class SectionSerializer(serializers.Serializer):
    code = serializers.CharField()
    part = serializers.CharField()
    axis = serializers.CharField()
    title = serializers.CharField()


class ChecklistLineSerializer(serializers.Serializer):
    label = serializers.CharField()
    hint = serializers.CharField()
    covered = serializers.BooleanField()
    sections = serializers.SerializerMethodField()

    def get_sections(self, line) -> list[str]:
        return [section.code for section in line.sections]


class PerspectiveSerializer(serializers.Serializer):
    axis = serializers.CharField()
    text = serializers.CharField()


class DiagnosticSerializer(serializers.Serializer):
    """The diagnostic's frame and synthesis: its sections' analyses and its findings are lists of their own."""

    contract = serializers.IntegerField(source="contract_id")
    template = serializers.CharField(source="template.label")
    version = serializers.IntegerField()
    salient_issues = serializers.CharField()
    checklist = ChecklistLineSerializer(many=True)
    perspectives = PerspectiveSerializer(many=True)


class RemarkSerializer(serializers.ModelSerializer):
    authority = serializers.CharField(source="authority.name")

    class Meta:
        model = Remark
        fields = ["authority", "text", "at"]


class AttachmentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Attachment
        fields = ["id", "kind", "kind_label", "label", "original_name", "size", "sha256", "organisation_label", "at"]


class EntrySerializer(serializers.ModelSerializer):
    """One section's analysis, for one establishment or consolidated (establishment null), with the authorities'
    remarks and the documents attached."""

    section = SectionSerializer()
    establishment = serializers.CharField(source="establishment.finess", allow_null=True, default=None)
    remarks = RemarkSerializer(many=True)
    attachments = AttachmentSerializer(many=True)

    class Meta:
        model = SectionEntry
        fields = ["id", "section", "establishment", "text", "version", "updated_at", "remarks", "attachments"]


class FindingSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.code")
    nature_label = serializers.CharField(source="get_nature_display")
    level_label = serializers.CharField(source="get_level_display")
    priority_label = serializers.CharField(source="get_priority_display")
    establishment = serializers.CharField(source="establishment.finess", allow_null=True, default=None)
    evidence_indicators = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    evidence_attachments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "section",
            "text",
            "nature",
            "nature_label",
            "level",
            "level_label",
            "establishment",
            "priority",
            "priority_label",
            "evidence_indicators",
            "evidence_attachments",
            "evidence",
            "causes",
            "consequences",
            "lever_exists",
            "organisation_label",
            "version",
            "created_at",
        ]


class EntryFilters(Filters):
    section = serializers.CharField(required=False, max_length=20, help_text="Code de la section (« 1.1.2 »).")
    establishment = serializers.RegexField(
        r"^\d{9}$", required=False, help_text="N° FINESS d'un établissement du périmètre."
    )
    consolidated = serializers.BooleanField(required=False, help_text="Seulement les analyses consolidées.")

    def apply(self, queryset, values):
        if "section" in values:
            queryset = queryset.filter(section__code=values["section"])
        if "establishment" in values:
            queryset = queryset.filter(establishment__finess=values["establishment"])
        if "consolidated" in values:
            queryset = queryset.filter(establishment__isnull=values["consolidated"])
        return queryset


class FindingFilters(Filters):
    nature = serializers.ChoiceField(Nature.choices, required=False)
    level = serializers.ChoiceField(FindingLevel.choices, required=False)
    priority = serializers.ChoiceField(Priority.choices, required=False)
    section = serializers.CharField(required=False, max_length=20, help_text="Code de la section (« 1.1.2 »).")
    establishment = serializers.RegexField(r"^\d{9}$", required=False, help_text="N° FINESS.")

    def apply(self, queryset, values):
        lookups = {"nature": "nature", "level": "level", "priority": "priority", "section": "section__code"}
        queryset = queryset.filter(**{lookups[k]: v for k, v in values.items() if k in lookups})
        if "establishment" in values:
            queryset = queryset.filter(establishment__finess=values["establishment"])
        return queryset


def _diagnostic(contract) -> Diagnostic:
    diagnostic = Diagnostic.objects.filter(contract=contract).select_related("template").first()
    if diagnostic is None:
        raise NotFound("Ce contrat n'a pas de diagnostic partagé : il s'ouvre à la première visite de sa page.")
    diagnostic.contract = contract
    return diagnostic


class DiagnosticActions:
    """Mixed into the contracts' viewset: /contracts/{id}/diagnostic/…"""

    @extend_schema(responses=DiagnosticSerializer, summary="Le diagnostic partagé : check-list et perspectives")
    @action(detail=True, serializer_class=DiagnosticSerializer)
    def diagnostic(self, request, pk=None):
        diagnostic = _diagnostic(self.get_object())
        data = {
            "contract_id": diagnostic.contract_id,
            "template": diagnostic.template,
            "version": diagnostic.version,
            "salient_issues": diagnostic.salient_issues,
            # The page's own service: a theme is covered once one of its sections has an analysis or a finding.
            "checklist": services.checklist(diagnostic),
            "perspectives": diagnostic.perspectives.order_by("axis"),
        }
        return Response(DiagnosticSerializer(data).data)

    @listed(EntrySerializer, EntryFilters, "Les analyses des sections du diagnostic")
    @action(detail=True, url_path="diagnostic/sections", serializer_class=EntrySerializer)
    def diagnostic_sections(self, request, pk=None):
        diagnostic = _diagnostic(self.get_object())
        entries = (
            diagnostic.entries.select_related("section", "establishment")
            .prefetch_related(
                Prefetch("remarks", Remark.objects.select_related("authority")),
                Prefetch("attachments", Attachment.objects.order_by("at", "pk")),
            )
            .order_by("section__order", "establishment__finess", "pk")
        )
        return page_of(self, entries, EntrySerializer, EntryFilters)

    @listed(FindingSerializer, FindingFilters, "Les constats du diagnostic")
    @action(detail=True, url_path="diagnostic/findings", serializer_class=FindingSerializer)
    def diagnostic_findings(self, request, pk=None):
        diagnostic = _diagnostic(self.get_object())
        findings = diagnostic.findings.select_related("section", "establishment").prefetch_related(
            "evidence_indicators", "evidence_attachments"
        )
        return page_of(self, findings.order_by("section__order", "priority", "pk"), FindingSerializer, FindingFilters)
