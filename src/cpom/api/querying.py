"""What every list of the API shares: its pages and its validated filters.

A list answers a page (``count``, ``next``, ``previous``, ``results``), the per-contract lists as the top-level
ones. Its filters are query parameters declared as a serializer (``filters=`` on the view or the action): a value
the serializer refuses is a 400 problem naming the parameter, in French, before anything is read.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class InvalidQuery(exceptions.ValidationError):
    """A query parameter refused: the problem's ``errors`` name each parameter (``parameter`` rather than a pointer
    into a body that a GET does not have)."""


def refuse(parameter: str, message: str):
    raise InvalidQuery({parameter: [message]})


class Pages(PageNumberPagination):
    """100 results a page by default, ``page_size`` up to 500; a page that is not a positive whole number is refused
    as a filter is, a page past the last one is not found."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param, "1")
        if not number.isdigit() or int(number) < 1:
            refuse(self.page_query_param, "Indiquez un numéro de page entier, à partir de 1.")
        return number

    def get_page_size(self, request):
        size = request.query_params.get(self.page_size_query_param)
        if size is not None and (not size.isdigit() or not 1 <= int(size) <= self.max_page_size):
            refuse(
                self.page_size_query_param, f"Indiquez un nombre de résultats par page entre 1 et {self.max_page_size}."
            )
        return super().get_page_size(request)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Numéro de la page, à partir de 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Résultats par page (100 par défaut, {self.max_page_size} au plus).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


# The largest identifier the databases store (a larger number would not reach them: an overflow, not a 404).
MAX_ID = 2**31 - 1


def identifier(help_text: str) -> serializers.IntegerField:
    """A filter naming an object by its identifier."""
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=help_text)


def year_filter(help_text: str = "Année.") -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1900, max_value=2200, help_text=help_text)


class Filters(serializers.Serializer):
    """The filters of one list: each field is a query parameter; :meth:`apply` says how a value narrows the list."""

    def apply(self, queryset, values: dict):
        raise NotImplementedError


def filter_values(request, filters: type[Filters]) -> dict:
    """The query parameters ``filters`` declares, validated; a refused one raises :class:`InvalidQuery`."""
    given = {name: request.query_params.get(name) for name in filters().fields if name in request.query_params}
    checker = filters(data=given)
    if not checker.is_valid():
        raise InvalidQuery(checker.errors)
    return {name: value for name, value in checker.validated_data.items() if value not in (None, "")}


def filtered(request, queryset, filters: type[Filters] | None):
    if filters is None:
        return queryset
    return filters().apply(queryset, filter_values(request, filters))


def page_of(view, items, serializer_class, filters: type[Filters] | None = None, context: dict | None = None):
    """One page of ``items`` (a queryset or a list), filtered: what every per-contract list action answers."""
    items = filtered(view.request, items, filters)
    page = view.paginate_queryset(items)
    data = serializer_class(page, many=True, context={"request": view.request, **(context or {})}).data
    return view.get_paginated_response(data)


class FilteredListMixin:
    """A viewset's own list filtered by its ``filters`` (the top-level lists)."""

    filters: type[Filters] | None = None

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return filtered(self.request, queryset, self.filters) if self.action == "list" else queryset


def listed(serializer_class, filters: type[Filters] | None = None, summary: str | None = None):
    """The schema of a list action: a page of ``serializer_class``, its filters as query parameters."""
    return extend_schema(
        responses=serializer_class(many=True), parameters=[filters] if filters else None, summary=summary
    )
