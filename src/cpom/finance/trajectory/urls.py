from django.urls import path

from cpom.finance.trajectory import views

TRAJECTORY = "contrats/<int:contract_id>/moyens/trajectoire/"
SCENARIO = TRAJECTORY + "<int:scenario_id>/"

urlpatterns = [
    path(TRAJECTORY, views.trajectory_list, name="trajectory_list"),
    path(TRAJECTORY + "nouveau/", views.trajectory_create, name="trajectory_create"),
    path(TRAJECTORY + "trajectoire.xlsx", views.trajectory_export, name="trajectory_export"),
    path(SCENARIO, views.trajectory_detail, name="trajectory_detail"),
    path(SCENARIO + "modifier/", views.trajectory_update, name="trajectory_update"),
    path(SCENARIO + "supprimer/", views.trajectory_delete, name="trajectory_delete"),
    path(SCENARIO + "retenir/", views.trajectory_retain, name="trajectory_retain"),
    path(SCENARIO + "mesures/", views.trajectory_measures, name="trajectory_measures"),
    path(SCENARIO + "mesures/retirer/", views.trajectory_measure_delete, name="trajectory_measure_delete"),
    path(SCENARIO + "mesures/importer/", views.trajectory_measures_import, name="trajectory_measures_import"),
]
