from django.urls import path, re_path

from . import views

app_name = "amendments"

# Mounted under contrats/<contract_id>/, beside the contract's other stages.
urlpatterns = [
    path("avenants/", views.amendment_list, name="list"),
    path("avenants/nouveau/", views.amendment_create, name="create"),
    path("avenants/<int:number>/", views.amendment_detail, name="detail"),
    path("avenants/<int:number>/procedure/", views.amendment_update, name="update"),
    path("avenants/<int:number>/retirer/", views.change_remove, name="change_remove"),
    path("avenants/<int:number>/accord/", views.amendment_agree, name="agree"),
    path("avenants/<int:number>/envoyer/", views.amendment_send, name="send"),
    re_path(
        r"^avenants/(?P<number>[0-9]+)/avenant\.(?P<extension>docx|pdf)$", views.amendment_document, name="document"
    ),
    path("prorogation/", views.prorogation, name="prorogation"),
    path("denonciation/", views.termination, name="termination"),
    path("renouvellement/", views.renewal, name="renewal"),
    path("renouvellement/bilan/", views.assessment, name="assessment"),
    path("versions/historique/", views.version_history, name="version_history"),
]
