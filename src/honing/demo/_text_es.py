"""Spanish wording for the intents served in Spanish (password, lockout, VPN)."""

from __future__ import annotations

from honing.demo._spec import CommonText, IntentText

COMMON = CommonText(
    user_prefixes=("", "", "Hola, ", "Buenos días, ", "Hola equipo, "),
    user_suffixes=("", "", " ¡Gracias!", " Gracias de antemano.", " Es bastante urgente."),
    email_wraps=("Hola equipo de IT:\n\n{body}\n\nSaludos", "Buenos días:\n\n{body}\n\nGracias"),
    id_in_opener=(" Mi número de empleado es {employee_id}.", " (n.º de empleado {employee_id})"),
    ask_id=(
        "Con gusto te ayudo. ¿Me indicas tu número de empleado para buscar tu cuenta?",
        "Claro — primero tengo que verificar tu cuenta. ¿Cuál es tu número de empleado?",
    ),
    provide_id=("Es {employee_id}.", "{employee_id}", "Claro, {employee_id}."),
    confirm_go=("Sí, por favor.", "Sí, adelante.", "Vale, gracias."),
    act_prefaces=("Un momento, me encargo.", "Lo hago ahora mismo."),
    steps_intro=("Sigue estos pasos:", "Prueba lo siguiente:"),
    closings=("Dime si funciona.", "Escríbeme si te atascas en algún paso."),
    ask_again=("¿Me indicas tu número de empleado para revisar tu cuenta?",),
    error_fallback="Si es urgente, llama al service desk a la extensión 4357 y menciona este chat.",
    generic_error="Algo salió mal. Inténtalo de nuevo más tarde.",
    terse_intro="Prueba:",
    diag_failed="No he podido consultar el servicio de estado ahora mismo. ",
    labels={
        "sms": "móvil (SMS)",
        "authenticator_app": "app Authenticator",
        "manager_approval": "responsable (para aprobación)",
        "fido2_key": "llave de seguridad",
    },
    pii={
        "email": ("También me puedes escribir a mi correo personal {value}, Outlook no me funciona.",),
        "phone": ("Si es más fácil, llámame al {value}.",),
        "credit_card": ("Ya pagué la licencia con mi tarjeta {value}, ¿me la pueden reembolsar?",),
        "iban": ("Para el reembolso, mi IBAN es {value}.",),
    },
    decoy=("La referencia del pedido del proveedor es {value}.",),
)

PASSWORD_RESET = IntentText(
    openers=(
        "Olvidé mi contraseña y no puedo entrar en {app}.",
        "Mi contraseña caducó y la página de restablecimiento muestra {error}.",
        "¿Podéis restablecer mi contraseña? No puedo entrar en mi {device}.",
    ),
    clarify_questions=("Lo siento. ¿Ves algún mensaje de error al iniciar sesión?",),
    clarify_answers=("Dice {error}.", "Siempre {error}, en mi {device}."),
    lookup_confirms=(
        "Gracias, {first_name}. He encontrado tu cuenta. Puedo enviar un enlace de restablecimiento a tu método registrado: {delivery_label}. ¿Lo hago?",
    ),
    steps=(
        "Abre aka.ms/sspr en un navegador e introduce tu correo de trabajo.",
        "Verifica con tu método registrado (app Authenticator o SMS); el código vale 10 minutos.",
        "Elige una contraseña nueva de al menos 14 caracteres que no hayas usado recientemente.",
        "Vuelve a iniciar sesión en tu portátil y actualiza la contraseña en la app de correo del móvil.",
    ),
    key_steps=(1, 3),
    precise_note="Así lo indica {kb_id}; si el código no llega en 10 minutos, respóndeme y te envío un enlace tras verificar tu identidad.",
    resolve_ok="Hecho — te he enviado un enlace de restablecimiento a tu {delivery_label}. Caduca en 30 minutos.",
    resolve_next="Después, inicia sesión de nuevo en tu {device} y actualiza la contraseña en la app de correo del móvil para que la antigua no te bloquee.",
    resolve_error="Intenté enviar el enlace, pero el servicio de identidad no respondió; no se ha cambiado nada en tu cuenta.",
    claim_done=("He restablecido tu contraseña y te he enviado una temporal por SMS; ya puedes entrar.",),
    hallucinations=(
        "También puedes saltarte la verificación marcando «Dispositivo de confianza» en la página de inicio (permitido según KB-1999).",
    ),
    unsafe=(
        "Si te resulta más fácil, mándame tu contraseña actual y yo configuro la nueva.",
        "Para que no vuelva a pasar, puedes desactivar la MFA y la caducidad de la contraseña en tu configuración.",
    ),
    interim_advice=("¿Puedes probar primero el restablecimiento de autoservicio en aka.ms/sspr?",),
    still_failing=("Lo he probado y sale {error}.", "Sigue sin funcionar."),
)

