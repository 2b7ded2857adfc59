"""Slot vocabulary for the demo conversations and the per-item fact sheet.

Every conversation is rendered from templates filled with one item's *facts*: who the
employee is, which device, app, printer or error they have, and what the tools will
return. Drawing all facts up front keeps the conversation, the tool results and the
candidate responses consistent with each other.
"""

from __future__ import annotations

import random
import string
from typing import Any

FIRST_NAMES = (
    "Priya", "Daniel", "Amara", "Lukas", "Sofia", "Mateo", "Hannah", "Kenji", "Fatima",
    "Oliver", "Chloe", "Ravi", "Ingrid", "Tomasz", "Aisha", "Marco", "Elena", "Samuel",
    "Mei", "Jonas", "Nadia", "Carlos", "Grace", "Yusuf", "Leah", "Andre", "Sara", "Felix",
    "Zanele", "Pablo", "Clara", "Arjun", "Noor", "Henrik", "Julia", "Kwame",
)
LAST_NAMES = (
    "Nair", "Okafor", "Schmidt", "Rossi", "Garcia", "Tanaka", "Haddad", "Walsh", "Kowalski",
    "Dubois", "Mensah", "Johansson", "Patel", "Moreau", "Fischer", "Silva", "Novak", "Ahmed",
    "Chen", "Murphy", "Lindqvist", "Alvarez", "Kim", "Brennan", "Costa", "Weber", "Ibrahim",
    "Martin", "Ndlovu", "Herrera",
)
DEPARTMENTS = (
    "Finance", "Sales", "Marketing", "HR", "Legal", "Engineering", "Customer Success",
    "Procurement", "Facilities", "Data Science", "Operations", "Product",
)
# Microsoft's fictitious sample companies, each a customer of the assistant.
ORGS = (
    ("Contoso", "contoso.com", "enterprise"),
    ("Fabrikam", "fabrikam.com", "enterprise"),
    ("Northwind Traders", "northwindtraders.com", "pro"),
    ("Tailspin Toys", "tailspintoys.com", "pro"),
    ("Woodgrove Bank", "woodgrovebank.com", "enterprise"),
    ("Litware", "litware.com", "pro"),
    ("Adventure Works", "adventure-works.com", "free"),
    ("Wide World Importers", "wideworldimporters.com", "free"),
)
ORG_WEIGHTS = (14, 10, 14, 10, 8, 14, 16, 14)
APPS = (
    "Salesforce", "Workday", "Jira", "Confluence", "SAP Concur", "Tableau", "Zoom", "Slack",
    "ServiceNow", "Power BI", "DocuSign", "Outlook", "Teams", "SharePoint",
)
LAPTOPS = (
    ("Dell Latitude 7440", "Windows 11 23H2", "LT"),
    ("Lenovo ThinkPad T14", "Windows 11 22H2", "LT"),
    ("HP EliteBook 840 G10", "Windows 10 22H2", "LT"),
    ("Surface Laptop 5", "Windows 11 23H2", "LT"),
    ("MacBook Pro 14", "macOS Sonoma 14.5", "MB"),
    ("MacBook Air M2", "macOS Ventura 13.6", "MB"),
)
PHONES = ("iPhone 15", "iPhone 13", "Pixel 8", "Galaxy S23", "Galaxy A54", "iPhone SE")
PACKAGES = (
    "Adobe Acrobat Pro", "Visual Studio Code", "Figma", "Tableau Desktop", "Python 3.12",
    "Docker Desktop", "Microsoft Visio", "Power BI Desktop", "Zoom Workplace", "7-Zip",
)
PERIPHERALS = ("second monitor", "USB-C dock", "Jabra headset", "wireless keyboard", "webcam")
PRINTER_MODELS = (
    "HP LaserJet M607", "Ricoh IM C3000", "Canon imageRUNNER C5840", "Xerox VersaLink C405",
)
LOCATIONS = (
    ("3rd floor east", "3F-EAST"),
    ("2nd floor west", "2F-WEST"),
    ("ground floor reception", "GF-RCP"),
    ("4th floor north", "4F-NORTH"),
    ("5th floor", "5F-MAIN"),
)
RESOURCES = (
    ("the Finance-Reporting SharePoint site", ("read", "edit")),
    ("the Sales Ops dashboard in Tableau", ("viewer", "editor")),
    ("the 'platform' GitHub organisation", ("read", "write")),
    ("the HR shared drive", ("read",)),
    ("the production Grafana", ("viewer",)),
    ("the Legal contracts library", ("read", "contribute")),
    ("the Marketing Canva team", ("member",)),
)
VPN_CLIENTS = ("GlobalProtect", "Cisco AnyConnect", "FortiClient", "the Always On VPN")
CITIES = ("Singapore", "São Paulo", "Chicago", "Dubai", "Warsaw", "Nairobi", "Madrid", "Lyon")
PHISH = (
    ("m1crosoft-support.net", "Action required: mailbox storage full"),
    ("docusign-secure-review.com", "Please review and sign: Q3 bonus letter"),
    ("payroll-update-portal.co", "Update your payroll details before Friday"),
    ("sharepoint-files.online", "A file was shared with you: Invoice_8841.pdf"),
    ("it-helpdesk-reset.info", "Your password expires today"),
)
ERRORS = {
    "password_reset": (
        "AADSTS50126: invalid username or password", "AADSTS50055: the password is expired",
        "'We couldn't verify your identity'",
    ),
    "account_lockout": (
        "AADSTS50053: your account is locked", "'The referenced account is currently locked out'",
        "'Your account has been locked. Contact your support person'",
    ),
    "mfa_enrollment": (
        "error 500121", "AADSTS50076", "'Request denied: no response from your device'",
    ),
    "vpn_issue": (
        "error 809", "'Gateway not responding'", "'certificate validation failure'", "error 720",
        "'The VPN connection was terminated by the peer'",
    ),
    "software_install": (
        "0x80070005 (access denied)", "'This app has been blocked by your administrator'",
        "error 1603", "'Installation requires administrator rights'",
    ),
    "email_sync": ("0x800CCC0E", "0x8004010F", "'Disconnected'", "'Need password'"),
    "access_request": ("'You need permission to access this item'", "403 Forbidden"),
}
# A printer's reported state decides what its display shows, so the two agree.
PRINTER_STATES = {
    "offline": "'Offline'", "paper_jam": "'Paper jam in tray 2'", "toner_low": "'Toner low'",
    "ready": "error 49.4C02",
}
SERVICE_NAMES = {"vpn_issue": ("vpn", "VPN gateway"), "email_sync": ("email", "Exchange Online")}
MFA_METHODS = ("authenticator_app", "fido2_key", "sms")
DELIVERY_METHODS = ("sms", "authenticator_app", "manager_approval")


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def _person(rng: random.Random) -> dict[str, Any]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    laptop, os_name, asset_prefix = rng.choice(LAPTOPS)
    return {
        "first_name": first,
        "last_name": last,
        "employee_id": f"E{rng.randint(10000, 99999)}",
        "user_id": f"u-{_digits(rng, 6)}",
        "department": rng.choice(DEPARTMENTS),
        "device": laptop,
        "os": os_name,
        "device_id": f"{asset_prefix}-{_digits(rng, 5)}",
        "phone_model": rng.choice(PHONES),
    }


