namespace Intelagent.Server.Portal.Admin.Finance;

/// <summary>One line of a <see cref="LineChart"/>; a null value leaves a gap.</summary>
public sealed record LineSeries(string Name, IReadOnlyList<decimal?> Values, string CssClass, bool Dashed = false);

/// <summary>An interval drawn as a shaded area between two lines.</summary>
public sealed record LineBand(string Name, IReadOnlyList<decimal?> Lower, IReadOnlyList<decimal?> Upper, string CssClass);

public enum WaterfallKind
{
    Total,
    Increase,
    Decrease,
}

/// <summary>One bar of the MRR waterfall: a total stands on zero, a movement floats from the running total.</summary>
public sealed record WaterfallStep(string Label, decimal Amount, WaterfallKind Kind, int? Customers = null);
