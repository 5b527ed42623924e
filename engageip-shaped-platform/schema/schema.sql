-- The EngageIP-shaped stand-in: a second billing platform with another shape than the sample's,
-- following the public EngageIP facts (docs/profiles/engageip.md): PascalCase tables, accounts
-- are users, user packages carry a NextBillDate, discounts are tracked per user package in
-- UserServicePackageDiscountTracking, eventlog(Date, Action, Module, Result), money as
-- DECIMAL(19,4). On SQLite a DATETIME is text: a date at midnight as 'YYYY-MM-DD', a moment as
-- 'YYYY-MM-DD HH:MM:SS.sss' (UTC), the shapes SQL Server converts both ways.

CREATE TABLE [User] (
  [ID] INTEGER PRIMARY KEY,
  [Name] NVARCHAR(50) NOT NULL UNIQUE,
  [ParentUserID] INTEGER REFERENCES [User]([ID]),
  [CompanyName] NVARCHAR(200) NOT NULL,
  [Status] NVARCHAR(20) NOT NULL CHECK ([Status] IN ('Active', 'Closed')),
  [AutoPay] BIT NOT NULL DEFAULT 0,
  [TaxExempt] BIT NOT NULL DEFAULT 0,
  [Balance] DECIMAL(19,4) NOT NULL DEFAULT 0,
  [CreatedDate] DATETIME NOT NULL
);
CREATE INDEX [IX_User_ParentUserID] ON [User]([ParentUserID]);

CREATE TABLE [Contact] (
  [ID] INTEGER PRIMARY KEY,
  [UserID] INTEGER NOT NULL REFERENCES [User]([ID]),
  [IsPrimary] BIT NOT NULL DEFAULT 1,
  [FirstName] NVARCHAR(100) NOT NULL,
  [LastName] NVARCHAR(100) NOT NULL,
  [Email] NVARCHAR(200),
  [Phone] NVARCHAR(50)
);
CREATE INDEX [IX_Contact_UserID] ON [Contact]([UserID]);

-- BillingPeriodMonths: 1 monthly, 12 yearly, 0 one-time. OverageRate: per minute above IncludedMinutes.
CREATE TABLE [Package] (
  [ID] INTEGER PRIMARY KEY,
  [Name] NVARCHAR(50) NOT NULL UNIQUE,
  [Description] NVARCHAR(200) NOT NULL,
  [BillingPeriodMonths] INT NOT NULL CHECK ([BillingPeriodMonths] IN (0, 1, 12)),
  [Amount] DECIMAL(19,4) NOT NULL,
  [IncludedMinutes] INT NOT NULL DEFAULT 0,
  [OverageRate] DECIMAL(19,4) NOT NULL DEFAULT 0,
  [ProvisioningCode] NVARCHAR(50)
);

-- ProvisioningStatus 'Pending': a change the next bill run pushes to the switches.
CREATE TABLE [UserPackage] (
  [ID] INTEGER PRIMARY KEY,
  [UserID] INTEGER NOT NULL REFERENCES [User]([ID]),
  [PackageID] INTEGER NOT NULL REFERENCES [Package]([ID]),
  [Quantity] INT NOT NULL DEFAULT 1,
  [Status] NVARCHAR(20) NOT NULL CHECK ([Status] IN ('Active', 'Cancelled', 'Completed')),
  [StartDate] DATETIME NOT NULL,
  [NextBillDate] DATETIME,
  [ProvisioningStatus] NVARCHAR(20) NOT NULL DEFAULT 'Provisioned' CHECK ([ProvisioningStatus] IN ('Provisioned', 'Pending'))
);
CREATE INDEX [IX_UserPackage_UserID] ON [UserPackage]([UserID]);

CREATE TABLE [Discount] (
  [ID] INTEGER PRIMARY KEY,
  [Name] NVARCHAR(100) NOT NULL,
  [Percentage] DECIMAL(19,4) NOT NULL
);

-- A discount on one user package, and how often the bill run applied it.
CREATE TABLE [UserServicePackageDiscountTracking] (
  [ID] INTEGER PRIMARY KEY,
  [UserPackageID] INTEGER NOT NULL REFERENCES [UserPackage]([ID]),
  [DiscountID] INTEGER NOT NULL REFERENCES [Discount]([ID]),
  [StartDate] DATETIME NOT NULL,
  [TimesApplied] INT NOT NULL DEFAULT 0,
  [LastAppliedDate] DATETIME
);
CREATE INDEX [IX_USPDT_UserPackageID] ON [UserServicePackageDiscountTracking]([UserPackageID]);

