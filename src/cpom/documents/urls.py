from django.urls import path, re_path

from . import views

app_name = "documents"

# Mounted under contrats/<contract_id>/: each document beside the stage it comes from.
urlpatterns = [
    path("diagnostic/synthese/word/", views.synthesis, {"extension": "docx"}, name="synthesis_docx"),
    path("diagnostic/synthese/pdf/", views.synthesis, {"extension": "pdf"}, name="synthesis_pdf"),
    re_path(r"^objectifs/fiches\.(?P<extension>docx|pdf)$", views.objective_annex, name="annex"),
    re_path(
        r"^objectifs/(?P<objective_id>[0-9]+)/fiche\.(?P<extension>docx|pdf)$", views.objective_sheet, name="sheet"
    ),
    path("document/", views.contract_text, name="contract"),
    re_path(r"^document/contrat\.(?P<extension>docx|pdf)$", views.contract_file, name="contract_file"),
    path("document/redaction/", views.drafting_page, name="drafting"),
]
