"""Writes to concerns. Views, the admin, commands and tasks all call these."""

from concerns.services.filing import (
    ConcernDetails,
    SubjectDetails,
    concern_create_draft,
    concern_submit,
    concern_update_draft,
    next_reference,
    subject_create,
)
from concerns.services.triage import (
    access_log_record,
    concern_accept,
    concern_add_note,
    concern_assign,
    concern_close,
    concern_reopen,
    concern_reporter_reply,
    concern_request_info,
    concern_route,
    concern_start_follow_up,
    grant_case_access,
    revoke_case_access,
    subject_link,
)

__all__ = [
    "ConcernDetails",
    "SubjectDetails",
    "access_log_record",
    "concern_accept",
    "concern_add_note",
    "concern_assign",
    "concern_close",
    "concern_create_draft",
    "concern_reopen",
    "concern_reporter_reply",
    "concern_request_info",
    "concern_route",
    "concern_start_follow_up",
    "concern_submit",
    "concern_update_draft",
    "grant_case_access",
    "next_reference",
    "revoke_case_access",
    "subject_create",
    "subject_link",
]
