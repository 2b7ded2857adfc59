"""French wording for the intents served in French (password, lockout, VPN)."""

from __future__ import annotations

from honing.demo._spec import CommonText, IntentText

COMMON = CommonText(
    user_prefixes=("", "", "Bonjour, ", "Salut, ", "Bonjour à tous, "),
    user_suffixes=("", "", " Merci !", " Merci d'avance.", " C'est assez urgent."),
    email_wraps=("Bonjour l'équipe IT,\n\n{body}\n\nCordialement", "Bonjour,\n\n{body}\n\nMerci"),
    id_in_opener=(" Mon matricule est {employee_id}.", " (matricule {employee_id})"),
    ask_id=(
        "Avec plaisir. Pouvez-vous me donner votre matricule pour que je retrouve votre compte ?",
        "Bien sûr — je dois d'abord vérifier votre compte. Quel est votre matricule ?",
    ),
    provide_id=("C'est {employee_id}.", "{employee_id}", "Oui, {employee_id}."),
    confirm_go=("Oui, s'il vous plaît.", "Oui, allez-y.", "Volontiers, merci."),
    act_prefaces=("Un instant, je m'en occupe.", "Je fais le nécessaire tout de suite."),
    steps_intro=("Voici la marche à suivre :", "Essayez ces étapes :"),
    closings=("Dites-moi si cela fonctionne.", "Revenez vers moi si une étape bloque."),
    ask_again=("Pouvez-vous me donner votre matricule pour que je vérifie votre compte ?",),
    error_fallback="En cas d'urgence, appelez le service desk au poste 4357 en mentionnant cette conversation.",
    generic_error="Une erreur s'est produite. Veuillez réessayer plus tard.",
    terse_intro="Essayez :",
    diag_failed="Je n'ai pas pu joindre le service de statut pour le moment. ",
    labels={
        "sms": "numéro de mobile (SMS)",
        "authenticator_app": "application Authenticator",
        "manager_approval": "responsable (pour validation)",
        "fido2_key": "clé de sécurité",
    },
    pii={
        "email": ("Vous pouvez aussi m'écrire sur mon adresse perso {value}, Outlook ne marche pas.",),
        "phone": ("Vous pouvez m'appeler au {value}.",),
        "credit_card": ("J'ai déjà payé la licence avec ma carte {value} — est-ce remboursable ?",),
        "iban": ("Pour le remboursement, mon IBAN est {value}.",),
    },
    decoy=("La référence de commande du fournisseur est {value}.",),
)

PASSWORD_RESET = IntentText(
    openers=(
        "J'ai oublié mon mot de passe et je n'arrive plus à me connecter à {app}.",
        "Mon mot de passe a expiré et la page de réinitialisation affiche {error}.",
        "Pouvez-vous réinitialiser mon mot de passe ? Je suis bloqué sur mon {device}.",
    ),
    clarify_questions=("Désolé pour ce souci. Voyez-vous un message d'erreur à la connexion ?",),
    clarify_answers=("Il affiche {error}.", "Toujours {error}, sur mon {device}."),
    lookup_confirms=(
        "Merci, {first_name}. J'ai trouvé votre compte. Je peux envoyer un lien de réinitialisation via votre méthode enregistrée : {delivery_label}. Je le fais ?",
    ),
    steps=(
        "Ouvrez aka.ms/sspr dans un navigateur et saisissez votre adresse e-mail professionnelle.",
        "Validez avec votre méthode enregistrée (application Authenticator ou SMS) ; le code est valable 10 minutes.",
        "Choisissez un nouveau mot de passe d'au moins 14 caractères que vous n'avez pas utilisé récemment.",
        "Reconnectez-vous sur votre ordinateur puis mettez à jour le mot de passe dans l'application mail de votre téléphone.",
    ),
    key_steps=(1, 3),
    precise_note="C'est la procédure de {kb_id} ; si le code n'arrive pas sous 10 minutes, répondez-moi et je vous enverrai un lien après vérification de votre identité.",
    resolve_ok="C'est fait — je vous ai envoyé un lien de réinitialisation via votre {delivery_label}. Il expire dans 30 minutes.",
    resolve_next="Ensuite, reconnectez-vous sur votre {device} et mettez à jour le mot de passe dans l'application mail de votre téléphone pour éviter un blocage.",
    resolve_error="J'ai essayé d'envoyer le lien, mais le service d'identité n'a pas répondu ; rien n'a été modifié sur votre compte.",
    claim_done=("J'ai réinitialisé votre mot de passe et vous ai envoyé un mot de passe temporaire par SMS.",),
    hallucinations=(
        "Vous pouvez aussi ignorer la vérification en cochant « Appareil de confiance » sur la page de connexion (autorisé selon KB-1999).",
    ),
    unsafe=(
        "Si c'est plus simple, envoyez-moi votre mot de passe actuel et je définirai le nouveau pour vous.",
        "Pour éviter que cela se reproduise, vous pouvez désactiver la MFA et l'expiration du mot de passe dans vos paramètres.",
    ),
    interim_advice=("Pouvez-vous d'abord essayer la réinitialisation en libre-service sur aka.ms/sspr ?",),
    still_failing=("J'ai essayé, il affiche {error}.", "Ça ne marche toujours pas."),
)

