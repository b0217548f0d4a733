from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from concerns.views import home

urlpatterns = [
    path("", home, name="home"),
    path("concerns/", include("concerns.urls")),
    path("directory/", include("partners.urls")),
    path("referrals/", include("referrals.urls")),
    path("notifications/", include("concerns.notification_urls")),
    path("knowledge/", include("measures.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language can be changed before signing in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
