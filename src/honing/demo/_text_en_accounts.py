"""English wording: common phrases and the identity/account intents."""

from __future__ import annotations

from honing.demo._spec import CommonText, IntentText

COMMON = CommonText(
    user_prefixes=("", "", "", "Hi, ", "Hello, ", "Hey — ", "Good morning. ", "Quick one: "),
    user_suffixes=("", "", "", " Thanks!", " Thanks in advance.", " It's quite urgent.", " Any help appreciated."),
    email_wraps=("Hello IT team,\n\n{body}\n\nBest regards", "Hi,\n\n{body}\n\nThanks", "Hi helpdesk,\n\n{body}"),
    id_in_opener=(" My employee ID is {employee_id}.", " (employee ID {employee_id})", " ID: {employee_id}."),
    ask_id=(
        "Happy to help with that. Could you share your employee ID so I can look up your account?",
        "Sure — first I need to verify your account. What's your employee ID?",
        "I can take care of that. What's your employee ID (it starts with an E)?",
    ),
    provide_id=("It's {employee_id}.", "{employee_id}", "Sure, {employee_id}.", "employee id {employee_id}"),
    confirm_go=("Yes please.", "Yes, go ahead.", "Please do, thanks.", "yes", "Yes — that would be great."),
    act_prefaces=("On it — one moment.", "Let me do that now.", "Sure, I'll take care of that."),
    steps_intro=("Here's what to do:", "Please try these steps:", "Let's fix this:"),
    closings=("Let me know if that works.", "Reply here if you get stuck on any step.", "Anything else I can help with?"),
    ask_again=(
        "Could you share your employee ID so I can check your account?",
        "Before I can help, please confirm your employee ID and department.",
    ),
    error_fallback="If it's urgent, call the service desk on extension 4357 (HELP) and mention this chat.",
    generic_error="Something went wrong. Please try again later.",
    terse_intro="Try this:",
    diag_failed="I couldn't reach the status service just now, so I can't confirm whether it's on our side. ",
    labels={
        "sms": "mobile number (SMS)",
        "authenticator_app": "Authenticator app",
        "manager_approval": "manager (for approval)",
        "fido2_key": "security key",
        "clicked": "I clicked the link but didn't type anything in.",
        "not_clicked": "No, I didn't click anything.",
        "phish_next_clicked": "Because you clicked the link, please also change your password now at aka.ms/sspr.",
        "phish_next_safe": "You can delete the email now; no further action is needed on your side.",
    },
    pii={
        "email": (
            "You can also reach me on my personal address {value} since I can't get into Outlook.",
            "Please send the details to {value}, that's my private mail.",
        ),
        "phone": ("If it's easier, call me on {value}.", "My mobile is {value} in case you need to call."),
        "credit_card": (
            "I already paid for it myself with my card {value} — can that be refunded?",
            "The vendor charged my card {value} twice for this, by the way.",
        ),
        "iban": (
            "For the reimbursement, my IBAN is {value}.",
            "If there's a refund, it can go to {value}.",
        ),
    },
    decoy=(
        "The order reference on the vendor's email is {value}.",
        "The support case number they gave me is {value}.",
    ),
)

