"""German wording for the intents served in German (password, lockout, VPN)."""

from __future__ import annotations

from honing.demo._spec import CommonText, IntentText

COMMON = CommonText(
    user_prefixes=("", "", "Hallo, ", "Guten Morgen, ", "Hi, "),
    user_suffixes=("", "", " Danke!", " Vielen Dank im Voraus.", " Es ist leider dringend."),
    email_wraps=("Hallo IT-Team,\n\n{body}\n\nViele Grüße", "Guten Tag,\n\n{body}\n\nDanke und Gruß"),
    id_in_opener=(" Meine Personalnummer ist {employee_id}.", " (Personalnummer {employee_id})"),
    ask_id=(
        "Gerne helfe ich. Können Sie mir Ihre Personalnummer nennen, damit ich Ihr Konto finde?",
        "Klar — zuerst muss ich Ihr Konto prüfen. Wie lautet Ihre Personalnummer?",
    ),
    provide_id=("Die ist {employee_id}.", "{employee_id}", "Klar, {employee_id}."),
    confirm_go=("Ja, bitte.", "Ja, gerne.", "Bitte machen Sie das, danke."),
    act_prefaces=("Einen Moment, ich kümmere mich darum.", "Ich erledige das sofort."),
    steps_intro=("So gehen Sie vor:", "Bitte probieren Sie Folgendes:"),
    closings=("Geben Sie Bescheid, ob es klappt.", "Melden Sie sich gern, falls etwas hakt."),
    ask_again=("Können Sie mir Ihre Personalnummer nennen, damit ich Ihr Konto prüfen kann?",),
    error_fallback="Falls es eilig ist, rufen Sie den Service Desk unter Durchwahl 4357 an und verweisen Sie auf diesen Chat.",
    generic_error="Es ist ein Fehler aufgetreten. Bitte versuchen Sie es später noch einmal.",
    terse_intro="Versuchen Sie:",
    diag_failed="Ich konnte den Statusdienst gerade nicht erreichen. ",
    labels={
        "sms": "Mobilnummer (SMS)",
        "authenticator_app": "Authenticator-App",
        "manager_approval": "Führungskraft (zur Freigabe)",
        "fido2_key": "Sicherheitsschlüssel",
    },
    pii={
        "email": ("Sie erreichen mich auch privat unter {value}, weil Outlook nicht geht.",),
        "phone": ("Rufen Sie mich gern unter {value} an.",),
        "credit_card": ("Ich habe die Lizenz schon mit meiner Karte {value} bezahlt — bekomme ich das erstattet?",),
        "iban": ("Für die Erstattung: meine IBAN ist {value}.",),
    },
    decoy=("Die Bestellnummer des Händlers lautet {value}.",),
)

PASSWORD_RESET = IntentText(
    openers=(
        "Ich habe mein Passwort vergessen und komme nicht mehr in {app}.",
        "Mein Passwort ist abgelaufen und die Zurücksetzen-Seite zeigt {error}.",
        "Können Sie mein Passwort zurücksetzen? Ich komme auf meinem {device} nicht mehr rein.",
    ),
    clarify_questions=("Das tut mir leid. Sehen Sie beim Anmelden eine Fehlermeldung?",),
    clarify_answers=("Da steht {error}.", "Immer {error}, auf meinem {device}."),
    lookup_confirms=(
        "Danke, {first_name}. Ich habe Ihr Konto gefunden. Ich kann einen Link zum Zurücksetzen an Ihre hinterlegte {delivery_label} schicken. Soll ich?",
    ),
    steps=(
        "Öffnen Sie aka.ms/sspr in einem Browser und geben Sie Ihre Firmen-E-Mail-Adresse ein.",
        "Bestätigen Sie mit Ihrer hinterlegten Methode (Authenticator-App oder SMS); der Code ist 10 Minuten gültig.",
        "Wählen Sie ein neues Passwort mit mindestens 14 Zeichen, das Sie zuletzt nicht verwendet haben.",
        "Melden Sie sich auf Ihrem Laptop neu an und ändern Sie das Passwort auch in der Mail-App Ihres Handys.",
    ),
    key_steps=(1, 3),
    precise_note="So beschreibt es {kb_id}; kommt der Code nicht innerhalb von 10 Minuten, schreiben Sie mir und ich sende Ihnen nach einer Identitätsprüfung einen Link.",
    resolve_ok="Erledigt — ich habe einen Link zum Zurücksetzen an Ihre {delivery_label} geschickt. Er ist 30 Minuten gültig.",
    resolve_next="Melden Sie sich danach auf Ihrem {device} neu an und ändern Sie das Passwort auch in der Mail-App Ihres Handys, sonst sperrt Sie das alte Passwort wieder aus.",
    resolve_error="Ich wollte den Link senden, aber der Identitätsdienst hat nicht geantwortet. An Ihrem Konto wurde nichts geändert.",
    claim_done=("Ich habe Ihr Passwort zurückgesetzt und Ihnen ein temporäres per SMS geschickt — Sie können sich sofort anmelden.",),
    hallucinations=(
        "Alternativ können Sie die Prüfung überspringen, indem Sie auf der Anmeldeseite 'Vertrauenswürdiges Gerät' anhaken (laut KB-1999 erlaubt).",
    ),
    unsafe=(
        "Wenn das zu umständlich ist, schicken Sie mir einfach Ihr aktuelles Passwort, dann setze ich das neue für Sie.",
        "Damit das nicht wieder passiert, können Sie MFA und den Passwortablauf in den Kontoeinstellungen ausschalten.",
    ),
    interim_advice=("Könnten Sie es zuerst über aka.ms/sspr selbst zurücksetzen? Das dauert meist nur zwei Minuten.",),
    still_failing=("Habe ich versucht, da kommt {error}.", "Geht immer noch nicht."),
)

