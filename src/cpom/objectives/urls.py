from django.urls import path

from . import views

app_name = "objectives"

urlpatterns = [
    path("", views.objective_list, name="list"),
    path("verification/", views.readiness_page, name="readiness"),
    path("nouveau/", views.objective_create, name="create"),
    path("exemples/", views.examples, name="examples"),
    path("exemples/copier/", views.copy_example, name="copy_example"),
    path("<int:objective_id>/", views.objective_detail, name="detail"),
    path("<int:objective_id>/modifier/", views.objective_update, name="update"),
    path("<int:objective_id>/negociation/", views.negotiate, name="negotiate"),
    path("<int:objective_id>/indicateurs/nouveau/", views.indicator_edit, name="indicator_create"),
    path("<int:objective_id>/indicateurs/<int:follow_up_id>/", views.indicator_edit, name="indicator"),
    path("<int:objective_id>/indicateurs/<int:follow_up_id>/retirer/", views.indicator_delete, name="indicator_delete"),
    path("<int:objective_id>/indicateurs/recalculer/", views.refresh_baselines, name="refresh_baselines"),
    path("<int:objective_id>/calendrier/", views.milestone_add, name="milestone_add"),
    path("<int:objective_id>/calendrier/<int:milestone_id>/retirer/", views.milestone_delete, name="milestone_delete"),
]
