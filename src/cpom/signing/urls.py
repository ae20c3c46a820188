from django.urls import path, re_path

from . import views

app_name = "signing"

urlpatterns = [
    path("consultations/", views.consultations, name="consultations"),
    path(
        "consultations/<int:consultation_id>/proces-verbal/",
        views.consultation_minutes,
        name="consultation_minutes",
    ),
    path("versions/", views.versions, name="versions"),
    path("versions/envoyer/", views.send, name="send"),
    path("versions/<int:version_id>/signer/", views.sign, name="sign"),
    path("versions/<int:version_id>/refuser/", views.refuse, name="refuse"),
    path("versions/<int:version_id>/verifier/", views.check_hash, name="check"),
    re_path(
        r"^versions/(?P<version_id>[0-9]+)/document\.(?P<extension>docx|pdf)$", views.version_document, name="document"
    ),
    path(
        "versions/<int:version_id>/signatures/<int:signature_id>/exemplaire/",
        views.signature_scan,
        name="scan",
    ),
]
