from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "voice"
    verbose_name = "The KOL's own voice"

    def ready(self) -> None:
        # Consent lives in contacts, below us: contacts cannot call us, so we listen for the
        # History entry every consent change writes (and for the admin's saves of a KOL).
        from engagements.selectors import followups
        from voice import kol_page, receivers

        receivers.connect()
        # The thank-you draft (engagements, below us) carries the KOL's personal link.
        followups.add_to_thank_you_drafts(kol_page.thank_you_lines)
