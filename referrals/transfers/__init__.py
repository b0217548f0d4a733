"""Handing a case on: to another municipality on this system (Transfer), or outside it (Handover).

- snapshot.py: what goes, frozen as codes and references when it is sent;
- services.py: send, view, resend, withdraw, accept, decline; hand over and record the receipt;
- pdf.py: the chronology export for a body outside the system;
- forms.py, views.py: the pages of both sides.

Who may see a transfer is in referrals/permissions.py, beside the referral rule.
"""
