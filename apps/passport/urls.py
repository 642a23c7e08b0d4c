app_name = "passport"
urlpatterns: list = []
