"""Stand-ins for a mail server that refuses: the mail server is outside our system, so the
tests put a refusing one in its place (our own code runs for real)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """Like a server answering 550 for the recipient: a permanent refusal."""

    def send_messages(self, email_messages):
        recipients = {
            address: (550, b"5.1.1 User unknown") for m in email_messages for address in m.to
        }
        raise smtplib.SMTPRecipientsRefused(recipients)


class UnavailableBackend(BaseEmailBackend):
    """Like a server that cannot be reached right now: worth retrying."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class TroubleOnOurSideBackend(BaseEmailBackend):
    """A server answering with trouble that is not about the recipient: greylisting (451),
    an expired password (535), our sender refused (553). `ERRORS` is set by the test."""

    ERRORS: list[Exception] = []

    def send_messages(self, email_messages):
        raise TroubleOnOurSideBackend.ERRORS.pop(0)
