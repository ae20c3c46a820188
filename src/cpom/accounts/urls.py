from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("mon-organisation/", views.organisation_members, name="members"),
    path("mon-organisation/comptes/<int:membership_id>/", views.member_change, name="member_change"),
    path("mon-compte/", views.my_account, name="my_account"),
    path("mon-compte/jetons/<int:token_id>/revocation/", views.token_revoke, name="token_revoke"),
]
