"""drop cached IE judgments: an internal error is the judge's failure, never a result to reuse (a
store written by an earlier csim reused IE by key, so a transient failure became permanent)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Data only: submissions keep their IE verdict (what that run saw) but no longer point at a
    cached judgment, and the cached IE judgments go."""
    op.execute("UPDATE submissions SET judgment_key = NULL "
               "WHERE judgment_key IN (SELECT key FROM judgments WHERE verdict = 'IE')")
    op.execute("DELETE FROM judgments WHERE verdict = 'IE'")


def downgrade() -> None:
    """Nothing to restore: the dropped rows were never results."""
