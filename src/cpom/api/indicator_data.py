"""Indicator data pushed by an integrator (a managing body's information system): the data elements the formulas
read, for its establishments or its head office, a year at a time or many.

Either JSON rows (``{"rows": [{"finess", "year", "element", "value"}, …]}``, head-office rows naming ``siren``), or
the same file as the command line's import (long CSV or cpom's Excel template) as multipart ``file``. Both go
through the file import's service (cpom.indicators.importers): every row checked first, any problem refuses
everything, each problem placed by its JSON pointer (the row and field, or the file's line and column).

An import adds a batch; it edits no record someone else may be editing, so it takes no If-Match: a later import
replaces the values of an earlier one, as the file import does.
"""

from decimal import Decimal

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cpom.core.importing import DataImportError
from cpom.core.numbers import grouped
from cpom.core.text import clean_text
from cpom.import_slots import ImportsBusy
from cpom.indicators import importers, rules

from .inputs import refuse_unknown_fields


class ImportsBusyNow(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "imports_busy"


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _refuse_a_large_json_body(request) -> None:
    """JSON rows are read whole in memory: past Django's bound for a request body (DATA_UPLOAD_MAX_MEMORY_SIZE),
    the rows go in several requests, or as a file, which is read within the uploads' bound."""
    bound = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if bound is not None and int(request.META.get("CONTENT_LENGTH") or 0) > bound:
        raise BodyTooLarge(
            f"Corps JSON de plus de {grouped(Decimal(bound) / 2**20, 1)} Mo : envoyez les lignes en plusieurs fois, "
            "ou le fichier CSV dans « file » (multipart/form-data). Rien n'a été enregistré."
        )


class DataRowSerializer(serializers.Serializer):
    """One row, as one line of the long CSV (documentation: the rows are checked by the import itself)."""

    finess = serializers.CharField(required=False, help_text="FINESS de l'établissement (ou « siren » pour le siège).")
    siren = serializers.CharField(required=False, help_text="SIREN de l'organisme gestionnaire, pour ses données.")
    year = serializers.IntegerField(help_text="Année, quatre chiffres (1990 à 2100).")
    element = serializers.CharField(help_text="Code de la donnée (voir « Données élémentaires » dans cpom).")
    value = serializers.CharField(help_text="Nombre, en JSON ou écrit à la française (« 9 000,5 »).")


class DataRowsSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        error_messages={
            "required": "Envoyez les lignes dans « rows » : une liste d'objets (finess, year, element, value).",
            "not_a_list": "« rows » : une liste d'objets (finess, year, element, value) est attendue.",
            "empty": "« rows » : aucune ligne de données.",
            "min_length": "« rows » : aucune ligne de données.",
        },
    )

    def validate(self, attrs):
        refuse_unknown_fields(self)
        return attrs


class DataRowsDocumentation(serializers.Serializer):
    rows = DataRowSerializer(many=True)


class DataFileSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV long (finess;annee;element;valeur, ou siren;… pour le siège) ou modèle Excel de cpom.",
        error_messages={
            "required": "Joignez le fichier dans le champ « file ».",
            "invalid": "« file » : un fichier est attendu (envoi multipart/form-data).",
            "empty": "Le fichier envoyé est vide.",
        },
    )

    def validate(self, attrs):
        refuse_unknown_fields(self)
        if attrs["file"].size > settings.CPOM_MAX_UPLOAD_BYTES:
            bound = settings.CPOM_MAX_UPLOAD_BYTES // 2**20
            raise ValidationError({"file": f"Fichier trop volumineux : au plus {bound} Mo."})
        return attrs


class ImportReportSerializer(serializers.Serializer):
    batch = serializers.IntegerField(source="batch.pk", help_text="L'import, tel que le journal le nomme.")
    source = serializers.CharField(source="batch.file_name")
    kind = serializers.CharField(source="batch.kind")
    rows = serializers.IntegerField(source="batch.rows")
    created = serializers.IntegerField(help_text="Valeurs nouvelles.")
    updated = serializers.IntegerField(help_text="Valeurs remplacées (celles d'un import antérieur).")


def _pointed(error: DataImportError, file: bool) -> dict:
    """The import's problems as a validation error's detail: by row and field for JSON rows, on ``file`` with the
    line and column for a file."""
    if file or not error.located:
        return {"file" if file else "rows": error.problems}
    rows: dict = {}
    for index, column, message in error.located:
        rows.setdefault(str(index), {}).setdefault(column or "non_field_errors", []).append(message)
    return {"rows": rows}


@extend_schema(
    summary="Envoyer des données d'indicateurs (tout ou rien)",
    request={"application/json": DataRowsDocumentation, "multipart/form-data": DataFileSerializer},
    responses={
        201: ImportReportSerializer,
        400: OpenApiResponse(
            description="Données refusées : « errors » nomme chaque ligne et champ ; rien n'est écrit."
        ),
        403: OpenApiResponse(description="Votre organisation ou votre rôle n'envoie pas ces données."),
        413: OpenApiResponse(description="Corps JSON trop volumineux : envoyez les lignes en plusieurs fois."),
        503: OpenApiResponse(description="Trop d'imports en cours : réessayez dans un instant."),
    },
)
class IndicatorDataView(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    def post(self, request):
        refusal = rules.data_import_refusal(request.user)
        if refusal:
            raise PermissionDenied(refusal)
        is_file = request.content_type.startswith("multipart/")
        if not is_file:
            _refuse_a_large_json_body(request)
        checked = (DataFileSerializer if is_file else DataRowsSerializer)(data=request.data)
        checked.is_valid(raise_exception=True)
        try:
            if is_file:
                upload = checked.validated_data["file"]
                report = importers.import_content(upload.read(), clean_text(upload.name), request.user)
            else:
                report = importers.import_rows(checked.validated_data["rows"], request.user)
        except DataImportError as refused:
            raise ValidationError(_pointed(refused, is_file)) from None
        except importers.DataRefused as refused:
            raise PermissionDenied(str(refused)) from None
        except ImportsBusy as busy:
            raise ImportsBusyNow(str(busy)) from None
        return Response(ImportReportSerializer(report).data, status=status.HTTP_201_CREATED)
