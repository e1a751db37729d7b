namespace Intelagent.Server.Insights.Analytics;

/// <summary>Configuration section <c>Insights</c>.</summary>
public sealed class InsightOptions
{
    /// <summary>What one support ticket costs to handle; the chatbot's savings are counted in it.</summary>
    public decimal CostPerTicket { get; set; } = 15m;
    public string Currency { get; set; } = "USD";

    /// <summary>
    /// The family-wise false-positive level of each statistical detector. 1% rather than 5%: an
    /// insight is a claim shown to people who act on it, and several detectors run on every
    /// organization (docs/decisions/019 has the measured rates).
    /// </summary>
    public double FamilyAlpha { get; set; } = 0.01;
}
