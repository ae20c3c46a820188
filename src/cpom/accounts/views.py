from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cpom.web.refusals import forbid

from . import rules, services
from .forms import LoginForm, MemberChangeForm, NewApiTokenForm, NewMemberForm


@login_required
def organisation_members(request):
    forbid(rules.members_refusal(request.user))
    can_administer = rules.administer_refusal(request.user) is None
    form = NewMemberForm(request.POST or None) if can_administer else None
    if request.method == "POST":
        forbid(rules.administer_refusal(request.user))
        if form.is_valid():
            membership = services.add_member(request.user, **form.cleaned_data)
            messages.success(request, f"Le compte {membership.user.username} a été créé.")
            return redirect("accounts:members")
    return render(
        request,
        "accounts/members.html",
        {
            "members": services.members_of(request.user),
            "can_administer": can_administer,
            "form": form,
            "role_form": MemberChangeForm,
        },
    )


@login_required
@require_POST
def member_change(request, membership_id):
    forbid(rules.administer_refusal(request.user))
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
    form = NewApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        token, secret = services.create_token(request.user, **form.cleaned_data)
        messages.success(
            request, f"Le jeton « {token.label} » a été créé. Copiez-le maintenant : il ne sera plus affiché."
        )
        form = NewApiTokenForm()
    # Rendered, not redirected: the secret exists only in this response.
    return render(
        request,
        "accounts/my_account.html",
        {"form": form, "secret": secret, "tokens": services.tokens_of(request.user), "now": timezone.now()},
    )


@login_required
@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(services.tokens_of(request.user), pk=token_id)
    services.revoke_token(request.user, token)
    messages.success(request, f"Le jeton « {token.label} » est révoqué : il ne donne plus accès à l'API.")
    return redirect("accounts:my_account")


class LoginView(auth_views.LoginView):
    """The sign-in page, with the single sign-on button when a provider is configured (read per request)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"oidc": settings.CPOM_OIDC}
