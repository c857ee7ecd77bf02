"""what a result is worth: the full problem list and what of it could be judged; tie places and the
two performance definitions side by side; the newcomer rating and unrated rows a result was rated with

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('problem_count', sa.Integer(), nullable=True))
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.add_column(sa.Column('judgeable', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('examples', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('generated_tests', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('contest_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('problems', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('judgeable', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('worst_percentile', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('codeelo_performance', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('newcomer_rating', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unrated', sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('contest_results', schema=None) as batch_op:
        for name in ('unrated', 'newcomer_rating', 'codeelo_performance', 'worst_percentile', 'judgeable', 'problems'):
            batch_op.drop_column(name)
    with op.batch_alter_table('problems', schema=None) as batch_op:
        for name in ('generated_tests', 'examples', 'judgeable'):
            batch_op.drop_column(name)
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_column('problem_count')
