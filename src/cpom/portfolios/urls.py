from django.urls import path

from . import views

app_name = "portfolios"

urlpatterns = [
    path("autorites/<int:authority_id>/portefeuille/", views.portfolio_page, name="portfolio"),
    path(
        "autorites/<int:authority_id>/portefeuille/<slug:table>.xlsx",
        views.portfolio_export,
        name="portfolio_export",
    ),
    path("autorites/<int:authority_id>/programmation/", views.programming_page, name="programming"),
    path(
        "autorites/<int:authority_id>/programmation/annexe.<str:extension>",
        views.programming_export,
        name="programming_export",
    ),
    path("autorites/<int:authority_id>/programmation/nouvelle-ligne/", views.entry_create, name="entry_create"),
    path("autorites/<int:authority_id>/programmation/<int:entry_id>/", views.entry_update, name="entry_update"),
    path(
        "autorites/<int:authority_id>/programmation/<int:entry_id>/retirer/",
        views.entry_remove,
        name="entry_remove",
    ),
]
