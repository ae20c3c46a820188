from django.urls import path

from cpom.finance.budget import views as budget_views

ROOT = "contrats/<int:contract_id>/moyens/budget-de-reference/"

urlpatterns = [
    path(ROOT, budget_views.budget_detail, name="budget_detail"),
    path(f"{ROOT}evolution/", budget_views.budget_growth, name="budget_growth"),
    path(f"{ROOT}pre-remplissage/", budget_views.budget_prefill, name="budget_prefill"),
    path(f"{ROOT}etablissements/<str:finess>/", budget_views.budget_lines, name="budget_lines"),
]
