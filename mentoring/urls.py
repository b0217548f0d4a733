from django.urls import path

from mentoring import views

app_name = "mentoring"

urlpatterns = [
    path("", views.home, name="home"),
    path("groups/new/", views.group_session, name="group_session"),
    path("propose/<uuid:concern_id>/", views.propose, name="propose"),
    path("<uuid:public_id>/", views.mentorship_detail, name="detail"),
]
