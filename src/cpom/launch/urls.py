app_name = "launch"

urlpatterns: list = []
