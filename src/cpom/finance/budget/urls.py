from django.urls import path

from cpom.finance.budget import views

ROOT = "contrats/<int:contract_id>/moyens/budget-de-reference/"

urlpatterns = [
    path(ROOT, views.budget_detail, name="budget_detail"),
    path(f"{ROOT}evolution/<int:authority_id>/", views.budget_growth, name="budget_growth"),
    path(f"{ROOT}pre-remplissage/", views.budget_prefill, name="budget_prefill"),
    path(f"{ROOT}etablissements/<str:finess>/", views.budget_lines, name="budget_lines"),
]
