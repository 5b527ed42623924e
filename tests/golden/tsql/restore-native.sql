-- database exists?
SELECT DB_ID(@p0) AS [database_id];
-- params: {"p0":"rehearsal_20261101_015500_a1b2c3"}

-- files in the backup
RESTORE FILELISTONLY FROM DISK = @p0;
-- params: {"p0":"D:\\Backups\\EngageIP\\billing_2026-11-01_0155.bak"}

-- default folders
SELECT CAST(SERVERPROPERTY(@p0) AS NVARCHAR(4000)) AS [data_path], CAST(SERVERPROPERTY(@p1) AS NVARCHAR(4000)) AS [log_path];
-- params: {"p0":"InstanceDefaultDataPath","p1":"InstanceDefaultLogPath"}

-- restore with move
RESTORE DATABASE @p0 FROM DISK = @p1 WITH MOVE @p2 TO @p3, MOVE @p4 TO @p5, MOVE @p6 TO @p7, RECOVERY;
-- params: {"p0":"rehearsal_20261101_015500_a1b2c3","p1":"D:\\Backups\\EngageIP\\billing_2026-11-01_0155.bak","p2":"EngageIP","p3":"D:\\MSSQL\\Data\\rehearsal_20261101_015500_a1b2c3_1.mdf","p4":"EngageIP_Archive","p5":"D:\\MSSQL\\Data\\rehearsal_20261101_015500_a1b2c3_2.ndf","p6":"EngageIP_log","p7":"L:\\MSSQL\\Log\\rehearsal_20261101_015500_a1b2c3_3.ldf"}
