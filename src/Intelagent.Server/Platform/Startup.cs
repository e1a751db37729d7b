using Intelagent.Server.Identity;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Platform;

/// <summary>What happens before the server listens: migrations, the configured operator, demo data.</summary>
public static class Startup
{
    public const string DemoPassword = "Intelagent-demo-2026";

    public static async Task PrepareAsync(WebApplication app)
    {
        // Fail fast on a missing or short JWT_SECRET rather than on the first sign-in.
        app.Services.GetRequiredService<SigningKeys>();
        await DatabaseSetup.MigrateAsync(app.Services);
        try { await EnsureOperatorAsync(app.Services, app.Configuration, app.Logger); }
        // Nodes starting together race to create the operator: the loser updates the winner's row instead.
        catch (DbUpdateException exception) when (Problems.UniqueViolation.Is(exception)) { await EnsureOperatorAsync(app.Services, app.Configuration, app.Logger); }
        var demo = app.Configuration["INTELAGENT_DEMO"];
        var seedDemo = demo is null ? app.Environment.IsDevelopment() : demo != "0" && !demo.Equals("false", StringComparison.OrdinalIgnoreCase);
        if (seedDemo)
        {
            await DemoData.SeedIfEmptyAsync(app.Services, app.Logger);
            // Months of customer finances (INTELAGENT_DEMO_FINANCE=0 leaves them out), then product events once the server listens.
            if (app.Configuration["INTELAGENT_DEMO_FINANCE"] is not ("0" or "false")) await Insights.Demo.DemoFinance.SeedIfEmptyAsync(app.Services, app.Logger);
            Insights.Events.DemoProductEvents.SeedAfterStart(app);
        }
    }

    /// <summary>INTELAGENT_ADMIN_EMAIL and INTELAGENT_ADMIN_PASSWORD create or update a platform operator.</summary>
    private static async Task EnsureOperatorAsync(IServiceProvider services, IConfiguration configuration, ILogger logger)
    {
        var email = configuration["INTELAGENT_ADMIN_EMAIL"];
        var password = configuration["INTELAGENT_ADMIN_PASSWORD"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password)) return;
        if (password.Length < 10) throw new InvalidOperationException("INTELAGENT_ADMIN_PASSWORD must be at least 10 characters.");
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var hasher = scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>();
        var now = db.Clock.GetUtcNow();
        var normalized = User.Normalize(email);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized);
        if (user is null)
        {
            user = new User { Id = Id.New(IdPrefix.User, db.Clock), Email = email.Trim(), NormalizedEmail = normalized, Name = "Platform operator", CreatedAt = now, EmailVerifiedAt = now };
            db.Users.Add(user);
        }
        user.IsPlatformOperator = true;
        user.PasswordHash = hasher.HashPassword(user, password);
        user.PasswordChangedAt = now;
        user.LockoutEndsAt = null;
        db.Request.UserId = user.Id;
        db.Audit("operator.configured", "user", user.Id);
        await db.SaveChangesAsync();
        logger.LogInformation("Platform operator {Email} is configured", email);
    }
}

/// <summary>Demo organizations across the four tiers, with teams, users and projects.</summary>
public static class DemoData
{
    private sealed record DemoOrganization(string Name, SubscriptionTier Tier, string Domain, string TimeZone, string[] Teams, string[] Projects);

    private static readonly DemoOrganization[] Organizations =
    [
        new("Acme Support Co", SubscriptionTier.Enterprise, "acme.test", "America/New_York", ["Support", "Platform", "Success"], ["Help-desk chatbot", "Knowledge base", "Escalation routing", "Voice of customer"]),
        new("Globex Marketing", SubscriptionTier.Pro, "globex.test", "Europe/London", ["Campaigns", "Content"], ["Spring newsletter", "Product launch drip", "Re-engagement"]),
        new("Initech Leads", SubscriptionTier.Basic, "initech.test", "America/Chicago", ["Sales"], ["Lead enrichment pilot", "Outbound Q3"]),
        new("Hooli Startup", SubscriptionTier.Free, "hooli.test", "America/Los_Angeles", ["Founders"], ["MVP chatbot"]),
    ];

