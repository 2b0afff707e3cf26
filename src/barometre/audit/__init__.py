"""The audit stage (criteria grid over captures, registry and social records)."""

from barometre.audit.edition import (
    AuditReport,
    audit_edition,
    audit_social,
    load_methodology,
    social_criteria,
)

__all__ = ["AuditReport", "audit_edition", "audit_social", "load_methodology", "social_criteria"]
