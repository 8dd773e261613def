"""Every table, imported once so metadata (create_all, Alembic) sees the whole schema."""

from xinyong.audit.models import AuditEntry, AuditHead
from xinyong.authorizations.models import Authorization
from xinyong.calendar.models import CalendarDay, CalendarYear
from xinyong.catalog.models import CatalogItemVersion
from xinyong.checks.models import Check, CheckBatch, CheckFeedback  # noqa: F401
from xinyong.commitments.models import Commitment, CommitmentEvent, CommitmentMatter  # noqa: F401
from xinyong.lists.models import Listing, ListingEvent  # noqa: F401
from xinyong.measures.models import MeasureList  # noqa: F401
from xinyong.notices.models import Notice  # noqa: F401
from xinyong.records.models import Batch, Record, RecordEvent
from xinyong.reports.models import IssuedReport  # noqa: F401
from xinyong.rights.marks.models import MarkCase  # noqa: F401
from xinyong.rights.objections.models import ObjectionCase, ObjectionEvent  # noqa: F401
from xinyong.rights.repair.models import RepairCase, RepairEvent  # noqa: F401
from xinyong.subjects.models import ResponsiblePerson, Subject
from xinyong.users.models import ApiToken, Organization, User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Authorization",
    "Batch",
    "CalendarDay",
    "CalendarYear",
    "CatalogItemVersion",
    "Organization",
    "Record",
    "RecordEvent",
    "ResponsiblePerson",
    "Subject",
    "User",
]
