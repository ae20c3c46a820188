from django.urls import path

from . import views

app_name = "timeline"

urlpatterns = [
    path("historique/", views.history, name="history"),
    path("historique/historique.pdf", views.history_pdf, name="history_pdf"),
]