-- Minutes pooled across a parent user's children: the owner holds the group, members draw on it.
CREATE TABLE [BucketPoolGroup] (
  [ID] INTEGER PRIMARY KEY,
  [OwnerUserID] INTEGER NOT NULL UNIQUE REFERENCES [User]([ID]),
  [IncludedMinutes] INT NOT NULL,
  [OverageRate] DECIMAL(19,4) NOT NULL,
  [UsedMinutes] INT NOT NULL DEFAULT 0
);

CREATE TABLE [BucketPoolGroupMember] (
  [ID] INTEGER PRIMARY KEY,
  [BucketPoolGroupID] INTEGER NOT NULL REFERENCES [BucketPoolGroup]([ID]),
  [UserID] INTEGER NOT NULL UNIQUE REFERENCES [User]([ID])
);
CREATE INDEX [IX_BucketPoolGroupMember_BucketPoolGroupID] ON [BucketPoolGroupMember]([BucketPoolGroupID]);

CREATE TABLE [UsageRecord] (
  [ID] INTEGER PRIMARY KEY,
  [UserID] INTEGER NOT NULL REFERENCES [User]([ID]),
  [UsageDate] DATETIME NOT NULL,
  [Minutes] INT NOT NULL,
  [Rated] BIT NOT NULL DEFAULT 0
);
CREATE INDEX [IX_UsageRecord_UserID] ON [UsageRecord]([UserID]);

-- Type 'CreditCard' (a gateway token and the last four digits only) or 'ACH'.
CREATE TABLE [UserPaymentMethod] (
  [ID] INTEGER PRIMARY KEY,
  [UserID] INTEGER NOT NULL REFERENCES [User]([ID]),
  [Type] NVARCHAR(20) NOT NULL CHECK ([Type] IN ('CreditCard', 'ACH')),
  [Processor] NVARCHAR(50) NOT NULL,
  [Token] NVARCHAR(100),
  [Last4] NVARCHAR(4) NOT NULL,
  [ExpiryDate] DATETIME,
  [HolderName] NVARCHAR(200) NOT NULL,
  [IsDefault] BIT NOT NULL DEFAULT 1
);
CREATE INDEX [IX_UserPaymentMethod_UserID] ON [UserPaymentMethod]([UserID]);

CREATE TABLE [Invoice] (
  [ID] INTEGER PRIMARY KEY,
  [UserID] INTEGER NOT NULL REFERENCES [User]([ID]),
  [InvoiceNumber] NVARCHAR(50) NOT NULL UNIQUE,
  [BillDate] DATETIME NOT NULL,
  [SubTotal] DECIMAL(19,4) NOT NULL,
  [DiscountTotal] DECIMAL(19,4) NOT NULL,
  [TaxTotal] DECIMAL(19,4) NOT NULL,
  [Total] DECIMAL(19,4) NOT NULL,
  [CreatedDate] DATETIME NOT NULL,
  [EmailedDate] DATETIME
);
CREATE INDEX [IX_Invoice_UserID] ON [Invoice]([UserID]);

-- ChargeType: 'Recurring', 'OneTime', 'Usage', 'Discount' (negative) or 'Tax'.
CREATE TABLE [InvoiceCharge] (
  [ID] INTEGER PRIMARY KEY,
  [InvoiceID] INTEGER NOT NULL REFERENCES [Invoice]([ID]),
  [UserPackageID] INTEGER REFERENCES [UserPackage]([ID]),
  [ChargeType] NVARCHAR(20) NOT NULL,
  [Amount] DECIMAL(19,4) NOT NULL,
  [Description] NVARCHAR(200) NOT NULL
);
CREATE INDEX [IX_InvoiceCharge_InvoiceID] ON [InvoiceCharge]([InvoiceID]);

-- Type 'Invoice' (positive) or 'Payment' (negative); Reference is the invoice number.
CREATE TABLE [Transaction] (
  [ID] INTEGER PRIMARY KEY,
  [UserID] INTEGER NOT NULL REFERENCES [User]([ID]),
  [Type] NVARCHAR(20) NOT NULL,
  [Amount] DECIMAL(19,4) NOT NULL,
  [Reference] NVARCHAR(50),
  [TransactionDate] DATETIME NOT NULL
);
CREATE INDEX [IX_Transaction_UserID] ON [Transaction]([UserID]);

