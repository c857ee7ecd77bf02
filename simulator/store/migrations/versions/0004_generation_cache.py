"""the generation cache: every sample drawn from an outside model (hf:, openai:), with its cost

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'generations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_key', sa.String(length=64), nullable=False),
        sa.Column('index', sa.Integer(), nullable=False),
        sa.Column('backend', sa.String(length=40), nullable=False),
        sa.Column('model', sa.String(length=500), nullable=False),
        sa.Column('prompt_digest', sa.String(length=64), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('seed', sa.BigInteger(), nullable=False),
        sa.Column('problem_id', sa.String(length=200), nullable=False),
        sa.Column('language', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('extraction', sa.String(length=200), nullable=False),
        sa.Column('finish_reason', sa.String(length=40), nullable=True),
        sa.Column('prompt_tokens', sa.Integer(), nullable=True),
        sa.Column('completion_tokens', sa.Integer(), nullable=True),
        sa.Column('seconds', sa.Double(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('request_key', 'index', name='uq_generations_request_index'),
    )
    with op.batch_alter_table('generations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_generations_request_key'), ['request_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_generations_problem_id'), ['problem_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('generations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generations_problem_id'))
        batch_op.drop_index(batch_op.f('ix_generations_request_key'))
    op.drop_table('generations')
