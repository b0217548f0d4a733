from django.contrib import admin

from partners.admin_tenancy import TenantAdmin
from referrals.models import LegalBasis


@admin.register(LegalBasis)
class LegalBasisAdmin(TenantAdmin):
    """Shared by every municipality of a country: platform admins keep it, others read it."""

    list_display = ["country", "order", "code", "name_nb", "name_da", "law_reference", "is_active"]
    list_filter = ["country", "is_active"]
