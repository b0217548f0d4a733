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
from concerns.services.routing import routing_rule_delete, routing_rule_save
from concerns.services.triage import (
    access_log_record,
    concern_accept,
    concern_acknowledge,
    concern_add_note,
    concern_assign,
    concern_close,
    concern_reopen,
    concern_reporter_reply,
    concern_request_info,
    concern_route,
    concern_set_follow_up,
    concern_start_follow_up,
    subject_link,
)
from concerns.services.work import Evaluation, case_evaluation_record

__all__ = [
    "ConcernDetails",
    "Evaluation",
    "SubjectDetails",
    "access_log_record",
    "case_evaluation_record",
    "concern_accept",
    "concern_acknowledge",
    "concern_add_note",
    "concern_assign",
    "concern_close",
    "concern_create_draft",
    "concern_reopen",
    "concern_reporter_reply",
    "concern_request_info",
    "concern_route",
    "concern_set_follow_up",
    "concern_start_follow_up",
    "concern_submit",
    "concern_update_draft",
    "next_reference",
    "routing_rule_delete",
    "routing_rule_save",
    "subject_create",
    "subject_link",
]
