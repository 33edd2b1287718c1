"""Beijing time: the hotline's calendar (order numbers, days and months, file names)."""

from datetime import timedelta, timezone

BEIJING = timezone(timedelta(hours=8))
