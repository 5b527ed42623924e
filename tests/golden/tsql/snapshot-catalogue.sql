-- backups in the catalogue folder
SELECT [full_filesystem_path], [file_or_directory_name] FROM [sys].[dm_os_enumerate_filesystem](@p0, @p1) WHERE [is_directory] = 0 ORDER BY [file_or_directory_name];
-- params: {"p0":"D:\\Backups\\EngageIP","p1":"*.bak"}
