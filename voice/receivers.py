"""Withdrawing email consent kills the KOL's links and removes their answers.

Consent is changed in contacts (below us), which must not know of links. Every service that
changes it writes a History entry in its transaction (contacts.audit), and the admin saves
the Kol row: we listen for both, connected in VoiceConfig.ready(). Whatever is missed here
is still refused: voice.tokens.link_usable reads the current consent on every request."""

from django.db.models.signals import post_save

from contacts.models import AuditEntry, Kol
from voice import services

CONSENT = str(Kol._meta.get_field("email_consent").verbose_name)


def _forget_if_withdrawn(kol_id: int | None) -> None:
    kol = Kol.objects.filter(pk=kol_id).only("pk", "name", "email_consent").first()
    if kol is not None and not kol.email_consent:
        services.forget_kol(kol=kol, reason="email consent withdrawn")


def on_history_entry(sender, instance: AuditEntry, created: bool, **kwargs) -> None:
    if created and instance.kol_id and CONSENT in (instance.changes or {}):
        _forget_if_withdrawn(instance.kol_id)


def on_kol_saved(sender, instance: Kol, created: bool, **kwargs) -> None:
    if not created and not instance.email_consent:
        _forget_if_withdrawn(instance.pk)


def connect() -> None:
    post_save.connect(on_history_entry, sender=AuditEntry, dispatch_uid="voice-consent-history")
    post_save.connect(on_kol_saved, sender=Kol, dispatch_uid="voice-consent-kol")
