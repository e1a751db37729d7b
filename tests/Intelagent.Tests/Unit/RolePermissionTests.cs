using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;

namespace Intelagent.Tests.Unit;

public sealed class RolePermissionTests
{
    [Fact]
    public void Catalogue_ShouldHaveAtLeastThirtyTenantPermissions_AndNoDuplicates()
    {
        Assert.True(Permissions.Tenant.Count >= 30, $"only {Permissions.Tenant.Count}");
        Assert.Equal(Permissions.All.Count, Permissions.All.Distinct().Count());
    }

    [Fact]
    public void Roles_ShouldNest_EachHigherRoleHoldingEverythingBelowIt()
    {
        var ordered = Enum.GetValues<Role>().OrderBy(r => r).ToArray();
        for (var i = 1; i < ordered.Length; i++)
        {
            Assert.Superset(new HashSet<string>(RolePermissions.For(ordered[i - 1])), new HashSet<string>(RolePermissions.For(ordered[i])));
            Assert.True(RolePermissions.For(ordered[i]).Count > RolePermissions.For(ordered[i - 1]).Count);
        }
        Assert.Equal(Permissions.Tenant.ToHashSet(), RolePermissions.For(Role.Owner).ToHashSet());
    }

    [Theory]
    [InlineData(Role.Viewer, Permissions.TeamsCreate, false)]
    [InlineData(Role.Viewer, Permissions.ProjectsRead, true)]
    [InlineData(Role.Member, Permissions.DocumentsEdit, true)]
    [InlineData(Role.Member, Permissions.MembersInvite, false)]
    [InlineData(Role.Manager, Permissions.MembersRemove, false)]
    [InlineData(Role.Manager, Permissions.TeamsManage, true)]
    [InlineData(Role.Admin, Permissions.OrganizationDelete, false)]
    [InlineData(Role.Admin, Permissions.AuditRead, true)]
    [InlineData(Role.Owner, Permissions.OrganizationTransfer, true)]
    public void Grants_ShouldMatchTheRolesAsDocumented(Role role, string permission, bool granted) =>
        Assert.Equal(granted, RolePermissions.Grants(role, permission));

    [Fact]
    public void ViewerPermissions_ShouldOnlyRead()
    {
        Assert.All(RolePermissions.For(Role.Viewer), p => Assert.EndsWith(".read", p));
    }

    [Fact]
    public void NoRole_ShouldHoldAPlatformPermission()
    {
        foreach (var role in Enum.GetValues<Role>())
            Assert.DoesNotContain(RolePermissions.For(role), Permissions.IsPlatform);
    }
}

public sealed class DatabaseSettingsTests
{
    [Theory]
    [InlineData("postgresql://app:s%40cret@db.example:6543/intelagent?sslmode=require", "Host=db.example;Port=6543;Database=intelagent;Username=app;Password=s@cret;SSL Mode=Require")]
    [InlineData("postgres://app@localhost/intelagent", "Host=localhost;Port=5432;Database=intelagent;Username=app")]
    public void Parse_PostgresUrls_ShouldBuildNpgsqlConnectionStrings(string url, string expected)
    {
        var settings = DatabaseSettings.Parse(url, "/tmp");
        Assert.Equal(DatabaseProvider.Postgres, settings.Provider);
        Assert.Equal(expected, settings.ConnectionString);
    }

    [Fact]
    public void Parse_NothingOrSqlite_ShouldSelectTheEmbeddedFile()
    {
        Assert.Equal("Data Source=/data/intelagent.db", DatabaseSettings.Parse(null, "/data").ConnectionString);
        Assert.Equal("Data Source=/tmp/x.db", DatabaseSettings.Parse("sqlite:/tmp/x.db", "/data").ConnectionString);
        Assert.Throws<InvalidOperationException>(() => DatabaseSettings.Parse("mysql://x", "/data"));
    }
}