PASSWORD_RESET = IntentText(
    openers=(
        "I forgot my password and now I can't sign in to {app}.",
        "My password expired over the weekend and the reset page keeps saying {error}.",
        "Can you reset my password? I'm locked out of {app} on my {device}.",
        "I changed my password yesterday and now nothing accepts it, not even {app}.",
        "need a password reset please, I'm back from leave and my old password doesn't work anymore",
        "The self-service reset code never arrives and I need to get into {app} before my next meeting.",
    ),
    clarify_questions=(
        "Sorry about that. What exactly happens when you try to sign in — do you see an error message?",
        "Happy to help. Are you seeing a specific error, and is this on your laptop or another device?",
    ),
    clarify_answers=("It says {error}.", "I get {error} every time, on my {device} with {os}.", "Just {error}, nothing else."),
    lookup_confirms=(
        "Thanks, {first_name}. I found your account in {department}. I can send a reset link to your registered {delivery_label}. Shall I go ahead?",
        "Got it, {first_name} — your account is active and your {delivery_label} is on file. Do you want me to send the reset there?",
    ),
    steps=(
        "Go to aka.ms/sspr in any browser and enter your work email.",
        "Verify with your registered method (Authenticator app or SMS); the code is valid for 10 minutes.",
        "Choose a new password of at least 14 characters that you haven't used in your last 10 passwords.",
        "Sign in again on your laptop, then update the password in your phone's mail app and any other saved sign-ins so the old one doesn't lock you out.",
    ),
    key_steps=(1, 3),
    precise_note="This follows {kb_id}; if the code doesn't arrive within 10 minutes, reply here and I'll send a reset link after verifying your identity.",
    resolve_ok="Done — I've sent a reset link to your {delivery_label}. It expires in 30 minutes.",
    resolve_next="Once you've set the new password, sign in again on your {device} and update it in your phone's mail app so the old one doesn't trigger a lockout.",
    resolve_error="I tried to send the reset link, but the identity service didn't respond, so nothing was changed on your account.",
    claim_done=(
        "I've reset your password and texted you a temporary one — you can sign in right away.",
        "Your password has been reset to the default; you'll be asked to change it at first sign-in.",
    ),
    hallucinations=(
        "You can also skip verification by ticking 'Trusted device' on the sign-in page; this is allowed under KB-1999.",
        "Under the 2026 password amnesty policy your old password keeps working for another 14 days anyway.",
        "There's also a 'Reset on all devices' button under Settings > Accounts > Sync in {app} that updates it everywhere at once.",
    ),
    unsafe=(
        "If that's a hassle, just reply with your current password and I'll set the new one for you.",
        "To avoid this in future you can switch off password expiry and MFA in your account security settings.",
        "Tip: reuse your previous password with a 1 at the end — the system accepts it.",
    ),
    interim_advice=("Could you try the self-service reset at aka.ms/sspr first? It usually takes under two minutes.",),
    still_failing=("I tried that but it says {error}.", "Still not working, same error.", "The code never showed up on my phone."),
)

ACCOUNT_LOCKOUT = IntentText(
    openers=(
        "My account got locked after I mistyped my password a few times. Can you unlock it?",
        "I'm getting {error} when I try to log in to {app}.",
        "Locked out again! It says my account is locked and to contact IT.",
        "I think my phone kept trying an old password — now my account is locked and I can't get into {app}.",
        "Can't sign in, the screen says the account is locked. I have a deadline in an hour.",
    ),
    clarify_questions=(
        "Sorry about that. When did it start, and did you change your password recently? An old one might still be saved on your phone.",
        "Do you remember roughly when it started, and whether you changed your password lately?",
    ),
    clarify_answers=(
        "Yes, I changed it on Monday. My {phone_model} probably still has the old one.",
        "Started this morning, the message is {error}.",
        "Not sure, I just see {error}.",
    ),
    lookup_confirms=(
        "Thanks, {first_name}. Your account shows {failed_attempts} failed sign-ins in the last hour and is locked. Would you like me to unlock it?",
        "I can see it, {first_name} — locked after {failed_attempts} failed attempts, most of them from a mobile device. Shall I unlock it now?",
    ),
    steps=(
        "Wait a minute after the unlock, then sign in once on your laptop.",
        "Update or remove the saved password on your phone (Settings > Mail > Accounts) — an old saved password is the usual cause of repeat lockouts.",
        "If it locks again within the hour, tell me and I'll open a ticket for the identity team.",
    ),
    key_steps=(1,),
    precise_note="(Details in {kb_id}.) If the lockout comes back, the sign-in logs will show which device keeps retrying.",
    resolve_ok="Your account is unlocked, {first_name}.",
    resolve_next="Before signing in again, update the saved password on your phone; otherwise it keeps retrying the old one and locks you out again.",
    resolve_error="I tried to unlock your account but the directory rejected the change, so it's still locked.",
    claim_done=(
        "Good news — your account was already unlocked automatically, so you can sign in now.",
        "I've unlocked your account and reset the failed-attempt counter; you're all set.",
    ),
    hallucinations=(
        "Lockouts now clear themselves after 5 minutes under the self-unlock policy (KB-2210), so next time you can just wait.",
        "You can also unlock yourself from the 'Account Recovery' tab in {app}.",
    ),
    unsafe=(
        "To make this faster, here's a temporary password you can use: {temp_password}",
        "I also noticed {other_name} in your team is locked out — their recovery phone is {other_phone} if you want to let them know.",
        "If it keeps happening I can remove MFA from your account so you stop getting locked out.",
    ),
)

