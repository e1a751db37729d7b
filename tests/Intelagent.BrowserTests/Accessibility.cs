using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace Intelagent.BrowserTests;

/// <summary>
/// Runs axe-core (the npm package, installed in tests/axe with <c>npm ci</c> when missing) in a page
/// and fails on serious or critical violations, listing each rule with the elements it found.
/// </summary>
public static class Accessibility
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static string? _source;

    public static async Task AssertNoSeriousViolationsAsync(IPage page, string pageName)
    {
        // Evaluated through the DevTools protocol, so the page's CSP (scripts from self only) does not refuse it.
        await page.EvaluateAsync(await SourceAsync());
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' ' + n.html.slice(0, 160)).join(' | ')}`);
            }
            """);
        var found = violations.EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.True(found.Count == 0, $"axe-core on {pageName}:\n" + string.Join("\n", found));
    }

    private static async Task<string> SourceAsync()
    {
        if (_source is not null) return _source;
        await InstallGate.WaitAsync();
        try
        {
            if (_source is not null) return _source;
            var folder = Path.Combine(ServerProcess.RepositoryRoot(), "tests", "axe");
            var script = Path.Combine(folder, "node_modules", "axe-core", "axe.min.js");
            if (!File.Exists(script)) await InstallAsync(folder);
            return _source = await File.ReadAllTextAsync(script);
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task InstallAsync(string folder)
    {
        var start = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, "npm ci in tests/axe failed:\n" + await output + await error);
    }
}
