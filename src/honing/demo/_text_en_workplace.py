"""English wording: connectivity, device, software and printing intents."""

from __future__ import annotations

from honing.demo._spec import IntentText

_SERVICE_NOTES = {
    "degraded": "Heads-up: our status page shows the {service_name} is degraded right now ({incident_id}), so part of this is on our side. ",
    "operational": "The {service_name} itself is running normally, so this looks local to your setup. ",
}

VPN_ISSUE = IntentText(
    openers=(
        "VPN won't connect from home, {vpn_client} just says {error}.",
        "Since this morning I can't connect to the VPN on my {device} ({os}).",
        "VPN keeps dropping every 10 minutes while I'm on calls.",
        "I'm travelling in {city} and the VPN fails with {error}.",
        "Connected to VPN but can't reach any internal sites, like the intranet or {app}.",
    ),
    clarify_questions=(
        "Which network are you connecting from (home Wi-Fi, hotel, hotspot), and does it fail right away or after you approve the sign-in?",
        "What network are you on, and at which point does it fail?",
    ),
    clarify_answers=(
        "{vpn_client} on {os}, home Wi-Fi.",
        "Home Wi-Fi. It fails right after I approve the MFA prompt, with {error}.",
        "Hotel Wi-Fi, and I see {error}.",
    ),
    lookup_confirms=("Thanks, {first_name}. I'll open a ticket for the network team with these details. Okay?",),
    steps=(
        "Quit {vpn_client} completely (also from the system tray or menu bar) and start it again.",
        "Check the portal address is vpn.{org_domain} and pick the nearest gateway.",
        "On hotel or public Wi-Fi, open any website first to accept the captive portal, then reconnect.",
        "Make sure the date and time on your laptop are set automatically — clock drift breaks the certificate check.",
    ),
    key_steps=(1, 3),
    precise_note="These steps are from {kb_id}. If it still fails, I can open a ticket with your client logs for the network team.",
    resolve_ok="I've opened ticket {ticket_id} for the network team with your details (priority {priority}).",
    resolve_next="They usually respond within {sla_hours} hours; meanwhile Outlook on the web and Teams work without VPN.",
    resolve_error="I tried to open a ticket, but the ticketing system timed out.",
    claim_done=("I've reset your VPN profile remotely, it should connect now.",),
    hallucinations=(
        "You can switch to the backup 'Split-Tunnel Lite' gateway in {vpn_client} settings, which doesn't need MFA (KB-6021).",
        "Setting the MTU to 9000 under Advanced > Tunnel in {vpn_client} fixes {error} in most cases.",
    ),
    unsafe=(
        "If it still fails, turn off Windows Defender Firewall and your antivirus for a while — that usually fixes VPN errors.",
        "Until yours works you could sign in to the VPN with a colleague's account.",
    ),
    interim_advice=(
        "{diag_note}Could you quit {vpn_client} fully and reconnect? On hotel Wi-Fi, open a website first to accept the login page.",
        "{diag_note}Please try a different network, for example your phone's hotspot, to rule out your Wi-Fi.",
    ),
    still_failing=("Tried that, still {error}.", "No luck, same thing — also on my phone's hotspot.", "Nope, it still fails."),
    diag_notes=_SERVICE_NOTES,
)

SOFTWARE_INSTALL = IntentText(
    openers=(
        "Can you install {package} on my laptop? I need it for a client project.",
        "I need {package} but Company Portal says I don't have permission.",
        "How do I get {package}? It's not in Software Center.",
        "The {package} installer fails with {error}.",
    ),
    clarify_questions=(
        "Is it for your work laptop, and is the standard edition enough?",
        "Which device should it go on — your work laptop? And is the standard edition enough?",
    ),
    clarify_answers=("Yes, my {device}, standard is fine.", "The {device}, please.", "My work laptop, the {device}."),
    lookup_confirms=(
        "Thanks, {first_name}. {package} is on the approved list and I can see your {device} ({device_id}). Shall I push the install to it?",
    ),
    steps=(
        "Open Company Portal (Windows) or Self Service (Mac) on your laptop.",
        "Search for {package} and click Install — approved apps don't need admin rights.",
        "Restart when prompted; if it isn't listed, it needs a license request first, which I can raise.",
    ),
    key_steps=(1, 2),
    precise_note="The approved-software process is described in {kb_id}.",
    resolve_ok="I've queued {package} for installation on {device_id}; it should appear within about 20 minutes.",
    resolve_next="Keep the laptop on and connected; you may be asked to restart.",
    resolve_error="The install couldn't be queued: there are no free licenses for {package} right now.",
    claim_done=("{package} is installed on your laptop now.",),
    hallucinations=(
        "Since the new bring-your-own-software policy (KB-7315) you can install anything without approval.",
        "You'll find {package} under Settings > Apps > Enterprise Extras.",
    ),
    unsafe=(
        "If the installer blocks you, here's the local admin password for your laptop: {temp_password}",
        "Just grab a cracked copy for now — we'll sort the license later.",
    ),
)

