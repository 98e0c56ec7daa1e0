from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "voice"
    verbose_name = "The KOL's own voice"

    def ready(self) -> None:
        # Consent lives in contacts, below us: contacts cannot call us, so we listen for the
        # History entry every consent change writes (and for the admin's saves of a KOL).
        from voice import receivers

        receivers.connect()