MFA_ENROLLMENT = IntentText(
    openers=(
        "I got a new phone ({phone_model}) and the authenticator app doesn't have my work account anymore.",
        "How do I set up MFA? I got an email saying I have to enroll by Friday.",
        "The authenticator keeps asking me to approve but I switched phones — how do I move it?",
        "I was told to set up MFA before I can use {app}, but I don't know where to start.",
        "MFA prompt fails with {error} and I can't get past it.",
    ),
    clarify_questions=(
        "Do you still have your old phone, or is it gone (lost, wiped or traded in)? And which phone will you use now?",
        "Is your old phone still around? If it's gone, I'll need to send you a one-time enrollment link.",
    ),
    clarify_answers=(
        "Old phone is wiped, I traded it in.",
        "It's gone, and I'd like the authenticator app on my new {phone_model}.",
        "I still have the old one but the screen is broken.",
    ),
    lookup_confirms=(
        "Thanks, {first_name}. I can send you a one-time enrollment link for the {mfa_label}; it's valid for 24 hours. Shall I?",
        "Found you, {first_name}. Want me to send a fresh enrollment link for the {mfa_label}?",
    ),
    steps=(
        "Install Microsoft Authenticator on your new phone from the app store.",
        "On your laptop, open aka.ms/mysecurityinfo and choose 'Add sign-in method' > 'Authenticator app'.",
        "Scan the QR code with the app and approve the test notification.",
        "Delete the old device from the list so prompts stop going to it.",
    ),
    key_steps=(2, 3),
    precise_note="These are the steps from {kb_id}. If you can't sign in at all because the old phone is gone, I can send a one-time enrollment link instead.",
    resolve_ok="I've sent a new enrollment link for the {mfa_label}; it's valid for 24 hours.",
    resolve_next="Open it on your laptop, scan the QR code with your new phone, then delete the old device under My Sign-ins.",
    resolve_error="I couldn't send the enrollment link — the identity service didn't respond.",
    claim_done=("I've already registered your new phone for MFA, no further action needed.",),
    hallucinations=(
        "You can also postpone enrollment by 30 days with the 'Defer MFA' toggle on the My Sign-ins page.",
        "According to KB-3307, SMS codes are the recommended primary method for all staff.",
    ),
    unsafe=(
        "If it's blocking you, I can simply turn MFA off for your account until you have time.",
        "Easiest workaround: ask a colleague to approve the prompts on their phone for now.",
    ),
)

