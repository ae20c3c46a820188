from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("etablissements/", views.EstablishmentList.as_view(), name="establishments"),
    path("etablissements/nouveau/", views.EstablishmentCreate.as_view(), name="establishment_create"),
    path("etablissements/<str:finess>/", views.EstablishmentDetail.as_view(), name="establishment"),
    path("etablissements/<str:finess>/modifier/", views.EstablishmentUpdate.as_view(), name="establishment_update"),
    path("organismes/", views.ManagingBodyList.as_view(), name="managing_bodies"),
    path("organismes/nouveau/", views.ManagingBodyCreate.as_view(), name="managing_body_create"),
    path("organismes/<int:managing_body_id>/", views.ManagingBodyDetail.as_view(), name="managing_body"),
    path(
        "organismes/<int:managing_body_id>/modifier/", views.ManagingBodyUpdate.as_view(), name="managing_body_update"
    ),
    path(
        "organismes/<int:managing_body_id>/contacts/nouveau/",
        views.contact_create_for_managing_body,
        name="managing_body_contact_create",
    ),
    path("autorites/", views.AuthorityList.as_view(), name="authorities"),
    path("autorites/nouvelle/", views.AuthorityCreate.as_view(), name="authority_create"),
    path("autorites/<int:authority_id>/", views.AuthorityDetail.as_view(), name="authority"),
    path("autorites/<int:authority_id>/modifier/", views.AuthorityUpdate.as_view(), name="authority_update"),
    path(
        "autorites/<int:authority_id>/contacts/nouveau/",
        views.contact_create_for_authority,
        name="authority_contact_create",
    ),
    path("contacts/<int:contact_id>/modifier/", views.contact_update, name="contact_update"),
]