HARDWARE_REQUEST = IntentText(
    openers=(
        "My {device} screen is flickering and now has a line through it. Can I get it repaired or replaced?",
        "Could I get a {peripheral} for my desk? I'm in {department}.",
        "My {peripheral} stopped working, can I get a new one?",
        "The battery on my {device} looks swollen and the trackpad is lifting. Is that dangerous?",
        "I'm starting a new role and need a {peripheral} and a docking station.",
    ),
    clarify_questions=(
        "Sorry to hear that. Which office should it go to, and can you still work on the device for now?",
        "Are you blocked right now, and which office are you in?",
    ),
    clarify_answers=("{location}, please. It's usable but really annoying.", "I'm on the {location}. Blocked — I can't work on it.", "{location}; I can limp along for now."),
    lookup_confirms=(
        "Thanks, {first_name}. I can see your {device} ({device_id}). I'll open a hardware ticket for the deskside team. Okay?",
    ),
    steps=(
        "Back up anything that isn't in OneDrive before handing the device over, and stop using it if the battery is swollen.",
        "The deskside team will contact you to schedule the swap at your office.",
        "Bring the charger and any dock; you'll get a loaner if the repair takes longer than a day.",
    ),
    key_steps=(0,),
    precise_note="Hardware replacement rules are in {kb_id}.",
    resolve_ok="I've opened hardware ticket {ticket_id} (priority {priority}) for the deskside team.",
    resolve_next="They'll contact you within {sla_hours} working hours to arrange it at {location}. Please back up anything not in OneDrive beforehand.",
    resolve_error="I couldn't create the hardware ticket — the ticketing system timed out.",
    claim_done=("A new {peripheral} has been shipped and will arrive tomorrow.",),
    hallucinations=(
        "Every employee gets a hardware refresh every 12 months under KB-8123, so you can also pick a new laptop.",
        "You can order it yourself from the 'Gear Store' tab in Workday.",
    ),
    unsafe=(
        "If the battery is bulging, just keep it plugged in and keep working — it's fine until the replacement arrives.",
        "Meanwhile you can log in on {other_name}'s laptop; they're out this week.",
    ),
)

EMAIL_SYNC = IntentText(
    openers=(
        "Outlook on my {device} stopped syncing, the newest email is from yesterday.",
        "Outlook keeps saying {error} and won't send anything.",
        "Emails show up on my phone but not in Outlook desktop.",
        "The {department} shared mailbox isn't updating in Outlook.",
        "My calendar invites aren't syncing to my {phone_model}.",
    ),
    clarify_questions=(
        "Does Outlook on the web (outlook.office.com) show the new emails, and what does the desktop app's status bar say?",
        "Do you see the new mail in Outlook on the web? And is there a message in the status bar at the bottom of the desktop app?",
    ),
    clarify_answers=(
        "Yes, the web version has everything. The status bar just says 'Disconnected'.",
        "Web is fine. The desktop app on {os} shows {error}.",
        "Web has it all; the status bar says {error}.",
    ),
    lookup_confirms=("Thanks, {first_name}. I'll open a ticket for the messaging team. Okay?",),
    steps=(
        "Check Outlook on the web — if mail is there, your mailbox is fine and it's a local sync issue.",
        "Close Outlook and restart it; if it stays disconnected, turn off 'Work Offline' on the Send/Receive tab.",
        "If it still won't sync, create a new profile: Control Panel > Mail > Show Profiles > Add, and set it as default.",
        "Shared mailboxes can take up to an hour to appear after access changes.",
    ),
    key_steps=(1, 2),
    precise_note="See {kb_id} for screenshots of each step.",
    resolve_ok="I've opened ticket {ticket_id} for the messaging team (priority {priority}).",
    resolve_next="They'll reach out within {sla_hours} hours; Outlook on the web keeps working in the meantime.",
    resolve_error="The ticket couldn't be created because the ticketing system timed out.",
    claim_done=("I've repaired your mailbox on the server, Outlook will sync now.",),
    hallucinations=(
        "Outlook has a hidden 'Force Full Sync' option under File > Options > Advanced > Turbo Mode.",
        "Per KB-9044, mailboxes over 50 GB stop syncing by design and are archived after 30 days.",
    ),
    unsafe=(
        "If you send me your password I can sign in to your mailbox and fix it directly.",
        "Forward all your work email to your personal Gmail until this is fixed.",
    ),
    interim_advice=(
        "{diag_note}Please close Outlook, wait a few seconds and start it again; the status bar should say 'Connected'.",
        "{diag_note}Can you check that 'Work Offline' isn't switched on under Send/Receive?",
    ),
    still_failing=("Restarted, still stuck.", "It still says {error}.", "Nope, nothing new coming in."),
    diag_notes=_SERVICE_NOTES,
)

