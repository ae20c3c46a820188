from django.urls import path, re_path

from . import views

app_name = "reviews"

# Mounted under contrats/<contract_id>/, beside the contract's other stages.
urlpatterns = [
    path("dialogues/", views.review_list, name="list"),
    path("dialogues/planifier/", views.review_plan, name="plan"),
    path("dialogues/<int:review_id>/", views.review_detail, name="detail"),
    path("dialogues/<int:review_id>/date-et-lieu/", views.review_edit, name="edit"),
    path("dialogues/<int:review_id>/tenu/", views.review_hold, name="hold"),
    path("dialogues/<int:review_id>/questions/", views.question_add, name="question"),
    path("dialogues/<int:review_id>/synthese/", views.summary_save, name="summary"),
    path("dialogues/<int:review_id>/decisions/", views.decision_add, name="decision_add"),
    path("dialogues/<int:review_id>/decisions/<int:decision_id>/", views.decision_edit, name="decision_edit"),
    path(
        "dialogues/<int:review_id>/decisions/<int:decision_id>/retirer/", views.decision_remove, name="decision_remove"
    ),
    path(
        "dialogues/<int:review_id>/decisions/<int:decision_id>/ajustement/",
        views.adjustment_propose,
        name="adjustment_propose",
    ),
    path(
        "dialogues/<int:review_id>/ajustements/<int:adjustment_id>/reponse/",
        views.adjustment_answer,
        name="adjustment_answer",
    ),
    path("dialogues/<int:review_id>/envoyer/", views.minutes_send, name="send"),
    path("dialogues/<int:review_id>/signer/", views.minutes_sign, name="sign"),
    path("dialogues/<int:review_id>/decisions/<int:decision_id>/etat/", views.decision_status, name="decision_status"),
    path(
        "dialogues/<int:review_id>/decisions/<int:decision_id>/avenant/",
        views.decision_amendment,
        name="decision_amendment",
    ),
    re_path(r"^dialogues/(?P<review_id>[0-9]+)/dossier\.(?P<extension>pdf|zip)$", views.review_pack, name="pack"),
    path("dialogues/<int:review_id>/dossiers/<int:job_id>/", views.pack_job, name="pack_job"),
    path("dialogues/<int:review_id>/dossiers/<int:job_id>/telecharger/", views.pack_download, name="pack_download"),
    path("dialogues/<int:review_id>/releve.pdf", views.minutes_document, name="minutes"),
]
