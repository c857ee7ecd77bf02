"""sample outcomes: per drawn sample of a run replayed with --sample-metrics, its draw index,
language, log-probability, verdicts (examples, hidden tests) and cluster, for comparing selection
strategies on the same samples

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'sample_outcomes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('problem_id', sa.Integer(), nullable=False),
        sa.Column('index', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=20), nullable=False),
        sa.Column('passed_examples', sa.Boolean(), nullable=False),
        sa.Column('passed_hidden', sa.Boolean(), nullable=True),
        sa.Column('cluster', sa.Integer(), nullable=True),
        sa.Column('duplicate_of', sa.Integer(), nullable=True),
        sa.Column('submitted', sa.Integer(), nullable=True),
        sa.Column('logprob', sa.Double(), nullable=True),
        sa.Column('tokens', sa.Integer(), nullable=True),
        sa.Column('value', sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], ),
        sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('run_id', 'problem_id', 'index', name='uq_sample_outcomes'),
    )
    with op.batch_alter_table('sample_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_outcomes_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('sample_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_outcomes_run_id'))
    op.drop_table('sample_outcomes')
