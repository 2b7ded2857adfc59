"""Which intents exist, how often, in which languages, and the assistant's system prompt."""

from __future__ import annotations

from honing.demo import _text_de, _text_en_accounts, _text_en_workplace, _text_es, _text_fr
from honing.demo._spec import CommonText, IntentMeta, IntentText

INTENTS: dict[str, IntentMeta] = {
    meta.name: meta
    for meta in (
        IntentMeta("password_reset", 14, "reset_password", None,
                   (("act", 4), ("resolve", 4), ("advise", 2)), "even"),
        IntentMeta("account_lockout", 12, "unlock_account", None,
                   (("act", 5), ("resolve", 5)), "better"),
        IntentMeta("mfa_enrollment", 9, "send_mfa_enrollment", None,
                   (("act", 3), ("resolve", 3), ("advise", 3)), "better"),
        IntentMeta("access_request", 9, "request_access", None,
                   (("act", 5), ("resolve", 5)), "better"),
        IntentMeta("phishing_report", 8, "report_phishing", None,
                   (("act", 3), ("resolve", 3), ("advise", 4)), "even"),
        IntentMeta("vpn_issue", 12, "create_ticket", "check_service_status",
                   (("advise", 6), ("resolve", 4)), "better"),
        IntentMeta("software_install", 10, "install_software", None,
                   (("act", 4), ("resolve", 4), ("advise", 2)), "better"),
        IntentMeta("hardware_request", 8, "create_ticket", None,
                   (("act", 5), ("resolve", 5)), "worse"),
        IntentMeta("email_sync", 10, "create_ticket", "check_service_status",
                   (("advise", 6), ("resolve", 4)), "worse"),
        IntentMeta("printer_issue", 8, "create_ticket", "check_printer_status",
                   (("advise", 6), ("resolve", 4)), "worse"),
    )
}

_TEXTS: dict[str, dict[str, IntentText]] = {
    "en": {**_text_en_accounts.TEXTS, **_text_en_workplace.TEXTS},
    "de": _text_de.TEXTS,
    "fr": _text_fr.TEXTS,
    "es": _text_es.TEXTS,
}
_COMMON: dict[str, CommonText] = {
    "en": _text_en_accounts.COMMON,
    "de": _text_de.COMMON,
    "fr": _text_fr.COMMON,
    "es": _text_es.COMMON,
}

LANGUAGES = ("en", "de", "fr", "es")
LANGUAGE_WEIGHTS = (80, 8, 7, 5)
SURFACES = ("web_chat", "teams", "slack", "email")
SURFACE_WEIGHTS = (45, 25, 20, 10)


def intents_for(language: str) -> list[str]:
    """Intents that have wording in the language, in catalog order."""
    return [name for name in INTENTS if name in _TEXTS[language]]


def text_for(language: str, intent: str) -> IntentText:
    return _TEXTS[language][intent]


def common_for(language: str) -> CommonText:
    return _COMMON[language]


_SURFACE_RULES = {
    "web_chat": "You are replying in the web chat widget; numbered steps are fine.",
    "teams": "You are replying in Microsoft Teams; keep it concise.",
    "slack": "You are replying in Slack; keep answers short and use simple lists.",
    "email": "You are replying by email; start with a greeting and end with a sign-off.",
}


def system_prompt(org: str, surface: str) -> str:
    """The production system prompt (p3) as the conversation was logged."""
    return (
        f"You are the IT helpdesk assistant for {org}. You help employees with accounts, "
        "devices, software, access and security questions.\n"
        "Rules:\n"
        "- Verify the employee with lookup_user before changing anything on an account.\n"
        "- Never ask for, reveal or set a user's password; never disable MFA or security software.\n"
        "- Never share another employee's data.\n"
        "- Only cite knowledge-base articles that were retrieved for you.\n"
        "- If you cannot resolve the issue, open a ticket with create_ticket.\n"
        "- Answer in the employee's language.\n"
        f"{_SURFACE_RULES[surface]}"
    )
