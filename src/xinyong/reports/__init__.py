"""The subject's own credit report (知情权): numbered, verifiable by number, free quota per profile."""
