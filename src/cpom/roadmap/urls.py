from django.urls import path

from . import views

app_name = "roadmap"

urlpatterns = [
    path("organismes/<int:managing_body_id>/portefeuille/", views.portfolio, name="portfolio"),
    path(
        "organismes/<int:managing_body_id>/portefeuille/<slug:table>.xlsx",
        views.portfolio_export,
        name="portfolio_export",
    ),
    path("etablissements/<str:finess>/fiche/", views.establishment_sheet, name="establishment_sheet"),
]
