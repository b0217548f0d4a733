from django.urls import path

from measures.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.statistics_page, name="page"),
    path("report/", views.statistics_print, name="print"),
    path("<slug:table>.csv", views.statistics_csv, name="csv"),
]
