"""Confirmed self-referrals: storing them once, their status, and practitioners' decisions."""
