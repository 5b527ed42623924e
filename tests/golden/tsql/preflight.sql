-- backup header
RESTORE HEADERONLY FROM DISK = @p0;
-- params: {"p0":"D:\\Backups\\billing_2026-11-01.bak"}

-- database state and compatibility level
SELECT [compatibility_level], [state_desc] FROM [sys].[databases] WHERE [name] = @p0;
-- params: {"p0":"EngageIP_after_billrun"}
