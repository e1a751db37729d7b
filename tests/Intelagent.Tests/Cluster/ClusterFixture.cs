using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Intelagent.Tests.Infrastructure;
using Npgsql;

namespace Intelagent.Tests.Cluster;

/// <summary>
/// A whole cluster on loopback: a private PostgreSQL and Redis, two server processes from the build
/// output sharing them (and JWT_SECRET, AUDIT_CHAIN_KEY), and nginx in front with the deployed
/// configuration. Tests may kill a node or stop a dependency; <see cref="HealAsync"/> brings
/// everything back before the next test. Disposal kills all of it, failures included.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string OperatorEmail = "operator@cluster.test";
    public const string OperatorPassword = "cluster-operator-2026";

    public PrivatePostgres Postgres { get; } = new();
    public PrivateRedis Redis { get; } = new();
    public NodeProcess A { get; private set; } = null!;
    public NodeProcess B { get; private set; } = null!;
    public NginxProxy Proxy { get; private set; } = null!;

    public IReadOnlyList<NodeProcess> Nodes => [A, B];

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root") throw new InvalidOperationException("The cluster tests start PostgreSQL as the postgres user (runuser): run them as root, as ./test.sh does in CI.");
        try
        {
            await Task.WhenAll(Postgres.StartAsync(), Redis.StartAsync());
            var environment = NodeEnvironment();
            A = new NodeProcess("A", environment);
            B = new NodeProcess("B", environment);
            // Both at once, as a deployment would: migrations and the operator account must tolerate the race.
            A.Start();
            B.Start();
            await Task.WhenAll(A.WaitReadyAsync(), B.WaitReadyAsync());
            Proxy = new NginxProxy([A, B]);
            await Proxy.StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private Dictionary<string, string> NodeEnvironment() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DATABASE_URL"] = Postgres.Url,
        ["REDIS_URL"] = Redis.Url,
        ["JWT_SECRET"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
        ["AUDIT_CHAIN_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
        ["INTELAGENT_DEMO"] = "0",
        ["INTELAGENT_ADMIN_EMAIL"] = OperatorEmail,
        ["INTELAGENT_ADMIN_PASSWORD"] = OperatorPassword,
        ["TRUSTED_PROXIES"] = "127.0.0.1/32",
        // Every test signs up and in from 127.0.0.1.
        ["RateLimits__SignInPerMinute"] = "10000",
        ["RateLimits__SignUpPerHour"] = "10000",
        ["RateLimits__OrganizationsPerHour"] = "10000",
        ["Usage__FlushSeconds"] = "1",
        ["Security__Hsts"] = "false",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging__Console__FormatterName"] = "simple",
    };

    /// <summary>Restarts whatever a previous test stopped, and waits until both nodes are ready again.</summary>
    public async Task HealAsync()
    {
        if (!Redis.Running) await Redis.StartAsync();
        foreach (var node in Nodes.Where(n => !n.Running)) node.Start();
        await Task.WhenAll(Nodes.Select(n => n.WaitReadyAsync()));
    }

    public async Task DisposeAsync()
    {
        if (Proxy is not null) await Proxy.DisposeAsync();
        if (A is not null) await A.DisposeAsync();
        if (B is not null) await B.DisposeAsync();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    public static HttpClient Client(Uri baseUrl, string? token = null, string? organizationId = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(20),
        };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (organizationId is not null) client.DefaultRequestHeaders.Add("X-Organization-Id", organizationId);
        return client;
    }

    /// <summary>Registers a new owner with an organization of their own on the given node (or the proxy).</summary>
    public static async Task<(Account Account, string? Cookie)> RegisterAsync(Uri baseUrl)
    {
        using var client = Client(baseUrl);
        var email = Api.UniqueEmail("cluster");
        var response = await client.PostAsJsonAsync("/api/auth/register", new { email, password = Api.Password, name = "Cluster User", organizationName = "Cluster Co" });
        await Api.ExpectAsync(response, HttpStatusCode.Created);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var user = body.GetProperty("user");
        var cookie = response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.FirstOrDefault(c => c.StartsWith("auth-token=", StringComparison.Ordinal))?.Split(';')[0] : null;
        return (new Account(body.GetProperty("token").GetString()!, user.GetProperty("id").GetString()!, user.GetProperty("organizationId").GetString()!, email, Api.Password), cookie);
    }

    /// <summary>Sets an organization's custom limits as the platform operator (through node A).</summary>
    public async Task SetLimitsAsync(string organizationId, object limits)
    {
        using var anonymous = Client(A.BaseUrl);
        var login = await anonymous.PostAsJsonAsync("/api/auth/login", new { email = OperatorEmail, password = OperatorPassword });
        await Api.ExpectAsync(login, HttpStatusCode.OK);
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        using var operatorClient = Client(A.BaseUrl, token);
        await Api.ExpectAsync(await operatorClient.PutAsJsonAsync($"/api/admin/organizations/{organizationId}/limits", limits), HttpStatusCode.OK);
    }

    /// <summary>An organization whose limits stay out of the way of a test that is not about them.</summary>
    public async Task<Account> UnlimitedOrganizationAsync(Uri baseUrl)
    {
        var (account, _) = await RegisterAsync(baseUrl);
        await SetLimitsAsync(account.OrganizationId, new { apiCallsPerDay = -1, ratePerMinute = 1_000_000, burst = 1_000_000, projects = -1 });
        return account;
    }

    public async Task<T> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync();
        return read(reader);
    }
}

// Not in parallel with other collections either: the fault tests time answers, and two servers starting on two shared cores want them.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster of processes";
}
