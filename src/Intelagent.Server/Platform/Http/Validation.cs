using System.Net.Mail;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Platform.Http;

/// <summary>
/// Field checks for a request, collected so the client sees every bad field at once in one
/// 400 problem (<c>errors</c>: field name to messages). Field names are the JSON (camelCase) names.
/// </summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool Failed => _errors.Count > 0;

    public Validation Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public Validation Required(string field, string? value) =>
        string.IsNullOrWhiteSpace(value) ? Add(field, "is required.") : this;

    public Validation Length(string field, string? value, int max, int min = 0)
    {
        if (value is null) return this;
        if (value.Length > max) Add(field, $"must be at most {max} characters.");
        else if (value.Trim().Length < min) Add(field, $"must be at least {min} characters.");
        return this;
    }

    public Validation RequiredText(string field, string? value, int max, int min = 1) =>
        string.IsNullOrWhiteSpace(value) ? Add(field, "is required.") : Length(field, value, max, min);

    /// <summary>A field a PATCH may leave out (null), but not blank out.</summary>
    public Validation OptionalText(string field, string? value, int max) =>
        value is not null && string.IsNullOrWhiteSpace(value) ? Add(field, "must not be empty.") : Length(field, value, max, 1);

    public Validation Email(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Add(field, "is required.");
        if (value.Length > 254 || !MailAddress.TryCreate(value.Trim(), out var address) || address.Address != value.Trim() || !address.Host.Contains('.'))
            Add(field, "must be a valid email address.");
        return this;
    }

    public Validation Password(string field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return Add(field, "is required.");
        if (value.Length < 10) Add(field, "must be at least 10 characters.");
        if (value.Length > 128) Add(field, "must be at most 128 characters.");
        return this;
    }

    /// <summary>
    /// The largest amount the API takes: 15 integer digits, what numeric(19,4) (the model's default
    /// for decimals) holds. PostgreSQL refuses more (SQLSTATE 22003, a 500) where SQLite stores it.
    /// </summary>
    public const decimal MaxAmount = 999_999_999_999_999m;

    public Validation Amount(string field, decimal? value) =>
        value is { } amount && Math.Abs(amount) > MaxAmount ? Add(field, $"must be at most {MaxAmount:N0} in magnitude.") : this;

    public Validation When(bool condition, string field, string message) => condition ? Add(field, message) : this;

    public Error ToError() => new(400, "validation_failed", "One or more fields are invalid.",
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}
