"""What the retention of closed cases has done, so that it is done once per case.

Holds ids only: the record outlives the case it describes (after deletion there is no row
to point at), and it must not itself keep personal data.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseRetention(models.Model):
    class Mode(models.TextChoices):
        ANONYMISED = "anonymised", _("Anonymised")
        DELETED = "deleted", _("Deleted")

    case_id = models.BigIntegerField(_("case"), unique=True)
    client_id = models.BigIntegerField(_("client"))
    mode = models.CharField(_("what was done"), max_length=12, choices=Mode.choices)
    closed_at = models.DateTimeField(_("case closed"))
    applied_at = models.DateTimeField(_("applied"))

    class Meta:
        verbose_name = _("retention of a closed case")
        verbose_name_plural = _("retention of closed cases")
        ordering = ["-applied_at"]

    def __str__(self) -> str:
        return f"case {self.case_id}: {self.mode} {self.applied_at:%Y-%m-%d}"
