"""Who is calling and what they may do: users, API keys, sessions, roles and permissions.

Routes protect themselves with one dependency: `Depends(require(Permission.X))`
(see `scriptsensei.auth.dependencies`).
"""
