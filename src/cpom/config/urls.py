from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cpom.accounts.forms import LoginForm
from cpom.contracts.views import home

admin.site.site_header = "Administration de cpom"
admin.site.site_title = "cpom"

urlpatterns = [
    path("", home, name="home"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("contrats/", include("cpom.contracts.urls")),
    path("contrats/<int:contract_id>/diagnostic/", include("cpom.diagnostic.urls")),
    path("contrats/<int:contract_id>/objectifs/", include("cpom.objectives.urls")),
    path("", include("cpom.finance.urls")),
    path("", include("cpom.accounts.urls")),
    path("", include("cpom.indicators.urls")),
    path("", include("cpom.registry.urls")),
    path("api/", include("cpom.api.urls")),
    path("admin/", admin.site.urls),
]
