-- cut other sessions off
ALTER DATABASE [rehearsal_20261101_015500_a1b2c3] SET SINGLE_USER WITH ROLLBACK IMMEDIATE;
-- params: {}

-- drop the copy
DROP DATABASE [rehearsal_20261101_015500_a1b2c3];
-- params: {}
