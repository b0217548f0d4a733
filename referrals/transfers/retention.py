"""Transfers and handovers follow the retention of the cases they belong to.

A snapshot is a frozen copy of a case: when concerns.retention anonymises the
case, what a transfer or a handover sent from it goes too (the snapshot, the
note, the reasons), in the rows and in their history. A transfer that was
accepted is also the receiving municipality's record of what came in: it goes
when that municipality's case is anonymised, and until then only the
receiving side can read it (the sending side's page no longer shows it).
What stays is that it happened: the states, the dates, who, and to where.
"""

from django.db.models import Q

from concerns.models import Concern
from referrals.models import Handover, Transfer


def _blank(model, rows, **blanks) -> int:
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return 0
    rows.update(**blanks)
    return model.history.model.objects.filter(id__in=ids).update(**blanks)


def transfers_anonymise_case(concern: Concern) -> int:
    """Blank what transfers and handovers hold about the case; returns the history rows blanked."""
    transfers = Transfer.objects.filter(
        (Q(source_concern=concern) & ~Q(status=Transfer.Status.ACCEPTED))
        | Q(created_concern=concern)
    )
    blanked = _blank(Transfer, transfers, snapshot={}, note="", reason="", legal_basis_other="")
    blanked += _blank(
        Handover,
        Handover.objects.filter(concern=concern),
        snapshot={},
        note="",
        received_by="",
        legal_basis_other="",
    )
    return blanked
