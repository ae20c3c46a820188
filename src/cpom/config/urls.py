from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cpom.accounts.forms import ChangePasswordForm, NewPasswordForm, ResetPasswordForm
from cpom.accounts.oidc import oidc_callback, oidc_start
from cpom.accounts.views import LoginView
from cpom.contracts.views import home

admin.site.site_header = "Administration de cpom"
admin.site.site_title = "cpom"

urlpatterns = [
    path("", home, name="home"),
    path("connexion/", LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on (cpom.accounts.oidc): 404 unless CPOM_OIDC_CLIENT_ID is set.
    path("connexion/oidc/", oidc_start, name="oidc_start"),
    path("connexion/oidc/retour/", oidc_callback, name="oidc_callback"),
    path(
        "mon-compte/mot-de-passe/",
        auth_views.PasswordChangeView.as_view(form_class=ChangePasswordForm),
        name="password_change",
    ),
    path("mon-compte/mot-de-passe/change/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "mot-de-passe-oublie/",
        auth_views.PasswordResetView.as_view(
            form_class=ResetPasswordForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("mot-de-passe-oublie/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=NewPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe-oublie/termine/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("contrats/", include("cpom.contracts.urls")),
    path("contrats/<int:contract_id>/diagnostic/", include("cpom.diagnostic.urls")),
    path("contrats/<int:contract_id>/objectifs/", include("cpom.objectives.urls")),
    path("contrats/<int:contract_id>/", include("cpom.documents.urls")),
    path("contrats/<int:contract_id>/", include("cpom.amendments.urls")),
    path("contrats/<int:contract_id>/", include("cpom.followup.urls")),
    path("", include("cpom.followup.framing_urls")),
    path("contrats/<int:contract_id>/", include("cpom.signing.urls")),
    path("", include("cpom.alerts.urls")),
    path("contrats/<int:contract_id>/", include("cpom.reviews.urls")),
    path("contrats/<int:contract_id>/", include("cpom.launch.urls")),
    path("", include("cpom.portfolios.urls")),
    path("", include("cpom.roadmap.urls")),
    path("contrats/<int:contract_id>/", include("cpom.timeline.urls")),
    path("", include("cpom.notifications.urls")),
    path("", include("cpom.finance.urls")),
    path("", include("cpom.accounts.urls")),
    path("", include("cpom.indicators.urls")),
    path("", include("cpom.jobs.urls")),
    path("", include("cpom.registry.urls")),
    path("api/v1/", include("cpom.api.urls")),
    # issue 14, operations: /sante/ (the reverse proxy's health check) and /metriques/ (the supervisor's)
    path("", include("cpom.operations.urls")),
]
if settings.CPOM_ADMIN_PATH:
    urlpatterns.append(path(settings.CPOM_ADMIN_PATH, admin.site.urls))
