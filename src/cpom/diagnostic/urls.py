from django.urls import path

from . import views

# Included under contrats/<int:contract_id>/diagnostic/ : every view receives contract_id.
app_name = "diagnostic"

urlpatterns = [
    path("", views.home, name="home"),
    path("section/<str:section_code>/", views.section, name="section"),
    path("piece/<int:attachment_id>/", views.attachment, name="attachment"),
    path("constats/nouveau/", views.finding_create, name="finding_create"),
    path("constats/<int:finding_id>/", views.finding, name="finding"),
    path("synthese/", views.synthesis, name="synthesis"),
]
