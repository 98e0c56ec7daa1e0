"""`make run`'s mail: readable text on the console and in var/outbox/ (issue 17)."""

import io
from email import message_from_bytes

from django.core.mail import EmailMultiAlternatives

from common.dev_mail import ReadableOutboxBackend
from tests.accounts.test_settings import SETUP, run_python

LINK = "http://127.0.0.1:8000/follow-ups/42/?next=%2Ftoday%2F&x=é"


def test_it_prints_the_decoded_text_with_whole_links_and_keeps_txt_and_eml(tmp_path):
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        "Your digest: 3 things due – Ünïcode",
        f"Good morning,\n\nOpen {LINK} to see them.\n" + "A long line " * 20,
        "KOL CRM <kolcrm@localhost>",
        ["owner@example.test"],
        headers={"List-Unsubscribe": "<http://127.0.0.1:8000/unsubscribe/x/>"},
    )
    message.attach_alternative("<p>Good morning</p>", "text/html")

    sent = ReadableOutboxBackend(directory=str(tmp_path), stream=stream).send_messages([message])

    printed = stream.getvalue()
    assert sent == 1
    assert LINK in printed and "Subject: Your digest: 3 things due – Ünïcode" in printed
    assert "=3D" not in printed and "Content-Transfer-Encoding" not in printed
    assert "List-Unsubscribe: <http://127.0.0.1:8000/unsubscribe/x/>" in printed
    (txt,) = tmp_path.glob("*.txt")
    (eml,) = tmp_path.glob("*.eml")
    assert LINK in txt.read_text(encoding="utf-8")
    parsed = message_from_bytes(eml.read_bytes())
    assert parsed.get_content_type() == "multipart/alternative"


def test_settings_pick_it_with_debug_and_no_mail_server(tmp_path):
    code = f"{SETUP}; from django.conf import settings; print(settings.MAILERS['default'])"
    local = run_python(tmp_path, code, DEBUG="1")
    assert "common.dev_mail.ReadableOutboxBackend" in local.stdout, local.stderr
    assert str(tmp_path / "var" / "outbox") in local.stdout
    smtp = run_python(tmp_path, code, DEBUG="1", EMAIL_HOST="mail.example.org")
    assert "smtp.EmailBackend" in smtp.stdout, smtp.stderr
