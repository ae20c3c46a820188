from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from cpom import access
from cpom.access import Side, visible
from cpom.core.locking import StaleWrite
from cpom.registry import rules as registry_rules
from cpom.web.refusals import show_refusal
from cpom.web.views import EditPermissionMixin, FormPageMixin, VisibleObjectMixin, visible_or_404

from . import services
from .forms import AuthorityForm, ContactForm, EstablishmentForm, ManagingBodyForm
from .models import Authority, Contact, Establishment, ManagingBody


class SearchableListView(LoginRequiredMixin, ListView):
    """Lists what the user may see; htmx requests get only the table, filtered as they type."""

    paginate_by = 50
    search_fields: tuple[str, ...] = ()
    partial_template = ""

    def get_queryset(self):
        queryset = visible(self.request.user, super().get_queryset())
        query = self.request.GET.get("q", "").strip()
        if query:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": query})
            queryset = queryset.filter(condition)
        return queryset

    def get_template_names(self):
        return [self.partial_template] if self.request.htmx else super().get_template_names()


class SavedRecordMixin:
    """The record is saved by the registry's service: locked on its version and written to the journal."""

    def saved_message(self) -> str:
        return "Les modifications ont été enregistrées."

    def form_valid(self, form):
        try:
            self.object = services.save_record(self.request.user, form)
        except StaleWrite as refused:
            show_refusal(self.request, form, refused)
            return self.form_invalid(form)
        messages.success(self.request, self.saved_message())
        return redirect(self.object)


class GuardedCreateView(LoginRequiredMixin, SavedRecordMixin, FormPageMixin, CreateView):
    refusal = ""

    def may_create(self, user) -> bool:
        raise NotImplementedError(f"{type(self).__name__} must say who may do this (may_create)")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.may_create(request.user):
            raise PermissionDenied(self.refusal)
        return super().dispatch(request, *args, **kwargs)

    def saved_message(self) -> str:
        return f"{self.create_title} : fiche créée."


# Establishments -------------------------------------------------------------------------------


class EstablishmentList(SearchableListView):
    model = Establishment
    queryset = Establishment.objects.select_related("managing_body")
    search_fields = ("name", "finess", "city", "category", "managing_body__name")
    partial_template = "registry/_establishment_table.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=registry_rules.can_create_establishment(self.request.user), **kwargs)


class EstablishmentDetail(VisibleObjectMixin, DetailView):
    model = Establishment
    lookup_field = lookup_kwarg = "finess"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            can_edit=registry_rules.can_edit_establishment(user, self.object),
            contracts=visible(user, self.object.contracts.all()),
            **kwargs,
        )


class EstablishmentFormMixin:
    model = Establishment
    form_class = EstablishmentForm
    create_title = "Nouvel établissement"
    list_url_name = "registry:establishments"

    def get_form_kwargs(self):
        membership = access.membership_of(self.request.user)
        managing_bodies = ManagingBody.objects.all()
        if membership.side != Side.PLATFORM:
            managing_bodies = managing_bodies.filter(pk=membership.managing_body_id)
        return {**super().get_form_kwargs(), "managing_bodies": managing_bodies}


class EstablishmentCreate(EstablishmentFormMixin, GuardedCreateView):
    refusal = "Seuls l'organisme gestionnaire (rôle contribution) et la plateforme créent des établissements."

    def may_create(self, user):
        return registry_rules.can_create_establishment(user)


class EstablishmentUpdate(EstablishmentFormMixin, SavedRecordMixin, EditPermissionMixin, FormPageMixin, UpdateView):
    lookup_field = lookup_kwarg = "finess"

    def may_edit(self, user, obj):
        return registry_rules.can_edit_establishment(user, obj)


# Managing bodies ------------------------------------------------------------------------------


class ManagingBodyList(SearchableListView):
    model = ManagingBody
    search_fields = ("name", "siren", "city")
    partial_template = "registry/_managingbody_table.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=access.is_platform_admin(self.request.user), **kwargs)


class OrganisationDetail(VisibleObjectMixin, DetailView):
    """A managing body's or an authority's page: its record, what it runs, its contacts."""

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            can_edit=registry_rules.can_edit_organisation(user, self.object),
            can_manage_contacts=registry_rules.can_manage_contacts_of(user, self.object),
            contacts=visible(user, self.object.contacts.all()),
            **self.related(user),
            **kwargs,
        )

    def related(self, user) -> dict:
        return {}


class OrganisationUpdate(SavedRecordMixin, EditPermissionMixin, FormPageMixin, UpdateView):
    def may_edit(self, user, obj):
        return registry_rules.can_edit_organisation(user, obj)


class PlatformCreateView(GuardedCreateView):
    def may_create(self, user):
        return access.is_platform_admin(user)


class ManagingBodyDetail(OrganisationDetail):
    model = ManagingBody
    lookup_kwarg = "managing_body_id"

    def related(self, user):
        return {
            "establishments": visible(user, self.object.establishments.all()),
            "contracts": visible(user, self.object.contracts.all()),
        }


class ManagingBodyCreate(PlatformCreateView):
    model = ManagingBody
    form_class = ManagingBodyForm
    create_title = "Nouvel organisme gestionnaire"
    list_url_name = "registry:managing_bodies"
    refusal = "Seule l'équipe de la plateforme crée un organisme gestionnaire."


class ManagingBodyUpdate(OrganisationUpdate):
    model = ManagingBody
    form_class = ManagingBodyForm
    lookup_kwarg = "managing_body_id"


# Authorities ----------------------------------------------------------------------------------


class AuthorityList(SearchableListView):
    model = Authority
    search_fields = ("name", "territory")
    partial_template = "registry/_authority_table.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=access.is_platform_admin(self.request.user), **kwargs)


class AuthorityDetail(OrganisationDetail):
    model = Authority
    lookup_kwarg = "authority_id"


class AuthorityCreate(PlatformCreateView):
    model = Authority
    form_class = AuthorityForm
    create_title = "Nouvelle autorité"
    list_url_name = "registry:authorities"
    refusal = "Seule l'équipe de la plateforme crée une autorité."


class AuthorityUpdate(OrganisationUpdate):
    model = Authority
    form_class = AuthorityForm
    lookup_kwarg = "authority_id"


# Contacts -------------------------------------------------------------------------------------


def _contact_form_page(request, organisation, contact=None):
    if not registry_rules.can_manage_contacts_of(request.user, organisation):
        raise PermissionDenied("Vous ne pouvez gérer que les contacts de votre organisation.")
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        owner = {"managing_body" if isinstance(organisation, ManagingBody) else "authority": organisation}
        try:
            services.save_record(request.user, form, **({} if contact else owner))
        except StaleWrite as refused:
            show_refusal(request, form, refused)
        else:
            messages.success(request, "Le contact a été enregistré.")
            return redirect(organisation)
    title = f"Modifier : {contact}" if contact else f"Nouveau contact – {organisation}"
    context = {"form": form, "form_title": title, "cancel_url": organisation.get_absolute_url()}
    return render(request, "form_page.html", context)


@login_required
def contact_create_for_managing_body(request, managing_body_id):
    organisation = visible_or_404(request.user, ManagingBody.objects.all(), pk=managing_body_id)
    return _contact_form_page(request, organisation)


@login_required
def contact_create_for_authority(request, authority_id):
    organisation = visible_or_404(request.user, Authority.objects.all(), pk=authority_id)
    return _contact_form_page(request, organisation)


@login_required
def contact_update(request, contact_id):
    contact = visible_or_404(request.user, Contact.objects.all(), pk=contact_id)
    return _contact_form_page(request, contact.organisation, contact)
