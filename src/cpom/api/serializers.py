from rest_framework import serializers

from cpom.contracts.models import Contract, ContractParty
from cpom.registry.models import Authority, Establishment, ManagingBody


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
