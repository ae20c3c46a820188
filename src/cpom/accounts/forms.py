from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from cpom.web.forms import DsfrForm
from cpom.web.inputs import TypedInputMixin

from .models import Role
from .services import token_lifetimes


class _DsfrAuthForm(TypedInputMixin):
    """Django's authentication forms drawn the DSFR way, and bounded and cleaned like every other form."""

    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField
    labels: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():  # before the bound fields, which copy the label, are made
            self.fields[name].label = label
        for bound_field in self.visible_fields():
            dsfr_input_class_attr(bound_field)


class LoginForm(_DsfrAuthForm, AuthenticationForm):
    labels = {"username": "Identifiant"}


class ChangePasswordForm(_DsfrAuthForm, PasswordChangeForm):
    pass


class ResetPasswordForm(_DsfrAuthForm, PasswordResetForm):
    pass


class NewPasswordForm(_DsfrAuthForm, SetPasswordForm):
    pass


class NewMemberForm(DsfrForm):
    username = forms.CharField(label="Identifiant", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    email = forms.EmailField(label="Courriel")
    role = forms.ChoiceField(label="Rôle", choices=Role.choices, initial=Role.CONTRIBUTE)
    password = forms.CharField(
        label="Mot de passe initial",
        widget=forms.PasswordInput,
        help_text="À communiquer à la personne, qui pourra le changer.",
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("Cet identifiant est déjà utilisé.")
        return username

    def clean(self):
        data = super().clean()
        if data.get("password"):
            user = get_user_model()(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
            )
            try:
                password_validation.validate_password(data["password"], user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class MemberChangeForm(DsfrForm):
    role = forms.ChoiceField(label="Rôle", choices=Role.choices)
    is_active = forms.BooleanField(label="Compte actif", required=False)


def _lifetime_label(days: int) -> str:
    return {30: "1 mois", 90: "3 mois", 365: "1 an"}.get(days, f"{days} jours")


class NewApiTokenForm(DsfrForm):
    label = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Le programme qui l'utilisera, pour le reconnaître parmi vos jetons : « Logiciel comptable ».",
    )
    days = forms.TypedChoiceField(label="Durée de validité", coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lifetimes = token_lifetimes()
        self.fields["days"].choices = [(days, _lifetime_label(days)) for days in lifetimes]
        self.fields["days"].initial = 90 if 90 in lifetimes else lifetimes[-1]
