"""Accounting files pushed by an integrator (a managing body's accounting software): a FEC or a trial balance for
one establishment and year, as on the « Importer des comptes » page.

The same form checks the same fields (cpom.finance.accounting.forms.ImportForm: the file's kind, the establishment
or analytical section the file is for, the year and fiscal period), the same rule says who may
(cpom.finance.rules: the establishment's managing body, contribution role, or the platform), and the page's
confirmation service reads and stores it (``read_and_store``: all or nothing, audited). The page previews before
writing; the API writes at once, the report in its answer. An import replaces the year's balances and edits no
record someone else may be editing: it takes no If-Match.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cpom.core.importing import DataImportError
from cpom.core.text import clean_text
from cpom.finance import rules
from cpom.finance.accounting import services as imports
from cpom.finance.accounting.forms import ImportForm
from cpom.import_slots import ImportsBusy

from .indicator_data import ImportsBusyNow


class AccountingFileSerializer(serializers.Serializer):
    """What the page's form asks (documentation: the form itself checks them)."""

    kind = serializers.ChoiceField(choices=list(imports.KINDS.items()), help_text="« FEC » ou « balance générale ».")
    target = serializers.CharField(
        help_text="« etablissement:<FINESS> », ou « section:<identifiant> » pour une section analytique rattachée."
    )
    year = serializers.IntegerField(help_text="Année de l'exercice (1990 à 2100).")
    fiscal_start = serializers.DateField(required=False, help_text="Début de l'exercice ; vide : le 1er janvier.")
    fiscal_end = serializers.DateField(required=False, help_text="Fin de l'exercice ; vide : le 31 décembre.")
    file = serializers.FileField(help_text="FEC (texte, « | » ou tabulation) ou balance CSV/Excel ; 200 Mo au plus.")


class AccountingReportSerializer(serializers.Serializer):
    batch = serializers.IntegerField(help_text="L'import, tel que le journal et la page « Imports » le nomment.")
    file_name = serializers.CharField()
    kind = serializers.CharField()
    finess = serializers.CharField(help_text="L'établissement dont les comptes sont enregistrés.")
    year = serializers.IntegerField()
    lines = serializers.IntegerField(help_text="Lignes lues dans le fichier.")
    accounts = serializers.IntegerField(help_text="Soldes de comptes enregistrés (ceux de l'année sont remplacés).")


def _form_errors(form) -> dict:
    """The form's refusals by field, for the problem's pointers; its whole-form ones on the body."""
    return {("non_field_errors" if name == "__all__" else name): list(errors) for name, errors in form.errors.items()}


def _refuse_unknown_fields(request, form) -> None:
    unknown = sorted(set(request.data.keys()) - set(form.fields))
    if unknown:
        known = ", ".join(f"« {name} »" for name in form.fields)
        raise ValidationError(dict.fromkeys(unknown, f"Champ inconnu : les champs admis sont {known}."))


@extend_schema(
    summary="Importer un fichier comptable (FEC ou balance générale)",
    request={"multipart/form-data": AccountingFileSerializer},
    responses={
        201: AccountingReportSerializer,
        400: OpenApiResponse(description="Fichier ou champ refusé : « errors » nomme chaque ligne et champ."),
        403: OpenApiResponse(description="Seul l'organisme gestionnaire (rôle contribution) importe ses comptes."),
        503: OpenApiResponse(description="Trop d'imports en cours : réessayez dans un instant."),
    },
)
class AccountingImportView(APIView):
    parser_classes = [MultiPartParser]

    def post(self, request):
        refusal = rules.import_refusal(request.user)
        if refusal:
            raise PermissionDenied(refusal)
        form = ImportForm(request.POST, request.FILES, user=request.user)
        _refuse_unknown_fields(request, form)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        data, upload = form.cleaned_data, form.cleaned_data["file"]
        name = clean_text(upload.name)
        if upload.size > settings.CPOM_MAX_UPLOAD_BYTES:
            raise ValidationError({"file": str(imports.too_large(name))})
        establishment = data["establishment"]
        try:
            batch, balance = imports.read_and_store(
                upload.read(), name, data["kind"], data["period"], establishment, data["year"], request.user
            )
        except DataImportError as refused:
            raise ValidationError({"file": refused.problems or [str(refused)]}) from None
        except imports.ImportRefused as refused:
            raise PermissionDenied(str(refused)) from None
        except ImportsBusy as busy:
            raise ImportsBusyNow(str(busy)) from None
        report = {
            "batch": batch.pk,
            "file_name": batch.file_name,
            "kind": batch.kind,
            "finess": establishment.finess,
            "year": data["year"],
            "lines": batch.rows,
            "accounts": len(imports.accounts_to_store(balance)),
        }
        return Response(AccountingReportSerializer(report).data, status=status.HTTP_201_CREATED)