-- Result: 'Success', 'Warning' or 'Failed'.
CREATE TABLE [eventlog] (
  [ID] INTEGER PRIMARY KEY,
  [Date] DATETIME NOT NULL,
  [Action] NVARCHAR(100) NOT NULL,
  [Module] NVARCHAR(100) NOT NULL,
  [Result] NVARCHAR(50) NOT NULL,
  [UserID] INTEGER REFERENCES [User]([ID]),
  [Message] NVARCHAR(1000)
);
CREATE INDEX [IX_eventlog_Date] ON [eventlog]([Date]);

CREATE TABLE [Role] (
  [ID] INTEGER PRIMARY KEY,
  [Name] NVARCHAR(100) NOT NULL UNIQUE
);

CREATE TABLE [Permission] (
  [ID] INTEGER PRIMARY KEY,
  [Name] NVARCHAR(100) NOT NULL UNIQUE
);

CREATE TABLE [RolePermission] (
  [RoleID] INTEGER NOT NULL REFERENCES [Role]([ID]),
  [PermissionID] INTEGER NOT NULL REFERENCES [Permission]([ID]),
  PRIMARY KEY ([RoleID], [PermissionID])
);

-- Staff logins (the stand-in's guess at EngageIP's names): a login holds any number of roles
-- and may be granted a permission directly, beside its roles.
CREATE TABLE [StaffUser] (
  [ID] INTEGER PRIMARY KEY,
  [LoginName] NVARCHAR(100) NOT NULL UNIQUE,
  [Email] NVARCHAR(200) NOT NULL,
  [IsActive] BIT NOT NULL DEFAULT 1,
  [PasswordHash] NVARCHAR(200) NOT NULL
);

CREATE TABLE [StaffUserRole] (
  [StaffUserID] INTEGER NOT NULL REFERENCES [StaffUser]([ID]),
  [RoleID] INTEGER NOT NULL REFERENCES [Role]([ID]),
  PRIMARY KEY ([StaffUserID], [RoleID])
);

CREATE TABLE [StaffUserPermission] (
  [StaffUserID] INTEGER NOT NULL REFERENCES [StaffUser]([ID]),
  [PermissionID] INTEGER NOT NULL REFERENCES [Permission]([ID]),
  PRIMARY KEY ([StaffUserID], [PermissionID])
);

-- Mail server, gateways, switches, tax and currency.
CREATE TABLE [SystemSetting] (
  [ID] INTEGER PRIMARY KEY,
  [Name] NVARCHAR(100) NOT NULL UNIQUE,
  [Value] NVARCHAR(1000)
);

CREATE TABLE [BillRun] (
  [ID] INTEGER PRIMARY KEY,
  [BillDate] DATETIME NOT NULL,
  [Release] NVARCHAR(50) NOT NULL,
  [Status] NVARCHAR(20) NOT NULL CHECK ([Status] IN ('Running', 'Completed', 'Failed')),
  [StartedDate] DATETIME NOT NULL,
  [FinishedDate] DATETIME,
  [UsersBilled] INT NOT NULL DEFAULT 0
);

-- The configuration each bill run ran with, every item (requested or default), one row each.
CREATE TABLE [BillRunSetting] (
  [BillRunID] INTEGER NOT NULL REFERENCES [BillRun]([ID]),
  [Name] NVARCHAR(100) NOT NULL,
  [Value] NVARCHAR(1000),
  PRIMARY KEY ([BillRunID], [Name])
);

-- The billing service polls this table: a 'Pending' row asks for a bill run with these options;
-- the service moves it to 'Running' and on to 'Completed' or 'Failed', counting as it goes.
CREATE TABLE [BillRunRequest] (
  [ID] INTEGER PRIMARY KEY,
  [BillDate] DATETIME NOT NULL,
  [EmailInvoices] BIT NOT NULL DEFAULT 0,
  [ChargeAutoPay] BIT NOT NULL DEFAULT 0,
  [Provision] BIT NOT NULL DEFAULT 0,
  [Status] NVARCHAR(20) NOT NULL DEFAULT 'Pending' CHECK ([Status] IN ('Pending', 'Running', 'Completed', 'Failed')),
  [Processed] INT NOT NULL DEFAULT 0,
  [Total] INT NOT NULL DEFAULT 0,
  [BillRunID] INTEGER REFERENCES [BillRun]([ID]),
  -- The run's configuration as a JSON object of item name to value; items left out take the default.
  [Configuration] NVARCHAR(4000) NOT NULL DEFAULT '{}',
  [RequestedDate] DATETIME NOT NULL,
  [ErrorMessage] NVARCHAR(1000)
);
