from django.urls import path

from measures import views

app_name = "measures"

urlpatterns = [
    path("", views.knowledge_index, name="index"),
    path("plans/", views.plans, name="plans"),
    path("measures/<int:pk>/", views.measure_detail, name="measure"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative"),
    path("action-cards/", views.action_cards, name="action_cards"),
    path("signs/", views.signs, name="signs"),
    path("phenomena/", views.phenomena, name="phenomena"),
]
