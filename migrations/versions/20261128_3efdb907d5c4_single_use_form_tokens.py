"""Single-use form tokens: a form posted twice creates one record.

Revision ID: 3efdb907d5c4
Revises: f3f083dfa507
Create Date: 2026-11-28 20:10:48.992925

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3efdb907d5c4'
down_revision = 'f3f083dfa507'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_submission',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('result_url', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_submission'))
    )


def downgrade():
    op.drop_table('form_submission')
