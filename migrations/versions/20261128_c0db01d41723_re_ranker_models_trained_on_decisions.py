"""Re-ranker models trained on coordinators' decisions (`flask matching train`).

Revision ID: c0db01d41723
Revises: 460a97bdcf78
Create Date: 2026-11-28 19:19:47.156306

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0db01d41723'
down_revision = '460a97bdcf78'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ranker_model',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('n_examples', sa.Integer(), nullable=False),
    sa.Column('n_positive', sa.Integer(), nullable=False),
    sa.Column('library_version', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ranker_model'))
    )


def downgrade():
    op.drop_table('ranker_model')
