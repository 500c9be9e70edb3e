"""Appointments, their reminders and the follow-ups after a referral: jobs on arq, never lost
and never doubled (see api/reminders/send.py), only at safe times and by safe channels."""