    private static readonly (string Local, string Name, Role Role)[] People =
    [
        ("owner", "Olivia Owner", Role.Owner), ("admin", "Adam Admin", Role.Admin), ("manager", "Maya Manager", Role.Manager),
        ("member", "Mike Member", Role.Member), ("viewer", "Vera Viewer", Role.Viewer),
    ];

    public static async Task SeedIfEmptyAsync(IServiceProvider services, ILogger logger)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        if (await db.Organizations.IgnoreQueryFilters().AnyAsync())
        {
            PrintSignIns(logger);
            return;
        }
        var hasher = scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>();
        var now = db.Clock.GetUtcNow();
        var operatorUser = NewUser(db, "operator@intelagent.test", "Platform Operator", now);
        operatorUser.IsPlatformOperator = true;
        operatorUser.PasswordHash = hasher.HashPassword(operatorUser, Startup.DemoPassword);
        var passwordHash = operatorUser.PasswordHash; // one hash for all demo users: seeding stays fast
        foreach (var spec in Organizations)
        {
            var organization = new Organization { Id = Id.New(IdPrefix.Organization, db.Clock), Name = spec.Name, SubscriptionTier = spec.Tier, TimeZone = spec.TimeZone, CreatedAt = now, UpdatedAt = now };
            db.Organizations.Add(organization);
            var members = new List<(User User, Role Role)>();
            foreach (var (local, name, role) in spec.Tier == SubscriptionTier.Free ? People[..3] : People)
            {
                var user = NewUser(db, $"{local}@{spec.Domain}", name, now);
                user.PasswordHash = passwordHash;
                members.Add((user, role));
                db.Memberships.Add(new Membership { Id = Id.New(IdPrefix.Membership, db.Clock), OrganizationId = organization.Id, UserId = user.Id, Role = role, CreatedAt = now });
            }
            var teams = spec.Teams.Select(teamName => new Team { Id = Id.New(IdPrefix.Team, db.Clock), OrganizationId = organization.Id, Name = teamName, NormalizedName = teamName.ToUpperInvariant(), CreatedAt = now, UpdatedAt = now }).ToList();
            db.Teams.AddRange(teams);
            var lead = members.First(m => m.Role == Role.Manager).User;
            db.TeamMembers.Add(new TeamMember { Id = Id.New(IdPrefix.TeamMember, db.Clock), OrganizationId = organization.Id, TeamId = teams[0].Id, UserId = lead.Id, Role = TeamRole.Lead, CreatedAt = now });
            foreach (var (user, role) in members.Where(m => m.Role is Role.Member or Role.Viewer))
                db.TeamMembers.Add(new TeamMember { Id = Id.New(IdPrefix.TeamMember, db.Clock), OrganizationId = organization.Id, TeamId = teams[0].Id, UserId = user.Id, Role = TeamRole.Member, CreatedAt = now });
            for (var i = 0; i < spec.Projects.Length; i++)
                db.Projects.Add(new Project { Id = Id.New(IdPrefix.Project, db.Clock), OrganizationId = organization.Id, TeamId = teams[i % teams.Count].Id, Name = spec.Projects[i], NormalizedName = spec.Projects[i].ToUpperInvariant(), Status = ProjectStatus.Active, CreatedAt = now, UpdatedAt = now });
        }
        db.Request.UserId = operatorUser.Id;
        db.Audit("demo.seeded");
        await db.SaveChangesAsync();
        logger.LogInformation("Seeded demo data: {Count} organizations", Organizations.Length);
        PrintSignIns(logger);
    }

    private static User NewUser(AppDb db, string email, string name, DateTimeOffset now)
    {
        var user = new User { Id = Id.New(IdPrefix.User, db.Clock), Email = email, NormalizedEmail = User.Normalize(email), Name = name, CreatedAt = now, PasswordChangedAt = now, EmailVerifiedAt = now };
        db.Users.Add(user);
        return user;
    }

    private static void PrintSignIns(ILogger logger) => logger.LogInformation(
        "Demo sign-ins (password {Password}): operator@intelagent.test (platform operator); owner@acme.test, admin@acme.test, manager@acme.test, member@acme.test, viewer@acme.test (enterprise); " +
        "the same names at globex.test (pro), initech.test (basic), and owner/admin/manager at hooli.test (free)", Startup.DemoPassword);
}
