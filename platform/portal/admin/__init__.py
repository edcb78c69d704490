"""Administration: organisations, invitations and accounts."""
