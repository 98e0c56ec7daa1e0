"""The contacts app's models, one module per area; imported from here, as Django expects."""

from contacts.models.history import AuditEntry, StageChange
from contacts.models.import_job import ImportJob
from contacts.models.kols import (
    DUE_SOON_DAYS,
    STAGE_CADENCE_DAYS,
    CheckInStatus,
    Collaborator,
    Kol,
    Stage,
    TherapeuticArea,
    Topic,
    cadence_of_row,
    check_in_due_by,
    is_check_in_due,
)
from contacts.models.profile import (
    AssumptionStatus,
    Goal,
    Interest,
    Provenance,
    ProvenanceMixin,
)

__all__ = [
    "DUE_SOON_DAYS",
    "STAGE_CADENCE_DAYS",
    "AssumptionStatus",
    "AuditEntry",
    "CheckInStatus",
    "Collaborator",
    "Goal",
    "ImportJob",
    "Interest",
    "Kol",
    "Provenance",
    "ProvenanceMixin",
    "Stage",
    "StageChange",
    "TherapeuticArea",
    "Topic",
    "cadence_of_row",
    "check_in_due_by",
    "is_check_in_due",
]
