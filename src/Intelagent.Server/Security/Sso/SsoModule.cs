using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Intelagent.Server.Security.Sso;

/// <summary>Single sign-on per organization: OpenID Connect (ASP.NET Core's handler) and SAML 2.0 (SignedXml).</summary>
public static class SsoModule
{
    public static IServiceCollection AddSso(this IServiceCollection services, IConfiguration configuration)
    {
        // Read at start, so a wrong Sso:DnsServers stops the server rather than a verification later.
        var nameServers = DnsTxtLookup.NameServers(configuration[DnsTxtLookup.NameServersSetting]);
        services.AddSingleton<SsoSecrets>();
        services.AddSingleton<SsoUrls>();
        services.AddSingleton<OidcSchemes>();
        services.TryAddSingleton<IDnsTxtLookup>(sp => new DnsTxtLookup(nameServers, sp.GetRequiredService<ILogger<DnsTxtLookup>>()));
        services.AddScoped<SsoConnectionService>();
        services.AddScoped<SsoSignIn>();
        services.AddScoped<SamlSignIn>();
        services.AddSingleton(sp => SamlSigningCertificate.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.AddScoped<IPasswordSignInGate, SsoOnlyGate>();
        services.AddSingleton<IConfigureOptions<OpenIdConnectOptions>, ConfigureOidcSchemeOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenIdConnectOptions>, OpenIdConnectPostConfigureOptions>());
        return services;
    }

    public static IEndpointRouteBuilder MapSso(this IEndpointRouteBuilder app) => app.MapSsoEndpoints();
}

/// <summary>Where an email domain signs in: the enabled connection of the organization that verified it.</summary>
public static class SsoDirectory
{
    public static IQueryable<SsoConnection> EnabledConnectionsFor(AppDb db, string domain) =>
        from d in db.Set<SsoDomain>().IgnoreQueryFilters()
        join c in db.Set<SsoConnection>().IgnoreQueryFilters() on d.OrganizationId equals c.OrganizationId
        where d.Domain == domain && d.VerifiedAt != null && c.Enabled
        select c;
}

/// <summary>Refuses password sign-in for the verified domains of an organization that made SSO the only way in (operators excepted).</summary>
internal sealed class SsoOnlyGate(AppDb db) : IPasswordSignInGate
{
    public async Task<Error?> RefuseAsync(string email, CancellationToken cancellationToken)
    {
        var domain = DomainProof.DomainOf(email);
        if (domain is null) return null;
        if (!await SsoDirectory.EnabledConnectionsFor(db, domain).AnyAsync(c => c.SsoOnly, cancellationToken)) return null;
        var normalized = User.Normalize(email);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized && u.IsPlatformOperator, cancellationToken)) return null;
        return Error.Forbidden("sso_required", $"Your organization signs in through single sign-on: GET /api/auth/sso/start?email={Uri.EscapeDataString(email)}.");
    }
}