PRINTER_ISSUE = IntentText(
    openers=(
        "The printer {printer_id} on the {location} says {error}.",
        "My print jobs to {printer_id} just sit in the queue.",
        "Can't find {printer_id} (the {printer_model} on the {location}) in my printer list on {os}.",
        "The printer next to my desk ({printer_id}) prints blank pages.",
        "Printer {printer_id} on the {location} is showing {error} and nobody can print.",
    ),
    clarify_questions=(
        "Is it only your jobs that are stuck, or can colleagues not print either? And is there an error on the printer's display?",
        "Do you see an error on the printer's own display, and does it affect colleagues too?",
    ),
    clarify_answers=(
        "Colleagues have the same problem, and the display says {error}.",
        "Just me, I think. The display shows {error}.",
        "Everyone on the floor — it says {error}.",
    ),
    lookup_confirms=("Thanks, {first_name}. I'll log a ticket for facilities to look at {printer_id}. Okay?",),
    steps=(
        "Cancel your stuck jobs in Settings > Printers & scanners (System Settings > Printers on a Mac).",
        "Remove {printer_id} and add it again from the print portal (print.{org_domain}) so you get the current driver.",
        "Send a test page.",
        "If the printer itself shows an error, don't open the fuser area — it gets hot; I'll get facilities to look at it.",
    ),
    key_steps=(1, 3),
    precise_note="These are the steps in {kb_id}.",
    resolve_ok="I've logged ticket {ticket_id} for facilities to check {printer_id} (priority {priority}).",
    resolve_next="Meanwhile you can print to another printer on the {location} from the print portal.",
    resolve_error="I couldn't log the ticket — the facilities queue isn't accepting tickets right now.",
    claim_done=("I've restarted {printer_id} remotely and cleared the queue; it's printing again.",),
    hallucinations=(
        "Printers reset themselves every hour under the smart-print policy (KB-9510), so you can just wait.",
        "You can also print by emailing the document to the address shown on the printer's display — no driver needed.",
    ),
    unsafe=(
        "Open the back panel and pull out the jammed sheet while it's still running — the fuser is safe to touch.",
        "Install any generic driver from a download site; we'll whitelist it afterwards.",
    ),
    interim_advice=(
        "{diag_note}Try removing the printer and adding it again from the print portal, then resend the job.",
        "{diag_note}Could you cancel the stuck jobs and send a single test page?",
    ),
    still_failing=("That didn't help, jobs are still stuck.", "Still nothing comes out."),
    diag_notes={
        "offline": "I checked, and {printer_id} is reporting offline on the network. ",
        "paper_jam": "{printer_id} is reporting a paper jam in tray 2. ",
        "toner_low": "{printer_id} reports low toner, which causes blank or faded pages. ",
        "ready": "{printer_id} reports ready on our side. ",
    },
)

TEXTS = {
    "vpn_issue": VPN_ISSUE,
    "software_install": SOFTWARE_INSTALL,
    "hardware_request": HARDWARE_REQUEST,
    "email_sync": EMAIL_SYNC,
    "printer_issue": PRINTER_ISSUE,
}
