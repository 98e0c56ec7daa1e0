"""One row per form. A form's one-time token (`form_token`) makes a double tap, a retried
request or the phone's offline queue sent twice create one row: touchpoints and follow-ups."""

import uuid
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from contacts.models import Kol

ANOTHER_KOLS_FORM = "This form was sent for another KOL: reload the page and add it again."


def once_per_form[M: models.Model](
    model: type[M], *, kol: Kol, form_token: uuid.UUID | None, create: Callable[[], M]
) -> tuple[M, bool]:
    """(the row `create()` made, True); or, when this form was sent before, (the row it made
    then, False). A token sent for another KOL is refused (ValidationError): nothing is made."""
    if form_token is not None and (sent := _made_by(model, kol, form_token)):
        return sent, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:  # the same form, sent at the same moment: the first one won
        if form_token is None or not (sent := _made_by(model, kol, form_token)):
            raise
        return sent, False


def _made_by[M: models.Model](model: type[M], kol: Kol, form_token: uuid.UUID) -> M | None:
    sent = model.objects.filter(form_token=form_token).first()
    if sent is not None and sent.kol_id != kol.pk:
        raise ValidationError(ANOTHER_KOLS_FORM)
    return sent
