-- create marker table
CREATE TABLE [_rehearsal_run] ([run_id] NVARCHAR(400) NOT NULL, [created_at] NVARCHAR(400) NOT NULL, [source] NVARCHAR(400) NOT NULL);
-- params: {}

-- insert marker
INSERT INTO [_rehearsal_run] ([run_id], [created_at], [source]) VALUES (@p0, @p1, @p2);
-- params: {"p0":"20261101-015500-a1b2c3","p1":"2026-11-01T01:55:00.000Z","p2":"D:\\Backups\\EngageIP\\billing_2026-11-01_0155.bak"}

-- read marker
SELECT [run_id], [created_at], [source] FROM [_rehearsal_run];
-- params: {}
