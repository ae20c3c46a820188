from django.urls import path

from . import views

app_name = "framing"

# An authority's notes de cadrage belong to no one contract.
urlpatterns = [
    path("suivi/notes-de-cadrage/", views.framing_notes, name="list"),
    path("suivi/notes-de-cadrage/<int:note_id>/", views.framing_notes, name="edit"),
]
