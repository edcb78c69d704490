"""Coordinator workflow: matches, rejections, audit trail, notifications.

Needs and offers gain a version column (optimistic locking) and offers their
remaining capacity, filled from their capacity for existing rows. The audit
trail is made append-only by triggers on both SQLite and PostgreSQL.

Revision ID: 460a97bdcf78
Revises: 146dce6147f0
Create Date: 2026-11-28 19:09:08.832475

"""
from alembic import op
import sqlalchemy as sa

# Kept here, not imported from the application: a migration must not change
# when the code does.
AUDIT_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events cannot be deleted'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ],
}
DROP_AUDIT_TRIGGERS = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_event_no_update",
               "DROP TRIGGER IF EXISTS audit_event_no_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
                   "DROP FUNCTION IF EXISTS audit_event_append_only()"],
}


def _run(statements):
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


# revision identifiers, used by Alembic.
revision = '460a97bdcf78'
down_revision = '146dce6147f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_recipient'), ['recipient'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('subject_type', sa.String(length=30), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_audit_event_actor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_subject', ['subject_type', 'subject_id'], unique=False)
    _run(AUDIT_TRIGGERS)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'agreed', 'in_delivery', 'completed', 'declined', 'cancelled', name='matchstatus', native_enum=False, length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('features', sa.JSON(), nullable=True),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('donor_decision', sa.Enum('accepted', 'declined', name='decision', native_enum=False, length=20), nullable=True),
    sa.Column('donor_reason', sa.Text(), nullable=True),
    sa.Column('donor_decided_by_id', sa.Integer(), nullable=True),
    sa.Column('donor_decided_at', sa.DateTime(), nullable=True),
    sa.Column('state_decision', sa.Enum('accepted', 'declined', name='decision', native_enum=False, length=20), nullable=True),
    sa.Column('state_reason', sa.Text(), nullable=True),
    sa.Column('state_decided_by_id', sa.Integer(), nullable=True),
    sa.Column('state_decided_at', sa.DateTime(), nullable=True),
    sa.Column('agreed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['donor_decided_by_id'], ['user.id'], name=op.f('fk_match_donor_decided_by_id_user')),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_match_need_id_need')),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_match_offer_id_offer')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'], name=op.f('fk_match_proposed_by_id_user')),
    sa.ForeignKeyConstraint(['state_decided_by_id'], ['user.id'], name=op.f('fk_match_state_decided_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match'))
    )
    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_status'), ['status'], unique=False)
        batch_op.create_index('uq_match_open_pair', ['need_id', 'offer_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'agreed', 'in_delivery')"), postgresql_where=sa.text("status IN ('proposed', 'agreed', 'in_delivery')"))

    op.create_table('rejection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('features', sa.JSON(), nullable=True),
    sa.Column('rejected_by_id', sa.Integer(), nullable=True),
    sa.Column('rejected_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_rejection_need_id_need')),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_rejection_offer_id_offer')),
    sa.ForeignKeyConstraint(['rejected_by_id'], ['user.id'], name=op.f('fk_rejection_rejected_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rejection')),
    sa.UniqueConstraint('need_id', 'offer_id', name='uq_rejection_need_offer')
    )
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))

    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remaining_capacity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    op.execute("UPDATE offer SET remaining_capacity = capacity")
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.alter_column('remaining_capacity', existing_type=sa.Integer(), nullable=False)
    # The defaults only served the existing rows; the application sets both.
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.alter_column('version', existing_type=sa.Integer(), server_default=None)
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.alter_column('version', existing_type=sa.Integer(), server_default=None)



def downgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('remaining_capacity')

    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_column('version')

    op.drop_table('rejection')
    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.drop_index('uq_match_open_pair', sqlite_where=sa.text("status IN ('proposed', 'agreed', 'in_delivery')"), postgresql_where=sa.text("status IN ('proposed', 'agreed', 'in_delivery')"))
        batch_op.drop_index(batch_op.f('ix_match_status'))
        batch_op.drop_index(batch_op.f('ix_match_offer_id'))
        batch_op.drop_index(batch_op.f('ix_match_need_id'))

    op.drop_table('match')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))

    op.drop_table('notification')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_subject')
        batch_op.drop_index(batch_op.f('ix_audit_event_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))

    _run(DROP_AUDIT_TRIGGERS)
    op.drop_table('audit_event')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_recipient'))

    op.drop_table('outbox_message')