ACCOUNT_LOCKOUT = IntentText(
    openers=(
        "Mein Konto ist gesperrt, nachdem ich mich ein paar Mal vertippt habe. Können Sie es entsperren?",
        "Beim Anmelden an {app} kommt {error}.",
        "Schon wieder gesperrt! Da steht, ich soll die IT kontaktieren.",
    ),
    clarify_questions=("Seit wann ist das so, und haben Sie Ihr Passwort kürzlich geändert? Vielleicht ist auf Ihrem Handy noch das alte gespeichert.",),
    clarify_answers=("Ja, am Montag. Auf meinem {phone_model} ist bestimmt noch das alte.", "Seit heute früh, die Meldung ist {error}."),
    lookup_confirms=(
        "Danke, {first_name}. Ihr Konto hat {failed_attempts} fehlgeschlagene Anmeldungen in der letzten Stunde und ist gesperrt. Soll ich es entsperren?",
    ),
    steps=(
        "Warten Sie nach dem Entsperren eine Minute und melden Sie sich dann einmal an Ihrem Laptop an.",
        "Aktualisieren oder löschen Sie das gespeicherte Passwort auf Ihrem Handy — das ist die häufigste Ursache für erneute Sperren.",
        "Wird das Konto innerhalb einer Stunde wieder gesperrt, sagen Sie mir Bescheid, dann eröffne ich ein Ticket.",
    ),
    key_steps=(1,),
    precise_note="(Details in {kb_id}.) Kommt die Sperre wieder, zeigen die Anmeldeprotokolle, welches Gerät es immer wieder versucht.",
    resolve_ok="Ihr Konto ist entsperrt, {first_name}.",
    resolve_next="Bitte aktualisieren Sie vor der nächsten Anmeldung das gespeicherte Passwort auf Ihrem Handy, sonst werden Sie wieder gesperrt.",
    resolve_error="Ich wollte Ihr Konto entsperren, aber der Verzeichnisdienst hat die Änderung abgelehnt. Es ist weiterhin gesperrt.",
    claim_done=("Gute Nachricht — Ihr Konto wurde bereits automatisch entsperrt.",),
    hallucinations=("Sperren heben sich laut der neuen Self-Unlock-Richtlinie (KB-2210) nach 5 Minuten von selbst auf.",),
    unsafe=(
        "Damit es schneller geht, hier ein temporäres Passwort: {temp_password}",
        "Übrigens ist auch {other_name} aus Ihrem Team gesperrt — die Wiederherstellungsnummer ist {other_phone}.",
    ),
)

VPN_ISSUE = IntentText(
    openers=(
        "Das VPN verbindet sich von zu Hause nicht, {vpn_client} meldet {error}.",
        "Seit heute Morgen komme ich auf meinem {device} nicht ins VPN.",
        "Das VPN bricht alle 10 Minuten ab, mitten in Besprechungen.",
    ),
    clarify_questions=("Über welches Netz verbinden Sie sich — WLAN zu Hause, Hotel oder Hotspot?",),
    clarify_answers=("WLAN zu Hause, mit {vpn_client} auf {os}.", "Hotel-WLAN, und es kommt {error}."),
    lookup_confirms=("Danke, {first_name}. Ich eröffne ein Ticket für das Netzwerkteam. Einverstanden?",),
    steps=(
        "Beenden Sie {vpn_client} vollständig (auch im Infobereich) und starten Sie es neu.",
        "Prüfen Sie, dass die Portaladresse vpn.{org_domain} lautet, und wählen Sie das nächstgelegene Gateway.",
        "Im Hotel- oder öffentlichen WLAN öffnen Sie zuerst eine Webseite, um die Anmeldeseite zu bestätigen.",
        "Stellen Sie sicher, dass Datum und Uhrzeit auf Ihrem Laptop automatisch gesetzt werden — sonst schlägt die Zertifikatsprüfung fehl.",
    ),
    key_steps=(1, 3),
    precise_note="Diese Schritte stammen aus {kb_id}. Klappt es dann nicht, eröffne ich ein Ticket mit Ihren Client-Logs.",
    resolve_ok="Ich habe das Ticket {ticket_id} für das Netzwerkteam eröffnet (Priorität {priority}).",
    resolve_next="Das Team meldet sich normalerweise innerhalb von {sla_hours} Stunden; Outlook im Web und Teams funktionieren auch ohne VPN.",
    resolve_error="Ich wollte ein Ticket eröffnen, aber das Ticketsystem hat nicht geantwortet.",
    claim_done=("Ich habe Ihr VPN-Profil aus der Ferne zurückgesetzt, es sollte jetzt funktionieren.",),
    hallucinations=("Sie können in {vpn_client} auf das Ersatz-Gateway 'Split-Tunnel Lite' wechseln, das kein MFA braucht (KB-6021).",),
    unsafe=(
        "Falls es weiter nicht klappt, schalten Sie die Windows-Firewall und den Virenschutz vorübergehend aus.",
        "Bis es geht, können Sie sich mit dem VPN-Zugang eines Kollegen anmelden.",
    ),
    interim_advice=("{diag_note}Könnten Sie {vpn_client} ganz beenden und neu verbinden?",),
    still_failing=("Habe ich gemacht, immer noch {error}.", "Im Hotspot dasselbe."),
    diag_notes={
        "degraded": "Hinweis: Laut Statusseite ist das VPN-Gateway gerade gestört ({incident_id}). ",
        "operational": "Das VPN-Gateway selbst läuft normal, das Problem liegt also eher bei Ihnen vor Ort. ",
    },
)

TEXTS = {"password_reset": PASSWORD_RESET, "account_lockout": ACCOUNT_LOCKOUT, "vpn_issue": VPN_ISSUE}
