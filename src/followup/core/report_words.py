"""The words of the activity report, per language (report.py uses them)."""

from __future__ import annotations

from collections.abc import Mapping

# What each step and outcome is called in a row; "formal-note/handwritten" is the
# formal note when it was a handwritten card.
LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "interview": "Interview",
        "ask-timeline": "Asked when they will decide",
        "business-card": "Got the interviewers' contact details",
        "notes": "Wrote interview notes",
        "thank-you-email": "Sent a thank-you email",
        "formal-note": "Sent a formal note",
        "formal-note/handwritten": "Sent a handwritten note",
        "status-email": "Asked for the outcome",
        "call-script": "Prepared the follow-up call",
        "call": "Follow-up call",
        "second-call": "Second follow-up call",
        "let-go": "Closed the application",
        "reply-second-interview": "Accepted a second interview",
        "reply-offer": "Replied to the offer",
        "gracious-reply": "Replied to the rejection",
        "outcome/reply": "The employer replied",
        "outcome/second-interview": "Invited to a second interview",
        "outcome/offer": "Received an offer",
        "outcome/rejected": "Not selected",
        "outcome/withdrawn": "Withdrew the application",
    },
    "de": {
        "interview": "Vorstellungsgespräch",
        "ask-timeline": "Nach dem Entscheidungstermin gefragt",
        "business-card": "Kontaktdaten der Gesprächspartner notiert",
        "notes": "Gesprächsnotizen geschrieben",
        "thank-you-email": "Dankes-E-Mail gesendet",
        "formal-note": "Persönliche Nachricht gesendet",
        "formal-note/handwritten": "Handschriftliche Karte gesendet",
        "status-email": "Nach dem Ergebnis gefragt",
        "call-script": "Nachfassanruf vorbereitet",
        "call": "Nachfassanruf",
        "second-call": "Zweiter Nachfassanruf",
        "let-go": "Bewerbung abgeschlossen",
        "reply-second-interview": "Zweites Gespräch zugesagt",
        "reply-offer": "Auf das Angebot geantwortet",
        "gracious-reply": "Auf die Absage geantwortet",
        "outcome/reply": "Antwort des Arbeitgebers",
        "outcome/second-interview": "Einladung zum zweiten Gespräch",
        "outcome/offer": "Angebot erhalten",
        "outcome/rejected": "Absage erhalten",
        "outcome/withdrawn": "Bewerbung zurückgezogen",
    },
    "fr": {
        "interview": "Entretien",
        "ask-timeline": "Question sur la date de décision",
        "business-card": "Coordonnées des recruteurs notées",
        "notes": "Notes d'entretien rédigées",
        "thank-you-email": "E-mail de remerciement envoyé",
        "formal-note": "Note personnelle envoyée",
        "formal-note/handwritten": "Carte manuscrite envoyée",
        "status-email": "Demande de la décision",
        "call-script": "Appel de relance préparé",
        "call": "Appel de relance",
        "second-call": "Second appel de relance",
        "let-go": "Candidature close",
        "reply-second-interview": "Second entretien accepté",
        "reply-offer": "Réponse à l'offre",
        "gracious-reply": "Réponse au refus",
        "outcome/reply": "Réponse de l'employeur",
        "outcome/second-interview": "Invitation à un second entretien",
        "outcome/offer": "Offre reçue",
        "outcome/rejected": "Candidature non retenue",
        "outcome/withdrawn": "Candidature retirée",
    },
    "es": {
        "interview": "Entrevista",
        "ask-timeline": "Consulta sobre la fecha de decisión",
        "business-card": "Datos de contacto anotados",
        "notes": "Notas de la entrevista escritas",
        "thank-you-email": "Correo de agradecimiento enviado",
        "formal-note": "Nota formal enviada",
        "formal-note/handwritten": "Nota manuscrita enviada",
        "status-email": "Consulta sobre el resultado",
        "call-script": "Llamada de seguimiento preparada",
        "call": "Llamada de seguimiento",
        "second-call": "Segunda llamada de seguimiento",
        "let-go": "Candidatura cerrada",
        "reply-second-interview": "Segunda entrevista aceptada",
        "reply-offer": "Respuesta a la oferta",
        "gracious-reply": "Respuesta al rechazo",
        "outcome/reply": "Respuesta del empleador",
        "outcome/second-interview": "Invitación a una segunda entrevista",
        "outcome/offer": "Oferta recibida",
        "outcome/rejected": "Candidatura no seleccionada",
        "outcome/withdrawn": "Candidatura retirada",
    },
}

CHANNELS: Mapping[str, Mapping[str, str]] = {
    "en": {"in person": "in person", "video": "video", "email": "email", "letter": "letter",
           "phone": "phone"},
    "de": {"in person": "persönlich", "video": "Video", "email": "E-Mail", "letter": "Brief",
           "phone": "Telefon"},
    "fr": {"in person": "en personne", "video": "vidéo", "email": "e-mail", "letter": "courrier",
           "phone": "téléphone"},
    "es": {"in person": "en persona", "video": "vídeo", "email": "correo", "letter": "carta",
           "phone": "teléfono"},
}

# The Markdown report: headings, title, the period, an empty period, the summary (with
# the singular and plural of "activity" and "employer").
TEXT: Mapping[str, Mapping[str, str]] = {
    "en": {"headings": "Date|Company|Role|Step|Channel|Contact",
           "title": "Job search activity {}", "up to": "up to {}", "from to": "from {} to {}",
           "empty": "No activity in this period.", "summary": "{} with {}.",
           "activity": "activity|activities", "employer": "employer|employers"},
    "de": {"headings": "Datum|Firma|Stelle|Schritt|Kanal|Kontakt",
           "title": "Bewerbungsaktivitäten {}", "up to": "bis {}", "from to": "vom {} bis {}",
           "empty": "Keine Aktivitäten in diesem Zeitraum.", "summary": "{} bei {}.",
           "activity": "Aktivität|Aktivitäten", "employer": "Arbeitgeber|Arbeitgebern"},
    "fr": {"headings": "Date|Entreprise|Poste|Étape|Canal|Contact",
           "title": "Recherche d'emploi : activités {}", "up to": "jusqu'au {}",
           "from to": "du {} au {}", "empty": "Aucune activité sur cette période.",
           "summary": "{} auprès de {}.", "activity": "activité|activités",
           "employer": "employeur|employeurs"},
    "es": {"headings": "Fecha|Empresa|Puesto|Paso|Canal|Contacto",
           "title": "Actividad de búsqueda de empleo {}", "up to": "hasta el {}",
           "from to": "del {} al {}", "empty": "Ninguna actividad en este periodo.",
           "summary": "{} con {}.", "activity": "actividad|actividades",
           "employer": "empleador|empleadores"},
}


def words(language: str) -> tuple[Mapping[str, str], Mapping[str, str], Mapping[str, str]]:
    """(labels, channels, text) of a language, English for an unknown one."""
    known = language if language in LABELS else "en"
    return LABELS[known], CHANNELS[known], TEXT[known]
