using Microsoft.Playwright;

namespace Intelagent.BrowserTests;

/// <summary>One server process and one headless Debian chromium for the whole browser suite.</summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string DemoPassword = "Intelagent-demo-2026";

    private IPlaywright? _playwright;
    private ServerProcess? _server;

    public IBrowser Browser { get; private set; } = default!;

    /// <summary>The server's DNS for SSO domain verification: a test publishes the TXT records it needs here.</summary>
    public TestDnsServer Dns { get; } = new();

    public string BaseUrl => _server!.BaseUrl;
    public string ServerOutput => _server?.RecentOutput ?? "";

    /// <summary>Where screenshots go: the test output folder, and artifacts/screenshots for people to look at.</summary>
    public static IReadOnlyList<string> ScreenshotFolders { get; } =
    [
        Path.Combine(AppContext.BaseDirectory, "screenshots"),
        Path.Combine(ServerProcess.RepositoryRoot(), "artifacts", "screenshots"),
    ];

    public async Task InitializeAsync()
    {
        var serverStarting = ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Sso__DnsServers"] = $"127.0.0.1:{Dns.Port}",
            // The tests' OpenID provider listens on plain http://127.0.0.1.
            ["Sso__AllowHttpLoopback"] = "true",
        });
        _playwright = await Playwright.CreateAsync();
        // Debian's chromium, never a downloaded one (`playwright install` does not work here).
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
        _server = await serverStarting;
        // The first circuit of a cold server (JIT, MudBlazor's first render) can take longer than a
        // test's 15 s step on a busy machine: warm it up once here, with a longer wait.
        var warmUp = await NewPageAsync();
        await warmUp.GotoAsync("/sign-in", new() { Timeout = 90_000 });
        await warmUp.GetByLabel("Email").WaitForAsync(new() { Timeout = 90_000 });
        await warmUp.Context.CloseAsync();
    }

    /// <summary>A fresh browser context (its own cookies) with a laptop-sized window.</summary>
    public async Task<IPage> NewPageAsync(int width = 1366, int height = 860)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        await Dns.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "portal";
}
