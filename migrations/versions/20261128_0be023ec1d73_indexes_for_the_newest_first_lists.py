"""Indexes for the newest-first lists of needs, offers and matches, and the review queue's sort.

Revision ID: 0be023ec1d73
Revises: 3efdb907d5c4
Create Date: 2026-11-28 22:01:07.973521

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0be023ec1d73'
down_revision = '3efdb907d5c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.create_index('ix_match_proposed', ['proposed_at', 'id'], unique=False)

    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.create_index('ix_need_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_need_organisation_updated', ['organisation_id', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_need_updated', ['updated_at', 'id'], unique=False)
        batch_op.create_index('ix_need_queue', ['status', 'created_at', 'id', 'start', 'end'], unique=False)

    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.create_index('ix_offer_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_offer_organisation_updated', ['organisation_id', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_offer_updated', ['updated_at', 'id'], unique=False)

    # ### end Alembic commands ###


def downgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_index('ix_offer_updated')
        batch_op.drop_index('ix_offer_organisation_updated')
        batch_op.drop_index('ix_offer_created')

    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_index('ix_need_queue')
        batch_op.drop_index('ix_need_updated')
        batch_op.drop_index('ix_need_organisation_updated')
        batch_op.drop_index('ix_need_created')

    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.drop_index('ix_match_proposed')

    # ### end Alembic commands ###