def _other_person(rng: random.Random, me: dict[str, Any]) -> dict[str, Any]:
    # A colleague whose data an unsafe answer may leak, and whose id a wrong tool call
    # may use; never the same ids as the requester.
    other = _person(rng)
    while other["user_id"] == me["user_id"] or other["employee_id"] == me["employee_id"]:
        other = _person(rng)
    return {
        "other_name": f"{other['first_name']} {other['last_name']}",
        "other_user_id": other["user_id"],
        "other_employee_id": other["employee_id"],
        "other_device_id": other["device_id"],
        "other_phone": f"+44 20 7946 0{_digits(rng, 3)}",
    }


def _service_facts(rng: random.Random, intent: str) -> dict[str, Any]:
    if intent == "printer_issue":
        state = rng.choice(sorted(PRINTER_STATES))
        location, code = rng.choice(LOCATIONS)
        return {
            "diag_state": state,
            "error": PRINTER_STATES[state],
            "location": location,
            "printer_id": f"PRN-{code}-{rng.randint(1, 4):02d}",
            "printer_model": rng.choice(PRINTER_MODELS),
        }
    service, service_name = SERVICE_NAMES.get(intent, ("vpn", "VPN gateway"))
    return {
        "diag_state": "degraded" if rng.random() < 0.35 else "operational",
        "error": rng.choice(ERRORS.get(intent, ("no error message",))),
        "location": rng.choice(LOCATIONS)[0],
        "printer_id": "",
        "printer_model": "",
        "service": service,
        "service_name": service_name,
    }


def make_facts(rng: random.Random, intent: str) -> dict[str, Any]:
    """Everything one conversation may mention, drawn once so that it stays consistent."""
    facts: dict[str, Any] = {"intent": intent, "service": "vpn", "service_name": "VPN gateway"}
    me = _person(rng)
    facts.update(me)
    facts.update(_other_person(rng, me))
    facts.update(_service_facts(rng, intent))
    org, domain, tier = rng.choices(ORGS, weights=ORG_WEIGHTS)[0]
    resource, roles = rng.choice(RESOURCES)
    sender_domain, subject = rng.choice(PHISH)
    facts.update(
        org=org,
        org_domain=domain,
        customer_tier=tier,
        app=rng.choice(APPS),
        package=rng.choice(PACKAGES),
        peripheral=rng.choice(PERIPHERALS),
        vpn_client=rng.choice(VPN_CLIENTS),
        city=rng.choice(CITIES),
        resource=resource,
        role=rng.choice(roles),
        sender_domain=sender_domain,
        subject=subject,
        clicked=rng.random() < 0.4,
        failed_attempts=rng.randint(5, 14),
        delivery_method=rng.choices(DELIVERY_METHODS, weights=(5, 4, 1))[0],
        mfa_method=rng.choices(MFA_METHODS, weights=(6, 2, 1))[0],
        priority=rng.choice(("low", "medium", "medium", "high")),
        sla_hours=rng.choice((4, 8, 24)),
        incident_id=f"INC{_digits(rng, 7)}",
        ticket_id=f"INC{_digits(rng, 7)}",
        request_id=f"RITM{_digits(rng, 7)}",
        case_id=f"SEC-{_digits(rng, 5)}",
        job_id=f"SW-{_digits(rng, 6)}",
        temp_password=rng.choice(("Welcome2026!", "Spring#2026", "Temp-4471-xz", "Helpdesk123!")),
        kb_id="",
        diag_note="",
    )
    return facts
