"""A narrow index for the matchable offers' fingerprint, checked on every ranking.

Revision ID: 30e7c2249ca5
Revises: 2965d3d8576a
Create Date: 2026-11-29 02:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '30e7c2249ca5'
down_revision = '2965d3d8576a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.create_index('ix_offer_fingerprint',
                              ['status', 'remaining_capacity', 'id', 'updated_at', 'version'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_index('ix_offer_fingerprint')
