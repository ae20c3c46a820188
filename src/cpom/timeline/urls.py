app_name = "timeline"

urlpatterns: list = []
