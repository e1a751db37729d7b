using Intelagent.Server.Insights.Analytics;
using Intelagent.Server.Insights.Events;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Insights.Store;
using Intelagent.Server.Insights.Suggestions;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Security.DataRequests;

namespace Intelagent.Server.Insights;

/// <summary>Product events, the insights store and runner, the product-analytics detectors and suggestions (docs/decisions/019).</summary>
public static class InsightsModule
{
    public static IServiceCollection AddInsights(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ProductEventWriter>();
        services.AddScoped<ProductEventIngestion>();
        services.AddScoped<IPersonalDataHandler, ProductEventsPersonalData>();
        services.AddScoped<InsightRunner>();
        services.AddScoped<InsightQueries>();
        services.AddScoped<InsightJob>();
        services.AddScoped<IDomainEventHandler<InsightFound>, InsightPublisher>();
        services.Configure<InsightOptions>(configuration.GetSection("Insights"));
        services.AddScoped<ProductEventData>();
        services.AddScoped<IInsightDetector, ChatbotTicketsPreventedDetector>();
        services.AddScoped<IInsightDetector, EmailSendTimeDetector>();
        services.AddScoped<IInsightDetector, LeadEnrichmentDetector>();
        services.AddScoped<IInsightDetector, UsageAnomalyDetector>();
        services.AddScoped<IInsightDetector, IdleSeatsDetector>();
        services.AddScoped<SuggestionService>();
        return services;
    }

    public static IEndpointRouteBuilder MapInsights(this IEndpointRouteBuilder app)
    {
        app.MapProductEventEndpoints();
        app.MapInsightEndpoints();
        app.MapSuggestionEndpoints();
        return app;
    }
}
