"""Visibility-checked lookups and the mixins of the detail, edit and form pages."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from cpom.access import visible


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
        raise NotImplementedError(f"{type(self).__name__} must say who may do this (may_edit)")

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