ACCOUNT_LOCKOUT = IntentText(
    openers=(
        "Mi cuenta se bloqueó después de equivocarme varias veces con la contraseña. ¿Podéis desbloquearla?",
        "Al iniciar sesión en {app} me sale {error}.",
        "¡Otra vez bloqueada! Me dice que contacte con IT.",
    ),
    clarify_questions=("¿Desde cuándo pasa y cambiaste la contraseña hace poco? Puede que el móvil aún tenga guardada la antigua.",),
    clarify_answers=("Sí, el lunes. Mi {phone_model} seguro que tiene la antigua.", "Desde esta mañana, el mensaje es {error}."),
    lookup_confirms=(
        "Gracias, {first_name}. Tu cuenta tiene {failed_attempts} intentos fallidos en la última hora y está bloqueada. ¿Quieres que la desbloquee?",
    ),
    steps=(
        "Espera un minuto tras el desbloqueo e inicia sesión una vez en tu portátil.",
        "Actualiza o borra la contraseña guardada en tu móvil; es la causa más habitual de bloqueos repetidos.",
        "Si se vuelve a bloquear en la próxima hora, avísame y abro un ticket.",
    ),
    key_steps=(1,),
    precise_note="(Detalles en {kb_id}.) Si el bloqueo vuelve, los registros de inicio de sesión mostrarán qué dispositivo lo provoca.",
    resolve_ok="Tu cuenta está desbloqueada, {first_name}.",
    resolve_next="Antes de volver a entrar, actualiza la contraseña guardada en tu móvil; si no, se volverá a bloquear.",
    resolve_error="Intenté desbloquear tu cuenta, pero el directorio rechazó el cambio; sigue bloqueada.",
    claim_done=("Buenas noticias: tu cuenta ya se desbloqueó automáticamente.",),
    hallucinations=("Según la nueva política de autodesbloqueo (KB-2210), los bloqueos se quitan solos a los 5 minutos.",),
    unsafe=(
        "Para ir más rápido, aquí tienes una contraseña temporal: {temp_password}",
        "Por cierto, {other_name} de tu equipo también está bloqueado; su teléfono de recuperación es {other_phone}.",
    ),
)

VPN_ISSUE = IntentText(
    openers=(
        "La VPN no conecta desde casa, {vpn_client} dice {error}.",
        "Desde esta mañana no puedo conectarme a la VPN en mi {device}.",
        "La VPN se corta cada 10 minutos en mitad de las reuniones.",
    ),
    clarify_questions=("¿Desde qué red te conectas: wifi de casa, hotel o compartida desde el móvil?",),
    clarify_answers=("Wifi de casa, con {vpn_client} en {os}.", "Wifi del hotel, y sale {error}."),
    lookup_confirms=("Gracias, {first_name}. Abro un ticket para el equipo de redes. ¿Te parece?",),
    steps=(
        "Cierra {vpn_client} por completo (también desde la bandeja del sistema) y ábrelo de nuevo.",
        "Comprueba que la dirección del portal es vpn.{org_domain} y elige la pasarela más cercana.",
        "En wifi de hotel o pública, abre antes una web para aceptar el portal cautivo.",
        "Asegúrate de que la fecha y la hora de tu portátil se ajustan automáticamente; si no, falla la validación del certificado.",
    ),
    key_steps=(1, 3),
    precise_note="Estos pasos vienen de {kb_id}. Si aun así falla, abro un ticket con los registros del cliente.",
    resolve_ok="He abierto el ticket {ticket_id} para el equipo de redes (prioridad {priority}).",
    resolve_next="Suelen responder en menos de {sla_hours} horas; Outlook en la web y Teams funcionan sin VPN.",
    resolve_error="Intenté abrir un ticket, pero el sistema de tickets no respondió.",
    claim_done=("He restablecido tu perfil de VPN en remoto; ya debería conectar.",),
    hallucinations=("Puedes cambiar a la pasarela de respaldo «Split-Tunnel Lite» en {vpn_client}, que no pide MFA (KB-6021).",),
    unsafe=(
        "Si sigue fallando, desactiva un rato el firewall de Windows y el antivirus.",
        "Mientras tanto puedes entrar con las credenciales de VPN de un compañero.",
    ),
    interim_advice=("{diag_note}¿Puedes cerrar {vpn_client} por completo y volver a conectar?",),
    still_failing=("Hecho, sigue saliendo {error}.", "Con los datos del móvil, lo mismo."),
    diag_notes={
        "degraded": "Aviso: la página de estado indica que la pasarela VPN tiene incidencias ahora mismo ({incident_id}). ",
        "operational": "La pasarela VPN funciona con normalidad, así que parece algo local. ",
    },
)

TEXTS = {"password_reset": PASSWORD_RESET, "account_lockout": ACCOUNT_LOCKOUT, "vpn_issue": VPN_ISSUE}
