from django.urls import path

from cpom.finance.accounting import views

urlpatterns = [
    path("finances/import/", views.start, name="import_start"),
    path("finances/import/confirmer/", views.confirm, name="import_confirm"),
    path("finances/import/abandonner/", views.cancel, name="import_cancel"),
    path("finances/imports/", views.batches, name="import_list"),
    path("finances/imports/<int:batch_id>/", views.report, name="import_report"),
    path("finances/sections/", views.sections, name="import_sections"),
]
