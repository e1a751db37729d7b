using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Microsoft.AspNetCore.Mvc;

namespace Intelagent.Server.Billing.Payments;

public static class PaymentsEndpoints
{
    public static IEndpointRouteBuilder MapPaymentsEndpoints(this IEndpointRouteBuilder app)
    {
        var financial = app.MapGroup("/api/financial").WithTags("Payments");
        // The spec names both routes; they are one operation.
        financial.MapPost("/process-payment", PayAsync).RequirePermission(Permissions.PaymentsProcess).WithName("ProcessPayment")
            .WithSummary("Pay an open invoice of your organization; Idempotency-Key required").Produces<PaymentResponse>(201).WithProblems(400, 403, 404, 409, 422);
        financial.MapPost("/payments", PayAsync).RequirePermission(Permissions.PaymentsProcess).WithName("CreatePayment")
            .WithSummary("Same as /process-payment").Produces<PaymentResponse>(201).WithProblems(400, 403, 404, 409, 422);
        financial.MapGet("/payments", ListAsync).RequirePermission(Permissions.InvoicesRead).WithName("ListPayments")
            .WithSummary("Your organization's payments, newest first; ?invoiceId=").Produces<Page<PaymentResponse>>().WithProblems(400, 403, 404);
        financial.MapGet("/payments/{id}", GetAsync).RequirePermission(Permissions.InvoicesRead).WithName("GetPayment").Produces<PaymentResponse>().WithProblems(403, 404);
        financial.MapPost("/payments/{id}/confirm", ConfirmAsync).RequirePermission(Permissions.PaymentsProcess).WithName("ConfirmPayment")
            .WithSummary("After the customer's authentication step (requires_action)").Produces<PaymentResponse>().WithProblems(403, 404, 409);
        financial.MapGet("/credit-notes", CreditNotesAsync).RequirePermission(Permissions.InvoicesRead).WithName("ListCreditNotes").Produces<IReadOnlyList<CreditNoteResponse>>().WithProblems(403, 404);

        financial.MapGet("/payment-methods", ListMethodsAsync).RequirePermission(Permissions.BillingRead).WithName("ListPaymentMethods").Produces<IReadOnlyList<PaymentMethodResponse>>().WithProblems(403, 404);
        financial.MapPost("/payment-methods", AddMethodAsync).RequirePermission(Permissions.BillingManage).WithName("AddPaymentMethod")
            .WithSummary("A card number (sandbox only; tokenized at once, never stored) or a provider token").Produces<PaymentMethodResponse>(201).WithProblems(400, 403, 404, 409, 422);
        financial.MapDelete("/payment-methods/{id}", RemoveMethodAsync).RequirePermission(Permissions.BillingManage).WithName("RemovePaymentMethod").Produces(204).WithProblems(403, 404);

        financial.MapPost("/webhooks/stripe", StripeWebhookAsync).AllowAnonymous().WithName("StripeWebhook")
            .WithSummary("Signed by Stripe (Stripe-Signature)").Produces(200).WithProblems(400);

        // Refunds move the platform's money: operators only (docs/decisions/013-payments.md).
        var admin = app.MapGroup("/api/admin/payments").WithTags("Payments");
        admin.MapGet("/", ListAcrossTenantsAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("ListPaymentsAcrossTenants").Produces<Page<PaymentResponse>>().WithProblems(400, 403);
        admin.MapPost("/{id}/refunds", RefundAsync).RequirePermission(Permissions.PlatformOrganizationsManage).WithName("RefundPayment")
            .WithSummary("Full (no amount) or partial; issues a credit note").Produces<RefundResponse>(201).WithProblems(400, 403, 404, 409, 422);
        return app;
    }

    private static async Task<IResult> PayAsync(CreatePaymentRequest request, [FromHeader(Name = IdempotencyMiddleware.Header)] string? idempotencyKey,
        PaymentService payments, CancellationToken cancellationToken) =>
        (await payments.PayAsync(request, idempotencyKey, cancellationToken)).ToHttp(r => r.Replayed
            ? TypedResults.Ok(PaymentResponse.From(r.Payment))
            : TypedResults.Created($"/api/financial/payments/{r.Payment.Id}", PaymentResponse.From(r.Payment)));

    private static async Task<IResult> ListAsync(int? limit, string? cursor, string? invoiceId, PaymentService payments, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        if (invoiceId is { Length: > 40 }) return Error.Validation("invoiceId", "is not an invoice id.").ToResult();
        return TypedResults.Ok(await payments.ListAsync(page.Value!, invoiceId, acrossTenants: false, cancellationToken));
    }

    private static async Task<IResult> ListAcrossTenantsAsync(int? limit, string? cursor, PaymentService payments, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        return page.IsSuccess ? TypedResults.Ok(await payments.ListAsync(page.Value!, null, acrossTenants: true, cancellationToken)) : page.Error!.ToResult();
    }

    private static async Task<IResult> GetAsync(string id, PaymentService payments, CancellationToken cancellationToken) =>
        await payments.GetAsync(id, cancellationToken) is { } payment ? TypedResults.Ok(PaymentResponse.From(payment)) : Error.NotFound("payment").ToResult();

    private static async Task<IResult> ConfirmAsync(string id, PaymentService payments, CancellationToken cancellationToken) =>
        (await payments.ConfirmAsync(id, cancellationToken)).ToHttp(p => TypedResults.Ok(PaymentResponse.From(p)));

    private static async Task<IResult> CreditNotesAsync(string? invoiceId, RefundService refunds, CancellationToken cancellationToken) =>
        TypedResults.Ok(await refunds.CreditNotesAsync(invoiceId, cancellationToken));

    private static async Task<IResult> ListMethodsAsync(PaymentMethodService methods, CancellationToken cancellationToken) =>
        TypedResults.Ok(await methods.ListAsync(cancellationToken));

    private static async Task<IResult> AddMethodAsync(AddPaymentMethodRequest request, PaymentMethodService methods, CancellationToken cancellationToken) =>
        (await methods.AddAsync(request, cancellationToken)).ToHttp(m => TypedResults.Created($"/api/financial/payment-methods/{m.Id}", PaymentMethodResponse.From(m)));

    private static async Task<IResult> RemoveMethodAsync(string id, PaymentMethodService methods, CancellationToken cancellationToken) =>
        (await methods.RemoveAsync(id, cancellationToken)).NoContentOr();

    private static async Task<IResult> RefundAsync(string id, CreateRefundRequest request, RefundService refunds, CancellationToken cancellationToken) =>
        (await refunds.RefundAcrossTenantsAsync(id, request, cancellationToken)).ToHttp(r => TypedResults.Created($"/api/admin/payments/{r.PaymentId}/refunds/{r.Id}", r));

    private static async Task<IResult> StripeWebhookAsync(HttpRequest request, StripeWebhooks webhooks, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        // Stripe's events are small; a bigger body is not Stripe's.
        var payload = await reader.ReadToEndAsync(cancellationToken);
        if (payload.Length > 512 * 1024) return Error.BadRequest("payload_too_large", "This is not a Stripe event.").ToResult();
        return (await webhooks.HandleAsync(payload, request.Headers["Stripe-Signature"].ToString(), cancellationToken))
            .ToHttp(outcome => TypedResults.Ok(new { received = true, outcome }));
    }
}
