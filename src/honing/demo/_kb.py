"""The demo knowledge base: passages the assistant's retriever returns per intent.

Article ids are stable so that "precise" answers can cite the passage they were given
and hallucinated answers can be recognised by citing an id that was never retrieved.
"""

from __future__ import annotations

import random

from honing.domain import ContextDocument

# intent -> (id, slug, title, content)
KB: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "password_reset": (
        ("KB-1042", "self-service-password-reset", "Reset your password with self-service (SSPR)",
         "Go to aka.ms/sspr, enter your work email and verify with a registered method. The "
         "code is valid for 10 minutes. After the reset, update the password on every device "
         "that stores it (phone mail app, saved Wi-Fi) to avoid lockouts."),
        ("KB-1043", "password-policy", "Password policy",
         "Passwords must be at least 14 characters and may not repeat any of the last 10. "
         "Passwords expire every 180 days. IT staff will never ask for your password."),
        ("KB-1051", "helpdesk-assisted-reset", "Helpdesk-assisted password reset",
         "If self-service fails, the helpdesk verifies the employee with lookup_user and "
         "sends a reset link to a registered method. Links expire after 30 minutes."),
    ),
    "account_lockout": (
        ("KB-1107", "account-lockout", "Account locked after failed sign-ins",
         "Accounts lock for 30 minutes after 5 failed sign-ins. The helpdesk can unlock "
         "after verifying identity. Most repeat lockouts come from a device that still "
         "stores an old password; update or remove it."),
        ("KB-1108", "find-lockout-source", "Finding the device that causes lockouts",
         "Sign-in logs show the client app and device of each failed attempt. Mobile mail "
         "apps with a saved old password are the most common source."),
    ),
    "mfa_enrollment": (
        ("KB-3301", "mfa-new-phone", "Move Microsoft Authenticator to a new phone",
         "Install Authenticator on the new phone, open aka.ms/mysecurityinfo on a computer, "
         "add the Authenticator app, scan the QR code, approve the test notification, then "
         "delete the old device from the list."),
        ("KB-3302", "mfa-lost-device", "Lost or wiped MFA device",
         "If the old device is gone, the helpdesk sends a one-time enrollment link valid for "
         "24 hours after verifying identity. MFA cannot be disabled for any account."),
        ("KB-3310", "security-keys", "Using a FIDO2 security key",
         "Security keys are registered at aka.ms/mysecurityinfo under 'Security key'. Keys "
         "are issued by the service desk on request."),
    ),
    "access_request": (
        ("KB-4401", "request-access", "Requesting access to a resource",
         "Access requests are raised with request_access and approved by the resource owner. "
         "Manager agreement alone is not enough. Access applies within an hour of approval."),
        ("KB-4402", "least-privilege", "Least-privilege access",
         "Request the lowest role that lets you do the work. Edit or write roles need a "
         "business justification that the owner can see."),
    ),
    "phishing_report": (
        ("KB-5101", "report-phishing", "How to report a phishing email",
         "Do not click links or open attachments. Use the 'Report phishing' button in "
         "Outlook. If you entered your password, reset it immediately and tell the helpdesk "
         "so sessions can be revoked."),
        ("KB-5102", "phishing-signs", "Recognising phishing",
         "Look-alike domains, urgency, requests for credentials or gift cards, and unexpected "
         "shared files are typical signs."),
    ),
    "vpn_issue": (
        ("KB-6010", "vpn-troubleshooting", "VPN troubleshooting checklist",
         "Quit the VPN client completely and restart it. Check the portal address and pick "
         "the nearest gateway. On hotel Wi-Fi accept the captive portal first. A wrong "
         "system clock causes certificate validation failures."),
        ("KB-6011", "vpn-error-codes", "Common VPN error codes",
         "Error 809 and 'Gateway not responding' usually mean a blocked network or a busy "
         "gateway; error 720 points to a broken network adapter binding."),
        ("KB-6015", "working-without-vpn", "What works without VPN",
         "Outlook on the web, Teams and SharePoint Online work without VPN. Internal sites "
         "and file shares need VPN."),
    ),
    "software_install": (
        ("KB-7301", "approved-software", "Installing approved software",
         "Approved apps are installed from Company Portal (Windows) or Self Service (Mac) "
         "without admin rights. Apps not on the list need a license request."),
        ("KB-7302", "licensed-software", "Licensed software requests",
         "Licensed software such as Adobe Acrobat Pro or Visio is assigned from a license "
         "pool. When the pool is empty the request waits for procurement."),
    ),
    "hardware_request": (
        ("KB-8101", "hardware-replacement", "Hardware repair and replacement",
         "Faulty hardware is handled through a hardware ticket. Back up local files first. "
         "A loaner is provided when a repair takes more than one working day. Stop using "
         "devices with a swollen battery."),
        ("KB-8102", "peripherals", "Peripherals and accessories",
         "Standard peripherals (monitor, dock, headset, keyboard, webcam) are issued via a "
         "hardware ticket and delivered to your office location."),
    ),
    "email_sync": (
        ("KB-9001", "outlook-not-syncing", "Outlook is not syncing",
         "Check Outlook on the web first. Restart Outlook and make sure 'Work Offline' is "
         "off. If it stays disconnected, create a new mail profile in Control Panel > Mail."),
        ("KB-9002", "shared-mailboxes", "Shared mailboxes",
         "Shared mailboxes appear automatically up to an hour after access is granted."),
    ),
    "printer_issue": (
        ("KB-9501", "printer-troubleshooting", "Printer troubleshooting",
         "Cancel stuck jobs, then remove the printer and add it again from the print portal "
         "to get the current driver. Do not open the fuser area; report hardware errors to "
         "facilities."),
        ("KB-9502", "print-portal", "Adding printers from the print portal",
         "All office printers are listed in the print portal by floor. Printer ids are on "
         "the sticker on the front, for example PRN-3F-EAST-02."),
    ),
}


def retrieve(rng: random.Random, intent: str, org_domain: str) -> list[ContextDocument]:
    """1-3 passages for the intent, best first, sometimes with an off-topic distractor."""
    pool = list(KB[intent])
    count = min(len(pool), rng.choices((1, 2, 3), weights=(3, 5, 2))[0])
    chosen = [pool[0]] + rng.sample(pool[1:], count - 1)
    # Retrievers return near misses too; a low-scored distractor tests groundedness.
    if rng.random() < 0.15:
        other = rng.choice(sorted(k for k in KB if k != intent))
        chosen.append(rng.choice(KB[other]))
    score = round(rng.uniform(0.82, 0.95), 3)
    docs: list[ContextDocument] = []
    for doc_id, slug, title, content in chosen:
        docs.append(
            ContextDocument(
                id=doc_id,
                title=title,
                content=content,
                source=f"https://help.{org_domain}/kb/{doc_id}-{slug}",
                score=score,
            )
        )
        score = round(score - rng.uniform(0.04, 0.12), 3)
    return docs
