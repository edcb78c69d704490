"""Stored rankings of candidate offers for each open need.

Pages read rankings from here; the engine writes them when a need or an
offer changes, and `flask matching rebuild` rewrites them all.

Revision ID: 146dce6147f0
Revises: ca1a9996bb5b
Create Date: 2026-11-28 19:02:31.587396

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '146dce6147f0'
down_revision = 'ca1a9996bb5b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('features', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_candidate_need_id_need'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_candidate_offer_id_offer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate')),
    sa.UniqueConstraint('need_id', 'offer_id', name='uq_candidate_need_offer')
    )
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.create_index('ix_candidate_need_rank', ['need_id', 'rank'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_offer_id'), ['offer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_offer_id'))
        batch_op.drop_index('ix_candidate_need_rank')

    op.drop_table('candidate')
