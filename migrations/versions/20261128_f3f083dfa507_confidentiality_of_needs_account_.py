"""Confidentiality of needs; account security (session version, TOTP, lockout).

Existing needs become `restricted`, the safest level: their States can open
them up. Existing users start at session version 1 with no failed logins.

Revision ID: f3f083dfa507
Revises: c0db01d41723
Create Date: 2026-11-28 19:44:40.019638

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3f083dfa507'
down_revision = 'c0db01d41723'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidentiality', sa.Enum('public', 'donors', 'restricted', name='confidentiality', native_enum=False, length=20), nullable=False, server_default='restricted'))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('failed_login_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))

    # The defaults served the existing rows; the application sets these.
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.alter_column('confidentiality', existing_type=sa.String(length=20), server_default=None)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('session_version', existing_type=sa.Integer(), server_default=None)
        batch_op.alter_column('failed_login_count', existing_type=sa.Integer(), server_default=None)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_login_count')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('session_version')

    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_column('confidentiality')
