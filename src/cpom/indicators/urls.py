from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("indicateurs/", views.catalogue, name="catalogue"),
    path("indicateurs/donnees/", views.elements, name="elements"),
    path("etablissements/<str:finess>/indicateurs/", views.establishment_indicators, name="establishment"),
    path(
        "etablissements/<str:finess>/indicateurs/<int:indicator_id>/<int:year>/",
        views.indicator_detail,
        name="detail",
    ),
]
