"""A custom converter, to show that the panel knows its class and Python type."""

from __future__ import annotations

import datetime

from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError


class DateConverter(BaseConverter):
    """``<date:day>`` matches ``2026-11-29`` and gives the view a ``datetime.date``.

    The regex accepts ``2026-02-30`` but ``to_python`` rejects it with
    ``ValidationError``, and then Werkzeug answers 404 without trying the
    rules after this one: the route explain view shows exactly that.
    """

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationError() from None

    def to_url(self, value: datetime.date) -> str:
        return value.isoformat()
