from django.urls import path

from cpom.finance.accounting import views as import_views

urlpatterns = [
    path("finances/import/", import_views.start, name="import_start"),
    path("finances/import/confirmer/", import_views.confirm, name="import_confirm"),
    path("finances/import/abandonner/", import_views.cancel, name="import_cancel"),
    path("finances/imports/", import_views.batches, name="import_list"),
    path("finances/imports/<int:batch_id>/", import_views.report, name="import_report"),
    path("finances/sections/", import_views.sections, name="import_sections"),
]
