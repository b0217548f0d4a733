"""Transfers and handovers in words: the case page's panel and the labels of their codes."""

from django import template
from django.db.models import Q

from concerns.models import Concern
from concerns.permissions import Action, can, is_coordinator_for
from measures.models import ActionCardStep
from referrals.models import Handover, Transfer, TransferPart
from referrals.transfers.pdf import role_label
from referrals.transfers.services import TransferEvent

register = template.Library()


@register.inclusion_tag("referrals/partials/transfer_panel.html", takes_context=True)
def transfer_panel(context, concern: Concern):
    """The case's transfers and handovers, and what the user may start: two queries."""
    user = context["request"].user
    transfers = list(
        Transfer.objects.filter(Q(source_concern=concern) | Q(created_concern=concern))
        .select_related("sending_municipality", "receiving_municipality", "viewed_by")
        .defer("snapshot")
        .order_by("-created_at")
    )
    outgoing = [transfer for transfer in transfers if transfer.source_concern_id == concern.pk]
    incoming = [transfer for transfer in transfers if transfer.created_concern_id == concern.pk]
    handovers = list(concern.handovers.order_by("-created_at"))
    coordinator = is_coordinator_for(user, concern)
    pending = next((transfer for transfer in outgoing if transfer.is_pending), None)
    return {
        "concern": concern,
        "outgoing": outgoing,
        "incoming": incoming,
        "handovers": handovers,
        "pending": pending,
        "may_transfer": coordinator and concern.is_open and pending is None,
        "may_send_again": coordinator and pending is not None,
        # She coordinates the case that came in, so she may read what came with it.
        "may_read_incoming": coordinator,
        "may_hand_over": can(user, Action.REFER, concern),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def transfer_event_label(what: str) -> str:
    from django.utils.translation import gettext as _

    return {
        TransferEvent.SENT: _("Transfer sent to %(to)s"),
        TransferEvent.RESENT: _("Transfer to %(to)s sent again"),
        TransferEvent.VIEWED: _("Transfer opened by %(to)s"),
        TransferEvent.ACCEPTED: _("Transfer accepted by %(to)s"),
        TransferEvent.DECLINED: _("Transfer declined by %(to)s"),
        TransferEvent.WITHDRAWN: _("Transfer to %(to)s withdrawn"),
        TransferEvent.ENDED: _("Transfer to %(to)s ended: the case was closed"),
        TransferEvent.RECEIVED: _("Received by transfer from %(from)s"),
        TransferEvent.HANDED_OVER: _("Handed over outside the system to %(to)s"),
        TransferEvent.RECEIPT_RECORDED: _("Receipt from %(to)s recorded"),
    }.get(what, what)


@register.simple_tag
def transfer_event(data: dict) -> str:
    """A transfer's timeline entry in the reader's language, from its codes."""
    label = transfer_event_label(data.get("what", ""))
    return (
        label % {"to": data.get("to", ""), "from": data.get("from", "")} if "%(" in label else label
    )


@register.filter
def transfer_part_label(code: str) -> str:
    return TransferPart(code).label if code in TransferPart.values else code


@register.filter
def prevention_level_label(code: str) -> str:
    return Concern.PreventionLevel(code).label if code in Concern.PreventionLevel.values else code


@register.filter
def guardians_label(code: str) -> str:
    values = Concern.GuardiansInformed
    return values(code).label if code in values.values else code


@register.filter
def responsible_label(code: str) -> str:
    values = ActionCardStep.Responsible
    return values(code).label if code in values.values else code


@register.filter
def staff_role_label(code: str) -> str:
    return role_label(code)


@register.filter
def channel_label(code: str) -> str:
    return Handover.Channel(code).label if code in Handover.Channel.values else code


@register.filter
def iso_datetime(value):
    """An ISO date and time kept in event data, as a datetime the `date` filter formats."""
    import datetime

    try:
        return datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
