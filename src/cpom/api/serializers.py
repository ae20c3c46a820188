from rest_framework import serializers

from cpom.alerts.models import Alert
from cpom.amendments.models import Amendment, Change, Prorogation, Termination
from cpom.contracts.models import Contract, ContractParty
from cpom.followup.models import Campaign
from cpom.registry.models import Authority, Establishment, ManagingBody
from cpom.signing import rules as signing_rules
from cpom.signing.models import ContractVersion, Signature


class ManagingBodySerializer(serializers.ModelSerializer):
    class Meta:
        model = ManagingBody
        fields = ["id", "name", "legal_status", "siren"]


class AuthoritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Authority
        fields = ["id", "kind", "territory", "name"]


class EstablishmentSerializer(serializers.ModelSerializer):
    managing_body = ManagingBodySerializer(read_only=True)
    funders = AuthoritySerializer(many=True, read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = Establishment
        fields = [
            "finess",
            "name",
            "category",
            "category_label",
            "sector",
            "audience",
            "authorised_places",
            "installed_places",
            "opening_days",
            "department",
            "city",
            "managing_body",
            "funders",
        ]


class PartySerializer(serializers.ModelSerializer):
    authority = AuthoritySerializer(read_only=True)
    awaiting_acceptance = serializers.SerializerMethodField()

    def get_awaiting_acceptance(self, party) -> bool:
        """A co-signatory outside its competence that the managing body has not accepted yet."""
        return not party.is_admitted

    class Meta:
        model = ContractParty
        fields = ["authority", "is_lead", "awaiting_acceptance"]


class ContractSerializer(serializers.ModelSerializer):
    managing_body = ManagingBodySerializer(read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    establishments = serializers.SlugRelatedField(slug_field="finess", many=True, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "title",
            "managing_body",
            "parties",
            "legal_basis",
            "duration_years",
            "start_date",
            "end_date",
            "target_signature_date",
            "state",
            "state_label",
            "establishments",
        ]


class VersionSerializer(serializers.ModelSerializer):
    """A version sent for signature (the contract is number 0, each amendment the next), without its documents: they
    are downloaded from the versions page, as stored."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ContractVersion
        fields = [
            "id",
            "number",
            "label",
            "status",
            "status_label",
            "content_sha256",
            "pdf_sha256",
            "docx_sha256",
            "signature_order",
            "sent_at",
            "sealed_at",
            "effective_date",
            "voided_at",
            "void_reason",
        ]


class SignatureSerializer(serializers.ModelSerializer):
    version = serializers.PrimaryKeyRelatedField(read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    party = serializers.CharField(source="party_key", read_only=True)
    party_name = serializers.SerializerMethodField()
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)

    def get_party_name(self, signature) -> str:
        """« l'organisme gestionnaire … », « l'ARS Pays de la Loire »."""
        return signing_rules.party_name(signature.version.contract, signature.party_key)

    class Meta:
        model = Signature
        fields = [
            "id",
            "version",
            "version_number",
            "party",
            "party_name",
            "decision",
            "decision_label",
            "signatory_name",
            "signatory_title",
            "signed_on",
            "signed_hash",
            "reason",
            "recorded_at",
        ]


class ChangeSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Change
        fields = ["kind", "kind_label", "label", "old_value", "new_value"]


class AmendmentSerializer(serializers.ModelSerializer):
    """An amendment with its structured changes; its signed document is a version (see the versions route)."""

    trigger_label = serializers.CharField(source="get_trigger_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    changes = ChangeSerializer(many=True, read_only=True)
    version_sent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Amendment
        fields = [
            "id",
            "number",
            "trigger",
            "trigger_label",
            "summary",
            "status",
            "status_label",
            "effective_date",
            "version_sent",
            "created_at",
            "applied_at",
            "changes",
        ]


class ProrogationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Prorogation
        fields = ["number", "decided_on", "decision", "old_end_date", "new_end_date", "recorded_at"]


class TerminationSerializer(serializers.ModelSerializer):
    ground_label = serializers.CharField(source="get_ground_display", read_only=True)

    class Meta:
        model = Termination
        fields = [
            "initiator",
            "ground",
            "ground_label",
            "explanation",
            "letter_sent_on",
            "letter_presented_on",
            "notice_months",
            "ends_on",
            "budget_regime",
            "recorded_at",
        ]


class ContractLifeSerializer(serializers.Serializer):
    """What changed the contract after its signature: its amendments, prorogations, termination, and the contracts
    before and after it."""

    amendments = AmendmentSerializer(many=True)
    prorogations = ProrogationSerializer(many=True)
    termination = TerminationSerializer(allow_null=True)
    predecessor = serializers.IntegerField(allow_null=True)
    successor = serializers.IntegerField(allow_null=True)


class AlertSerializer(serializers.ModelSerializer):
    contract = serializers.CharField(source="contract.reference")
    establishment = serializers.CharField(source="establishment.finess", allow_null=True, default=None)
    kind_label = serializers.CharField(source="get_kind_display")
    cause_url = serializers.CharField()
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", allow_null=True, default=None)

    class Meta:
        model = Alert
        fields = [
            "id",
            "contract",
            "establishment",
            "kind",
            "kind_label",
            "year",
            "key",
            "message",
            "cause_url",
            "first_seen_at",
            "last_seen_at",
            "resolved_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_comment",
        ]


class CampaignSerializer(serializers.ModelSerializer):
    """A yearly follow-up campaign; its grid is at /api/v1/campaigns/<id>/grid/."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    themes = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "contract",
            "year",
            "reviewed_year",
            "status",
            "status_label",
            "opened_on",
            "report_deadline",
            "review_start",
            "review_end",
            "themes",
            "contract_version",
            "submitted_at",
            "conclusions",
            "content_sha256",
            "closed_at",
        ]

    def get_themes(self, campaign) -> list[str]:
        return campaign.framing_note.theme_list if campaign.framing_note_id else []


class GridValueSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)


class GridLineSerializer(serializers.Serializer):
    """One line of the follow-up grid, as the grid's page shows it (every value as text); a line may carry more
    keys than these, those of the signed snapshot."""

    objective = serializers.CharField(help_text="Numéro de l'objectif opérationnel.")
    strategic_objective = serializers.CharField()
    indicator_id = serializers.IntegerField()
    indicator = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    category = serializers.CharField(allow_blank=True)
    target = serializers.CharField(allow_blank=True)
    baseline = serializers.CharField(allow_blank=True)
    values = GridValueSerializer(many=True)
    current_situation = serializers.CharField(allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    confirmed_level = serializers.CharField(allow_blank=True)
    level = serializers.CharField(allow_blank=True)


class GridSerializer(serializers.Serializer):
    """A campaign's grid as computed now, or as signed once the conclusions are in signature."""

    campaign = serializers.IntegerField()
    years = serializers.ListField(child=serializers.IntegerField())
    achievement_rate = serializers.CharField(allow_blank=True, help_text="Taux d'atteinte, vide sans objectif jugé.")
    lines = GridLineSerializer(many=True)
