app_name = "participant_reports"
urlpatterns: list = []
