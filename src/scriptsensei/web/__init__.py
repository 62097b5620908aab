"""Pages for operators, reviewers and admins: server-rendered, calling the same services
as the API; htmx and Alpine.js (CSP build) for interaction, one script for live events."""
