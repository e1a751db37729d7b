using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Stripe;

namespace Intelagent.Server.Billing.Payments;

/// <summary>Payments, refunds and credit notes, Stripe webhooks, dunning (docs/decisions/013-payments.md).</summary>
public static class PaymentsModule
{
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration)
    {
        // The sandbox is the embedded default; STRIPE_SECRET_KEY switches every payment to Stripe.
        if (configuration["STRIPE_SECRET_KEY"] is { Length: > 0 } secretKey)
        {
            services.AddSingleton<IStripeClient>(new StripeClient(secretKey));
            services.AddSingleton<IPaymentProvider, StripePaymentProvider>();
        }
        else
        {
            services.AddSingleton<SandboxPaymentProvider>();
            services.AddSingleton<IPaymentProvider>(sp => sp.GetRequiredService<SandboxPaymentProvider>());
        }
        services.AddSingleton(DunningSchedule.From(configuration));
        services.AddScoped<Dunning>();
        services.AddScoped<PaymentOutcomes>();
        services.AddScoped<PaymentService>();
        services.AddScoped<PaymentMethodService>();
        services.AddScoped<RefundService>();
        services.AddScoped<StripeWebhooks>();
        services.AddScoped<DunningRunner>();
        services.AddScoped<DunningJob>();
        services.AddScoped<PaymentSweeper>();
        services.AddScoped<PaymentSweepJob>();
        services.AddScoped<PaymentNotifications>();
        services.AddScoped<IDomainEventHandler<PaymentFailed>>(sp => sp.GetRequiredService<PaymentNotifications>());
        services.AddScoped<IDomainEventHandler<PaymentSucceeded>>(sp => sp.GetRequiredService<PaymentNotifications>());
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.Payment, (db, id, ct) =>
            db.Set<Payment>().IgnoreQueryFilters().Where(p => p.Id == id).Select(p => p.OrganizationId).FirstOrDefaultAsync(ct)));
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.PaymentMethod, (db, id, ct) =>
            db.Set<PaymentMethod>().IgnoreQueryFilters().Where(m => m.Id == id).Select(m => m.OrganizationId).FirstOrDefaultAsync(ct)));
        return services;
    }

    public static IEndpointRouteBuilder MapPayments(this IEndpointRouteBuilder app) => app.MapPaymentsEndpoints();
}