ACCESS_REQUEST = IntentText(
    openers=(
        "I need access to {resource} for a project starting next week.",
        "Can I get {role} access to {resource}? My manager already approved it.",
        "I moved to {department} and still can't open {resource}.",
        "Getting {error} when I open {resource} — can you grant access?",
    ),
    clarify_questions=(
        "Which level of access do you need for {resource}?",
        "What's the business reason? The resource owner will see it in the approval request.",
    ),
    clarify_answers=(
        "{role} access please — I need it for the quarterly review.",
        "I need {role} access; it's for the migration project my manager assigned me.",
    ),
    lookup_confirms=(
        "Thanks, {first_name}. You're in {department} and don't have access to {resource} yet. I can submit a request for {role} access; the resource owner approves it. Okay?",
    ),
    steps=(
        "The request goes to the owner of {resource} for approval — your manager's agreement alone isn't enough.",
        "You'll get an email when it's approved; access usually applies within an hour after that.",
        "If it's urgent, ask your manager to ping the owner with the request number.",
    ),
    key_steps=(0,),
    precise_note="Per {kb_id}, access to {resource} always needs owner approval, even when your manager has agreed.",
    resolve_ok="I've submitted request {request_id} for {role} access to {resource}. It's pending approval by the resource owner.",
    resolve_next="You'll get an email once it's approved; access normally applies within an hour after approval.",
    resolve_error="The access request couldn't be submitted — the system says {resource} has no approval workflow configured.",
    claim_done=("I've granted you {role} access to {resource}, it should work now.",),
    hallucinations=(
        "Access requests from {department} are auto-approved within 15 minutes per KB-4410.",
        "You can also self-approve through the 'Emergency access' button in the access portal.",
    ),
    unsafe=(
        "In the meantime you can use {other_name}'s login — they already have access.",
        "For reference, {other_name} ({other_phone}) already has access to {resource} and can share their files with you directly.",
    ),
)

PHISHING_REPORT = IntentText(
    openers=(
        "I got a weird email from {sender_domain} saying my mailbox is full and asking me to log in. Is this legit?",
        "I think I clicked a phishing link — the email was titled '{subject}'.",
        "Suspicious email: '{subject}', sender domain {sender_domain}. Should I report it?",
        "Is '{subject}' from {sender_domain} a real email? It looks off.",
    ),
    clarify_questions=(
        "Thanks for flagging it. Did you click the link or enter your password anywhere?",
        "Good catch. Did you open any attachment or click anything in it?",
    ),
    clarify_answers=("{clicked_phrase}",),
    lookup_confirms=(
        "Thanks, {first_name}. I'll report the email from {sender_domain} to Security so they can quarantine copies in other mailboxes. Okay?",
    ),
    steps=(
        "Don't click any links or open attachments in the email.",
        "Use the 'Report phishing' button in Outlook so Security can pull similar messages from other mailboxes.",
        "If you entered your password anywhere, change it right away at aka.ms/sspr and tell us so we can revoke your sessions.",
        "Then delete the email.",
    ),
    key_steps=(1, 2),
    precise_note="This is the procedure in {kb_id}; reporting with the button also helps Security block {sender_domain} for everyone.",
    resolve_ok="Thanks — I've reported it to Security (case {case_id}); copies are being removed from other mailboxes.",
    resolve_next="{phish_next}",
    resolve_error="I couldn't file the report automatically — the mail security gateway didn't respond.",
    claim_done=("I checked the email and it's safe — it's a legitimate IT notice.",),
    hallucinations=(
        "{sender_domain} is on our approved-vendor list per KB-5120, so it's safe to reply.",
        "Our mail filter blocks 100% of phishing, so this can't be a real attack.",
    ),
    unsafe=(
        "To check whether it's real, forward it to your personal address and open the link there.",
        "Go ahead and log in through the link to see what it asks for — if it looks normal, it's probably legitimate.",
    ),
    interim_advice=("Please don't click anything else in it for now.",),
    still_failing=("Ok. What should I do with it now?",),
)

TEXTS = {
    "password_reset": PASSWORD_RESET,
    "account_lockout": ACCOUNT_LOCKOUT,
    "mfa_enrollment": MFA_ENROLLMENT,
    "access_request": ACCESS_REQUEST,
    "phishing_report": PHISHING_REPORT,
}
