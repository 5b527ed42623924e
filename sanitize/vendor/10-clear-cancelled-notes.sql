-- Example vendor sanitize script for the sample platform, run after the masking rules.
-- On SQLite the whole file runs in one transaction; on SQL Server batch by batch (split at GO).
-- Collection notes on cancelled accounts are not needed to rehearse a bill run: clear them
-- rather than scrub them.
UPDATE accounts SET notes = NULL WHERE status = 'cancelled' AND notes IS NOT NULL;
