from django.urls import path

from . import workbook_views

app_name = "followup"

# Mounted under contrats/<contract_id>/, beside the contract's other stages.
urlpatterns = [
    path("suivi/<int:campaign_id>/grille.xlsx", workbook_views.grid_download, name="grid_download"),
    path("suivi/<int:campaign_id>/importer-grille/", workbook_views.grid_import, name="grid_import"),
    path(
        "suivi/<int:campaign_id>/importer-grille/confirmer/",
        workbook_views.grid_import_confirm,
        name="grid_import_confirm",
    ),
]
