from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from . import services
from cpom.access import can_administer_members, membership_of
from .forms import MemberChangeForm, NewMemberForm


@login_required
def organisation_members(request):
    if membership_of(request.user) is None:
        raise PermissionDenied("Votre compte n'est rattaché à aucune organisation.")
    can_administer = can_administer_members(request.user)
    form = NewMemberForm(request.POST or None) if can_administer else None
    if request.method == "POST":
        if not can_administer:
            raise PermissionDenied("Seuls les administrateurs de l'organisation gèrent ses comptes.")
        if form.is_valid():
            membership = services.add_member(request.user, **form.cleaned_data)
            messages.success(request, f"Le compte {membership.user.username} a été créé.")
            return redirect("accounts:members")
    return render(request, "accounts/members.html", {
        "members": services.members_of(request.user),
        "can_administer": can_administer,
        "form": form,
        "role_form": MemberChangeForm,
    })


@login_required
@require_POST
def member_change(request, membership_id):
    if not can_administer_members(request.user):
        raise PermissionDenied("Seuls les administrateurs de l'organisation gèrent ses comptes.")
    membership = get_object_or_404(services.members_of(request.user), pk=membership_id)
    form = MemberChangeForm(request.POST)
    if form.is_valid():
        try:
            services.change_member(request.user, membership, **form.cleaned_data)
        except services.MemberChangeRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"Le compte {membership.user.username} a été mis à jour.")
    return redirect("accounts:members")


@login_required
def my_account(request):
    token = Token.objects.filter(user=request.user).first()
    if request.method == "POST":
        token = services.renew_token(request.user)
        messages.success(request, "Un nouveau jeton d'API a été créé ; l'ancien ne fonctionne plus.")
    return render(request, "accounts/my_account.html", {"token": token})
