"""Shared pieces of the web layer: the forms' base (DSFR style, what every form does to what people type) and
visibility-checked lookups."""

import contextlib

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from cpom.accounts.access import visible
from cpom.numbers import read_decimal
from cpom.text import clean_text


def _clean_value(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (list, tuple)):
        return [_clean_value(item) for item in value]
    return value


def without_control_characters(data):
    """The submitted data with every text cleaned (:func:`cpom.text.clean_text`); files are not in it."""
    if isinstance(data, MultiValueDict):
        cleaned = data.copy()
        for key, values in data.lists():
            cleaned.setlist(key, _clean_value(values))
        return cleaned
    return {key: _clean_value(value) for key, value in data.items()}


class TypedInputMixin:
    """What every form of cpom does to what people typed, before a field reads it: no control characters (they
    would make the Word and Excel exports fail, forever once the contract is signed)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = without_control_characters(self.data)


class DsfrForm(TypedInputMixin, DsfrBaseForm):
    """The base of every form that is not a model's."""


class DsfrModelForm(TypedInputMixin, forms.ModelForm):
    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound_field in self.visible_fields():
            dsfr_input_class_attr(bound_field)


class FrenchDecimalField(forms.DecimalField):
    """« 12 500,50 », with the spaces and comma people type, is 12500.50."""

    def to_python(self, value):
        if isinstance(value, str):
            # Left as typed when it is not a number: DecimalField then says so.
            with contextlib.suppress(ValueError):
                value = read_decimal(value)
        return super().to_python(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def visible_or_404(user, queryset: QuerySet, **lookup):
    """Invisible and non-existent objects look the same to the user: 404."""
    return get_object_or_404(visible(user, queryset), **lookup)


class VisibleObjectMixin(LoginRequiredMixin):
    """Detail and edit views: the object is looked up among those the user may see."""

    lookup_field = "pk"
    lookup_kwarg = "pk"

    def get_object(self, queryset=None):
        queryset = queryset if queryset is not None else self.get_queryset()
        return visible_or_404(self.request.user, queryset, **{self.lookup_field: self.kwargs[self.lookup_kwarg]})


class EditPermissionMixin(VisibleObjectMixin):
    """Edit views: visible is not enough, ``may_edit(user, obj)`` must also hold."""

    def may_edit(self, user, obj) -> bool:
        raise NotImplementedError

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not self.may_edit(self.request.user, obj):
            raise PermissionDenied("Vous n'avez pas le droit de modifier cette fiche.")
        return obj

    def form_valid(self, form):
        messages.success(self.request, "Les modifications ont été enregistrées.")
        return super().form_valid(form)


class FormPageMixin:
    """Create and edit views share one page; ``create_title`` names the new object in French."""

    template_name = "form_page.html"
    create_title = ""
    list_url_name = ""

    def get_context_data(self, **kwargs):
        obj = getattr(self, "object", None)
        return super().get_context_data(
            form_title=f"Modifier : {obj}" if obj else self.create_title,
            cancel_url=obj.get_absolute_url() if obj else reverse(self.list_url_name),
            **kwargs,
        )
