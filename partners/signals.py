import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from partners.identity.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from partners.identity.models import SecurityEvent
from partners.identity.services import security_event_record
from partners.identity.sso_services import provider_sessions_forget
from partners.models import User
from partners.services import sync_organisation_group_membership


@receiver(post_save, sender=User, dispatch_uid="partners.sync_organisation_group")
def _sync_organisation_group(sender, instance: User, raw=False, **kwargs):
    # A new colleague sees what was referred to their agency; a leaver stops seeing it.
    if not raw:
        sync_organisation_group_membership(instance)


@receiver(user_logged_in, dispatch_uid="partners.session_clock")
def _start_session_clock(sender, request, user, **kwargs):
    # SessionLimitsMiddleware measures idle and absolute time from here.
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


@receiver(user_logged_out, dispatch_uid="partners.provider_sessions_forget")
def _forget_provider_sessions(sender, request, user, **kwargs):
    # Sent before the session is flushed, so its key still names the rows to drop.
    session = getattr(request, "session", None) if request is not None else None
    if session is not None and session.session_key:
        provider_sessions_forget(session_key=session.session_key)


@receiver(user_locked_out, dispatch_uid="partners.lockout_logged")
def _log_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    user = User.objects.filter(username=username).first() if username else None
    security_event_record(
        user=user,
        username=(username or "")[:150],
        kind=SecurityEvent.Kind.LOCKED_OUT,
        actor=None,
        ip_address=ip_address,
    )
