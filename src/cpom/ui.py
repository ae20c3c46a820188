"""Shared pieces of the web layer: DSFR-styled model forms and visibility-checked lookups."""

import contextlib

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from cpom.accounts.access import visible
from cpom.locking import STALE_STATUS, StaleWrite
from cpom.numbers import read_decimal


class DsfrModelForm(forms.ModelForm):
    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound_field in self.visible_fields():
            dsfr_input_class_attr(bound_field)


class VersionedModelForm(DsfrModelForm):
    """Sends back the version of the record the page showed: the save is refused if it moved on (cpom.locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


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


def show_refusal(request, form, refusal: Exception) -> None:
    """A refused save, said above the form the user filled (their input stays there); a stale one answers 409."""
    form.add_error(None, str(refusal))
    if isinstance(refusal, StaleWrite):
        request.cpom_status = STALE_STATUS


def flash_refusal(request, refusal: Exception) -> None:
    """A refused button action, said on the page the user goes back to; a stale one stops here with 409."""
    if isinstance(refusal, StaleWrite):
        raise refusal
    messages.error(request, str(refusal))


class StaleWriteMiddleware:
    """Every stale write answers the same way: status 409, the same French message, a way back to the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = getattr(request, "cpom_status", None)
        if status and response.status_code == 200:
            response.status_code = status
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, StaleWrite):
            return None
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = request.path
        return render(request, "stale_write.html", {"message": str(exception), "back": back}, status=STALE_STATUS)
