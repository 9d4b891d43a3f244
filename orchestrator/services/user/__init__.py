"""A job seeker's own use cases: documents and jobs, the profile, the account page, sessions."""
