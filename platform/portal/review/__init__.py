"""The coordinators' review queue: from ranked candidates to proposals."""
