from django.urls import path

from concerns.records import views

app_name = "records"

urlpatterns = [
    path("", views.public_journal_page, name="public_journal"),
    path("print/", views.public_journal_print, name="public_journal_print"),
    path("journal.csv", views.public_journal_csv, name="public_journal_csv"),
]
