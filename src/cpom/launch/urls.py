from django.urls import path

from . import views

app_name = "launch"

# Mounted under contrats/<int:contract_id>/.
urlpatterns = [
    path("lancement/", views.home, name="home"),
    path("lancement/creer/", views.create, name="create"),
    path("lancement/comite/", views.add_member, name="add_member"),
    path("lancement/comite/<int:member_id>/retirer/", views.remove_member, name="remove_member"),
    path("lancement/comite/<int:member_id>/referent/", views.set_referent, name="set_referent"),
    path("lancement/raci/", views.raci_form, name="raci"),
    path("lancement/raci/par-defaut/", views.raci_default, name="raci_default"),
    path("lancement/check-list/<int:item_id>/", views.tick, name="tick"),
    path("lancement/etapes/<slug:step>/", views.step_done, name="step_done"),
    path("lancement/etapes/<slug:step>/annuler/", views.step_undo, name="step_undo"),
    path("lancement/lettres/<slug:kind>/", views.letter, name="letter"),
]
