using Intelagent.Server.Billing.Invoicing;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Intelagent.Server.Billing.Subscriptions;

/// <summary>Catalogue, subscriptions, invoices and the billing run (docs/decisions/012).</summary>
public static class BillingSubscriptionsModule
{
    public static IServiceCollection AddBillingSubscriptions(this IServiceCollection services)
    {
        // The finance-metrics module registers the operator's FX table; until then the reporting currency alone converts.
        services.TryAddSingleton<IExchangeRates, ReportingCurrencyOnly>();
        services.AddScoped<PlanService>();
        services.AddScoped<SubscriptionService>();
        services.AddScoped<SubscriptionChangeService>();
        services.AddScoped<OrganizationBillingState>();
        services.AddScoped<IDomainEventHandler<SubscriptionChanged>>(sp => sp.GetRequiredService<OrganizationBillingState>());
        services.AddScoped<InvoiceIssuer>();
        services.AddScoped<InvoiceService>();
        services.AddScoped<BillingRunService>();
        services.AddScoped<BillingRunJob>();
        services.AddScoped<Security.DataRequests.IPersonalDataHandler, Invoicing.BillingPersonalData>();
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.Subscription, (db, id, ct) =>
            db.Set<Subscription>().IgnoreQueryFilters().Where(s => s.Id == id).Select(s => s.OrganizationId).FirstOrDefaultAsync(ct)));
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.Invoice, (db, id, ct) =>
            db.Set<Invoice>().IgnoreQueryFilters().Where(i => i.Id == id).Select(i => i.OrganizationId).FirstOrDefaultAsync(ct)));
        return services;
    }

    public static IEndpointRouteBuilder MapBillingSubscriptions(this IEndpointRouteBuilder app) => app
        .MapSubscriptionEndpoints()
        .MapInvoiceEndpoints();
}
