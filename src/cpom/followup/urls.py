from django.urls import path

from . import views

app_name = "followup"

# Mounted under contrats/<contract_id>/, beside the contract's other stages.
urlpatterns = [
    path("suivi/", views.campaign_list, name="list"),
    path("suivi/ouvrir/", views.campaign_open, name="open"),
    path("suivi/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("suivi/<int:campaign_id>/lignes/<int:entry_id>/", views.entry_save, name="entry"),
    path("suivi/<int:campaign_id>/lignes/<int:entry_id>/niveau/", views.level_confirm, name="confirm"),
    path("suivi/<int:campaign_id>/jalons/<int:milestone_id>/", views.milestone_save, name="milestone"),
    path("suivi/<int:campaign_id>/transmettre/", views.campaign_submit, name="submit"),
    path("suivi/<int:campaign_id>/conclusions/", views.conclusions_save, name="conclusions"),
    path("suivi/<int:campaign_id>/envoyer/", views.conclusions_send, name="send"),
    path("suivi/<int:campaign_id>/signer/", views.conclusions_sign, name="sign"),
    path("suivi/<int:campaign_id>/documents/<slug:kind>/", views.sealed_document, name="document"),
]
