"""The practitioners' inbox: accounts and sessions, the handoff, live events, canned replies.

Pure logic lives here; the pages and actions are routers in `api/routes/inbox_*.py`.
"""
