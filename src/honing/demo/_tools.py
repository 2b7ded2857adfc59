"""Tool definitions the helpdesk assistant can call, and mocked results for them.

Arguments and results are derived from the item's facts, so a tool trace agrees with
what the user said and with what the candidate responses claim.
"""

from __future__ import annotations

import random
import string
from typing import Any

from honing.domain import ToolDefinition, ToolFunction


def _schema(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


_STR = {"type": "string"}
_USER_ID = {
    "type": "string", "description": "Directory user id, e.g. u-104233",
    "pattern": r"^u-\d{6}$",
}

# name -> (description, parameters)
_SPECS: dict[str, tuple[str, dict[str, Any]]] = {
    "lookup_user": (
        "Look up an employee by employee id; returns account status, methods and devices.",
        _schema(["employee_id"], employee_id={"type": "string", "pattern": r"^E\d{5}$"}),
    ),
    "search_kb": (
        "Search the IT knowledge base.",
        _schema(["query"], query=_STR, limit={"type": "integer", "minimum": 1, "maximum": 10}),
    ),
    "create_ticket": (
        "Open a service desk ticket for a human team.",
        _schema(
            ["user_id", "category", "summary"],
            user_id=_USER_ID,
            category=_enum("network", "hardware", "email", "printing", "identity", "software"),
            summary=_STR,
            priority=_enum("low", "medium", "high", "urgent"),
        ),
    ),
    "reset_password": (
        "Send a password reset link to one of the user's registered methods.",
        _schema(
            ["user_id", "delivery_method"],
            user_id=_USER_ID,
            delivery_method=_enum("sms", "authenticator_app", "manager_approval"),
        ),
    ),
    "unlock_account": (
        "Unlock an account that was locked after failed sign-ins.",
        _schema(["user_id", "reason"], user_id=_USER_ID, reason=_STR),
    ),
    "send_mfa_enrollment": (
        "Send a one-time MFA enrollment link (valid 24 h).",
        _schema(
            ["user_id", "method"],
            user_id=_USER_ID,
            method=_enum("authenticator_app", "fido2_key", "sms"),
        ),
    ),
    "request_access": (
        "Raise an access request that the resource owner must approve.",
        _schema(
            ["user_id", "resource", "role"],
            user_id=_USER_ID, resource=_STR, role=_STR, justification=_STR,
        ),
    ),
    "install_software": (
        "Push an approved software package to a managed device.",
        _schema(
            ["user_id", "device_id", "package"], user_id=_USER_ID, device_id=_STR, package=_STR
        ),
    ),
    "report_phishing": (
        "Report a suspicious email to Security; quarantines similar messages.",
        _schema(
            ["user_id", "sender_domain", "clicked_link"],
            user_id=_USER_ID, sender_domain=_STR, subject=_STR, clicked_link={"type": "boolean"},
        ),
    ),
    "check_service_status": (
        "Current health of an IT service.",
        _schema(["service"], service=_enum("vpn", "email", "sso", "wifi")),
    ),
    "check_printer_status": (
        "Status reported by a network printer.",
        _schema(["printer_id"], printer_id={"type": "string", "pattern": "^PRN-"}),
    ),
}

_CORE = ("lookup_user", "search_kb", "create_ticket")
_EXTRA = {
    "password_reset": ("reset_password", "unlock_account"),
    "account_lockout": ("unlock_account", "reset_password"),
    "mfa_enrollment": ("send_mfa_enrollment",),
    "access_request": ("request_access",),
    "phishing_report": ("report_phishing", "reset_password"),
    "vpn_issue": ("check_service_status",),
    "software_install": ("install_software",),
    "hardware_request": (),
    "email_sync": ("check_service_status",),
    "printer_issue": ("check_printer_status",),
}
_TICKET_CATEGORY = {
    "vpn_issue": "network",
    "hardware_request": "hardware",
    "email_sync": "email",
    "printer_issue": "printing",
}


def new_call_id(rng: random.Random, taken: set[str]) -> str:
    """An OpenAI-style call id, unique among `taken` (which it joins)."""
    while True:
        call_id = "call_" + "".join(rng.choices(string.ascii_letters + string.digits, k=24))
        if call_id not in taken:
            taken.add(call_id)
            return call_id


def tools_for(intent: str) -> list[ToolDefinition]:
    """The tool set deployed for an intent's route: the core tools plus its own."""
    return [
        ToolDefinition(function=ToolFunction(name=name, description=description, parameters=schema))
        for name in _CORE + _EXTRA[intent]
        for description, schema in [_SPECS[name]]
    ]


def required_args(tool: str) -> list[str]:
    return list(_SPECS[tool][1]["required"])


def call_args(tool: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The correct arguments for a call, given what the conversation established."""
    user = facts["user_id"]
    if tool == "lookup_user":
        return {"employee_id": facts["employee_id"]}
    if tool == "search_kb":
        return {"query": f"{facts['intent'].replace('_', ' ')} {facts['error']}", "limit": 3}
    if tool == "check_service_status":
        return {"service": facts["service"]}
    if tool == "check_printer_status":
        return {"printer_id": facts["printer_id"]}
    if tool == "reset_password":
        return {"user_id": user, "delivery_method": facts["delivery_method"]}
    if tool == "unlock_account":
        reason = f"Locked after {facts['failed_attempts']} failed sign-ins; identity verified in chat"
        return {"user_id": user, "reason": reason}
    if tool == "send_mfa_enrollment":
        return {"user_id": user, "method": facts["mfa_method"]}
    if tool == "request_access":
        why = f"Needed for {facts['department']} work; manager informed"
        resource, role = facts["resource"], facts["role"]
        return {"user_id": user, "resource": resource, "role": role, "justification": why}
    if tool == "install_software":
        return {"user_id": user, "device_id": facts["device_id"], "package": facts["package"]}
    if tool == "report_phishing":
        return {
            "user_id": user,
            "sender_domain": facts["sender_domain"],
            "subject": facts["subject"],
            "clicked_link": facts["clicked"],
        }
    if tool == "create_ticket":
        summary = {
            "vpn_issue": f"VPN fails with {facts['error']} on {facts['device']}",
            "email_sync": f"Outlook not syncing ({facts['error']}) on {facts['device']}",
            "printer_issue": f"{facts['printer_id']} on {facts['location']}: {facts['error']}",
            "hardware_request": f"Hardware request via chat for {facts['device_id']} ({facts['location']})",
        }[facts["intent"]]
        category = _TICKET_CATEGORY[facts["intent"]]
        priority = facts["priority"]
        return {"user_id": user, "category": category, "summary": summary, "priority": priority}
    raise KeyError(tool)


def corrupt_args(
    rng: random.Random, tool: str, args: dict[str, Any], facts: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """Arguments a careless model might send: someone else's id, or a missing field."""
    bad = dict(args)
    if "user_id" in bad and rng.random() < 0.5:
        bad["user_id"] = facts["other_user_id"]
        return bad, "wrong_user_id"
    if "employee_id" in bad:
        bad["employee_id"] = facts["other_employee_id"]
        return bad, "wrong_employee_id"
    if "device_id" in bad and rng.random() < 0.5:
        bad["device_id"] = facts["other_device_id"]
        return bad, "wrong_device_id"
    droppable = [name for name in required_args(tool) if name in bad and name != "user_id"]
    if not droppable:
        droppable = ["user_id"]
    missing = rng.choice(droppable)
    del bad[missing]
    return bad, f"missing_required:{missing}"


_ERRORS = {
    "reset_password": ("IDENTITY_SERVICE_UNAVAILABLE", "Identity provider did not respond in 10 s"),
    "unlock_account": ("DIRECTORY_WRITE_FAILED", "Directory rejected the update"),
    "send_mfa_enrollment": ("IDENTITY_SERVICE_UNAVAILABLE", "Identity provider timed out"),
    "request_access": ("NO_APPROVAL_WORKFLOW", "Resource has no approval workflow configured"),
    "install_software": ("LICENSE_UNAVAILABLE", "No free license in pool"),
    "report_phishing": ("UPSTREAM_TIMEOUT", "Mail security gateway timed out"),
    "create_ticket": ("UPSTREAM_TIMEOUT", "Ticketing API timed out after 15 s"),
    "check_service_status": ("UPSTREAM_TIMEOUT", "Status API timed out"),
    "check_printer_status": ("PRINTER_UNREACHABLE", "SNMP query timed out"),
}


def tool_error(tool: str) -> dict[str, Any]:
    code, message = _ERRORS.get(tool, ("INTERNAL_ERROR", "Unexpected error"))
    return {"error": {"code": code, "message": message}}


def tool_result(tool: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The mocked result of a correct call."""
    if tool == "lookup_user":
        locked = facts["intent"] == "account_lockout"
        return {
            "user_id": facts["user_id"],
            "employee_id": facts["employee_id"],
            "display_name": f"{facts['first_name']} {facts['last_name']}",
            "department": facts["department"],
            "account_status": "locked" if locked else "active",
            "failed_sign_ins_last_hour": facts["failed_attempts"] if locked else 0,
            "mfa_methods": sorted({facts["mfa_method"], "authenticator_app"}),
            "password_reset_methods": [facts["delivery_method"]],
            "office": facts["location"],
            "devices": [
                {"device_id": facts["device_id"], "model": facts["device"], "os": facts["os"]}
            ],
        }
    if tool == "search_kb":
        return {"results": [{"id": facts["kb_id"], "title": facts["kb_title"], "score": 0.91}]}
    if tool == "check_service_status":
        degraded = facts["diag_state"] == "degraded"
        result: dict[str, Any] = {"service": facts["service"], "status": facts["diag_state"]}
        if degraded:
            result["incident_id"] = facts["incident_id"]
            result["summary"] = f"Intermittent failures on {facts['service_name']} (EU and US)"
        return result
    if tool == "check_printer_status":
        return {
            "printer_id": facts["printer_id"],
            "model": facts["printer_model"],
            "status": facts["diag_state"],
            "queue_length": 0 if facts["diag_state"] == "ready" else 4,
        }
    return _action_result(tool, facts)


def _action_result(tool: str, facts: dict[str, Any]) -> dict[str, Any]:
    f = facts
    results: dict[str, dict[str, Any]] = {
        "reset_password": {
            "status": "reset_link_sent", "delivery_method": f["delivery_method"], "expires_in_minutes": 30,
        },
        "unlock_account": {"status": "unlocked", "previous_failed_attempts": f["failed_attempts"]},
        "send_mfa_enrollment": {
            "status": "enrollment_sent", "method": f["mfa_method"], "expires_in_hours": 24,
        },
        "request_access": {
            "request_id": f["request_id"], "status": "pending_approval", "approver": "resource owner",
        },
        "install_software": {
            "job_id": f["job_id"], "status": "queued", "device_id": f["device_id"], "eta_minutes": 20,
        },
        "report_phishing": {
            "case_id": f["case_id"], "status": "quarantined",
            "similar_messages_removed": 3 + f["failed_attempts"],
        },
        "create_ticket": {
            "ticket_id": f["ticket_id"], "priority": f["priority"], "sla_hours": f["sla_hours"],
        },
    }
    return results[tool]
