using System.CommandLine;
using System.Net.Mail;
using System.Text;
using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Platform.Cli;

/// <summary>
/// <c>create-admin</c>: makes a platform operator (a user with the operator flag, as
/// INTELAGENT_ADMIN_EMAIL does at start). A new account needs a password: <c>--password</c>, else
/// INTELAGENT_ADMIN_PASSWORD, else one typed at the prompt (or one line on standard input). An
/// existing account is promoted, and its password changed only when one is given.
/// </summary>
public sealed class CreateAdminCommand(string email, string name, string? password) : ICliCommand
{
    public const string PasswordVariable = "INTELAGENT_ADMIN_PASSWORD";

    public static Command Define(Action<ICliCommand> choose)
    {
        var email = new Option<string>("--email") { Description = "The operator's email (the sign-in name)", Required = true };
        email.Validators.Add(result =>
        {
            if (!MailAddress.TryCreate(result.GetValueOrDefault<string>()?.Trim(), out _)) result.AddError("--email is not an email address.");
        });
        var name = new Option<string>("--name") { Description = "The operator's display name", DefaultValueFactory = _ => "Platform operator" };
        name.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>())) result.AddError("--name is empty.");
        });
        var password = new Option<string?>("--password")
        {
            Description = $"The password (visible in the process list: prefer {PasswordVariable} or the prompt)",
        };
        var command = new Command("create-admin", "Create a platform operator account, or make an existing account one") { email, name, password };
        command.SetAction(result => choose(new CreateAdminCommand(result.GetValue(email)!.Trim(), result.GetValue(name)!.Trim(), result.GetValue(password))));
        return command;
    }

    public async Task RunAsync(IServiceProvider services, CliConsole console, CancellationToken cancellationToken)
    {
        await DatabaseSetup.MigrateAsync(services, cancellationToken);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var normalized = User.Normalize(email);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        var newPassword = password ?? (Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
        if (user is null && newPassword is null) newPassword = Prompt(console);
        var now = db.Clock.GetUtcNow();
        var created = user is null;
        if (user is null)
        {
            user = new User { Id = Id.New(IdPrefix.User, db.Clock), Email = email, NormalizedEmail = normalized, Name = name, CreatedAt = now, EmailVerifiedAt = now };
            db.Users.Add(user);
        }
        if (newPassword is not null)
        {
            var problems = await scope.ServiceProvider.GetRequiredService<IPasswordRules>().ProblemsAsync(user.Id, newPassword, cancellationToken);
            if (problems.Count > 0) throw new CliException("the password " + string.Join(" It ", problems), CliExitCodes.BadArguments);
            user.PasswordHash = scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>().HashPassword(user, newPassword);
            user.PasswordChangedAt = now;
            user.LockoutEndsAt = null;
            user.FailedSignInCount = 0;
        }
        user.IsPlatformOperator = true;
        db.Request.UserId = user.Id;
        db.Audit(created ? "operator.created" : "operator.granted", "user", user.Id, new { source = "cli" });
        await db.SaveChangesAsync(cancellationToken);
        console.Output.WriteLine(user.Id);
        console.Progress(created ? $"Created platform operator {email} ({user.Id})." : $"{email} ({user.Id}) is a platform operator{(newPassword is null ? "" : "; password changed")}.");
    }

    /// <summary>Without echo at a terminal; otherwise the first line of standard input (for scripts).</summary>
    private static string Prompt(CliConsole console)
    {
        if (Console.IsInputRedirected)
            return Console.In.ReadLine() is { Length: > 0 } line ? line : throw new CliException($"no password: pass --password, set {PasswordVariable}, or type one", CliExitCodes.BadArguments);
        console.Progress("Password for the new operator: ");
        var typed = new StringBuilder();
        for (var i = 0; i < 1024; i++)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace && typed.Length > 0) typed.Length--;
            else if (!char.IsControl(key.KeyChar)) typed.Append(key.KeyChar);
        }
        console.Progress("");
        return typed.Length > 0 ? typed.ToString() : throw new CliException("no password typed", CliExitCodes.BadArguments);
    }
}
