"""« Mes échéances », the preferences and the calendar feed. Thin: the services decide and record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cpom.access import Side, membership_of
from cpom.web.refusals import show_refusal

from . import services
from .forms import PreferencesForm


def _page(request, form=None, status=200):
    user = request.user
    preference = services.preference_for(user)
    today = timezone.localdate()
    items, left_out = services.upcoming(user, today)
    chosen = services.choices_of(preference)
    form = form or PreferencesForm(initial={"version": preference.version}, chosen=chosen)
    membership = membership_of(user)
    return render(
        request,
        "notifications/mine.html",
        {
            "items": items,
            "left_out": left_out,
            "form": form,
            "preference": preference,
            "today": today,
            "feed_url": request.build_absolute_uri(
                reverse("notifications:feed", kwargs={"token": preference.feed_token})
            ),
            "is_platform": membership is not None and membership.side == Side.PLATFORM,
            "has_email": bool(user.email),
        },
        status=status,
    )


@login_required
@require_GET
def mine(request):
    return _page(request)


@login_required
@require_POST
def preferences(request):
    preference = services.preference_for(request.user)
    form = PreferencesForm(request.POST, chosen=services.choices_of(preference))
    if not form.is_valid():
        return _page(request, form)
    try:
        services.save_choices(request.user, form.cleaned_data["version"], form.wanted())
    except services.PreferencesRefused as refused:
        show_refusal(request, form, refused)
        return _page(request, form)
    messages.success(request, "Vos préférences sont enregistrées : la liste ci-dessous les suit.")
    return redirect("notifications:mine")


@login_required
@require_POST
def regenerate(request):
    version = request.POST.get("version", "")
    services.regenerate_token(request.user, int(version) if version.isdigit() else None)
    messages.success(
        request,
        "Votre calendrier a une nouvelle adresse : l'ancienne ne répond plus. Abonnez votre agenda à la nouvelle.",
    )
    return redirect("notifications:mine")


@require_GET
def feed(request, token):
    user = services.user_for_token(token)
    # A calendar application signs in nowhere; a person signed in asks only their own (another's address, found in
    # a shared link, answers them nothing).
    if user is None or (request.user.is_authenticated and request.user.pk != user.pk):
        raise Http404("Aucun calendrier à cette adresse.")
    response = HttpResponse(
        services.feed_for(user, timezone.localdate(), request.build_absolute_uri("/").rstrip("/")),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="echeances-cpom.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