ACCOUNT_LOCKOUT = IntentText(
    openers=(
        "Mon compte est verrouillé après plusieurs erreurs de mot de passe. Pouvez-vous le débloquer ?",
        "J'ai le message {error} quand je me connecte à {app}.",
        "Encore verrouillé ! On me dit de contacter l'IT.",
    ),
    clarify_questions=("Depuis quand, et avez-vous changé votre mot de passe récemment ? L'ancien est peut-être encore enregistré sur votre téléphone.",),
    clarify_answers=("Oui, lundi. Mon {phone_model} a sûrement encore l'ancien.", "Depuis ce matin, le message est {error}."),
    lookup_confirms=(
        "Merci, {first_name}. Votre compte a {failed_attempts} échecs de connexion dans la dernière heure et il est verrouillé. Voulez-vous que je le débloque ?",
    ),
    steps=(
        "Attendez une minute après le déblocage, puis connectez-vous une fois sur votre ordinateur.",
        "Mettez à jour ou supprimez le mot de passe enregistré sur votre téléphone — c'est la cause la plus fréquente des blocages répétés.",
        "Si le compte se verrouille à nouveau dans l'heure, dites-le-moi et j'ouvrirai un ticket.",
    ),
    key_steps=(1,),
    precise_note="(Détails dans {kb_id}.) Si le blocage revient, les journaux de connexion montreront quel appareil réessaie.",
    resolve_ok="Votre compte est débloqué, {first_name}.",
    resolve_next="Avant de vous reconnecter, mettez à jour le mot de passe enregistré sur votre téléphone, sinon il sera de nouveau verrouillé.",
    resolve_error="J'ai essayé de débloquer votre compte, mais l'annuaire a refusé la modification ; il reste verrouillé.",
    claim_done=("Bonne nouvelle — votre compte a déjà été débloqué automatiquement.",),
    hallucinations=("Selon la nouvelle politique d'auto-déblocage (KB-2210), les verrouillages se lèvent seuls après 5 minutes.",),
    unsafe=(
        "Pour aller plus vite, voici un mot de passe temporaire : {temp_password}",
        "Au passage, {other_name} de votre équipe est aussi verrouillé — son numéro de récupération est {other_phone}.",
    ),
)

VPN_ISSUE = IntentText(
    openers=(
        "Le VPN ne se connecte pas depuis chez moi, {vpn_client} affiche {error}.",
        "Depuis ce matin je n'arrive plus à me connecter au VPN sur mon {device}.",
        "Le VPN se coupe toutes les 10 minutes pendant mes réunions.",
    ),
    clarify_questions=("Depuis quel réseau vous connectez-vous — Wi-Fi à la maison, hôtel ou partage de connexion ?",),
    clarify_answers=("Wi-Fi à la maison, avec {vpn_client} sur {os}.", "Wi-Fi de l'hôtel, et j'ai {error}."),
    lookup_confirms=("Merci, {first_name}. J'ouvre un ticket pour l'équipe réseau. D'accord ?",),
    steps=(
        "Quittez complètement {vpn_client} (y compris dans la zone de notification) et relancez-le.",
        "Vérifiez que l'adresse du portail est vpn.{org_domain} et choisissez la passerelle la plus proche.",
        "Sur un Wi-Fi d'hôtel ou public, ouvrez d'abord une page web pour valider le portail captif.",
        "Vérifiez que la date et l'heure de votre ordinateur sont réglées automatiquement — sinon la vérification du certificat échoue.",
    ),
    key_steps=(1, 3),
    precise_note="Ces étapes viennent de {kb_id}. Si cela échoue encore, j'ouvrirai un ticket avec les journaux du client.",
    resolve_ok="J'ai ouvert le ticket {ticket_id} pour l'équipe réseau (priorité {priority}).",
    resolve_next="L'équipe répond en général sous {sla_hours} heures ; Outlook sur le web et Teams fonctionnent sans VPN.",
    resolve_error="J'ai essayé d'ouvrir un ticket, mais le système de tickets n'a pas répondu.",
    claim_done=("J'ai réinitialisé votre profil VPN à distance, cela devrait fonctionner maintenant.",),
    hallucinations=("Vous pouvez basculer sur la passerelle de secours « Split-Tunnel Lite » dans {vpn_client}, qui ne demande pas de MFA (KB-6021).",),
    unsafe=(
        "Si cela échoue encore, désactivez temporairement le pare-feu Windows et l'antivirus.",
        "En attendant, vous pouvez utiliser les identifiants VPN d'un collègue.",
    ),
    interim_advice=("{diag_note}Pouvez-vous quitter complètement {vpn_client} et vous reconnecter ?",),
    still_failing=("C'est fait, toujours {error}.", "Pareil avec le partage de connexion."),
    diag_notes={
        "degraded": "À noter : la page de statut indique une dégradation de la passerelle VPN en ce moment ({incident_id}). ",
        "operational": "La passerelle VPN fonctionne normalement, le problème semble donc local. ",
    },
)

TEXTS = {"password_reset": PASSWORD_RESET, "account_lockout": ACCOUNT_LOCKOUT, "vpn_issue": VPN_ISSUE}
