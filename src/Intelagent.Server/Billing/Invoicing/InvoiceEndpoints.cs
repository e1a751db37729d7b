using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Subscriptions;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Invoicing;

/// <summary>Invoices, billing profiles and the billing run.</summary>
public static class InvoiceEndpoints
{
    public static IEndpointRouteBuilder MapInvoiceEndpoints(this IEndpointRouteBuilder app)
    {
        var tenant = app.MapGroup("/api/financial").WithTags("Billing");
        tenant.MapGet("/invoices", ListAsync).RequirePermission(Permissions.InvoicesRead).WithName("ListInvoices")
            .WithSummary("The organization's invoices, newest first").Produces<Page<InvoiceResponse>>().WithProblems(400, 403, 404);
        tenant.MapGet("/invoices/{id}", GetAsync).RequirePermission(Permissions.InvoicesRead).WithName("GetInvoice")
            .Produces<InvoiceResponse>().WithProblems(403, 404);
        tenant.MapGet("/invoices/{id}/pdf", PdfAsync).RequirePermission(Permissions.InvoicesRead).WithName("GetInvoicePdf")
            .WithSummary("The invoice as a PDF document").Produces(200, contentType: "application/pdf").WithProblems(403, 404);
        tenant.MapPost("/invoices", CreateAsync).RequirePermission(Permissions.PlatformOrganizationsManage).WithName("CreateInvoice")
            .WithSummary("An operator's one-off invoice for an organization (a draft unless finalize); honours Idempotency-Key")
            .Produces<InvoiceResponse>(201).WithProblems(400, 403, 409, 422);
        tenant.MapGet("/billing-profile", GetProfileAsync).RequirePermission(Permissions.BillingRead).WithName("GetBillingProfile")
            .Produces<BillingProfileResponse>().WithProblems(400, 403, 404);
        tenant.MapPut("/billing-profile", UpdateProfileAsync).RequirePermission(Permissions.BillingManage).WithName("UpdateBillingProfile")
            .WithSummary("The billing email and the currency of one-off invoices").Produces<BillingProfileResponse>().WithProblems(400, 403, 404);

        var admin = app.MapGroup("/api/admin").WithTags("Admin");
        admin.MapGet("/billing/invoices", ListAllAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("ListInvoicesAcrossTenants")
            .Produces<Page<InvoiceResponse>>().WithProblems(400, 403);
        admin.MapPost("/billing/invoices/{id}/finalize", FinalizeAsync).RequirePermission(Permissions.PlatformOrganizationsManage).WithName("FinalizeInvoice")
            .WithSummary("Draft to open, with the next number of the sequence; honours If-Match").Produces<InvoiceResponse>().WithProblems(403, 404, 409, 412).HonoursIfMatch();
        admin.MapPost("/billing/invoices/{id}/void", VoidAsync).RequirePermission(Permissions.PlatformOrganizationsManage).WithName("VoidInvoice")
            .Produces<InvoiceResponse>().WithProblems(403, 404, 409, 412).HonoursIfMatch();
        admin.MapPut("/organizations/{id}/billing-profile", UpdateProfileAsOperatorAsync).RequirePermission(Permissions.PlatformOrganizationsManage)
            .WithName("SetBillingProfile").WithSummary("Tax rate, payment terms, email, currency").Produces<BillingProfileResponse>().WithProblems(400, 403, 404);
        admin.MapPost("/billing/run", RunAsync).RequirePermission(Permissions.PlatformOrganizationsManage).WithName("RunBilling")
            .WithSummary("Renew what is due and issue its invoices now (the scheduled job does the same)").Produces<BillingRunResult>().WithProblems(403);
        return app;
    }

    private static async Task<IResult> ListAsync(int? limit, string? cursor, string? status, InvoiceService invoices, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        var statusFilter = QueryEnum.Parse<InvoiceStatus>("status", status);
        if (!statusFilter.IsSuccess) return statusFilter.Error!.ToResult();
        return TypedResults.Ok(await invoices.ListAsync(page.Value!, statusFilter.Value, null, false, cancellationToken));
    }

    private static async Task<IResult> ListAllAsync(int? limit, string? cursor, string? status, string? organizationId, InvoiceService invoices,
        CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        var statusFilter = QueryEnum.Parse<InvoiceStatus>("status", status);
        if (!statusFilter.IsSuccess) return statusFilter.Error!.ToResult();
        return TypedResults.Ok(await invoices.ListAsync(page.Value!, statusFilter.Value, organizationId, true, cancellationToken));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, InvoiceService invoices, CancellationToken cancellationToken)
    {
        if (await invoices.FindAsync(id, false, cancellationToken) is not { } invoice) return Error.NotFound("invoice").ToResult();
        ETags.Set(context, invoice.Version);
        return TypedResults.Ok(InvoiceResponse.From(invoice));
    }

    private static async Task<IResult> PdfAsync(string id, InvoiceService invoices, AppDb db, CancellationToken cancellationToken)
    {
        if (await invoices.FindAsync(id, false, cancellationToken) is not { } invoice) return Error.NotFound("invoice").ToResult();
        var name = await db.Organizations.IgnoreQueryFilters().Where(o => o.Id == invoice.OrganizationId).Select(o => o.Name).FirstAsync(cancellationToken);
        var profile = await invoices.ProfileAsync(invoice.OrganizationId, cancellationToken);
        var bytes = InvoicePdf.Render(invoice, name, profile.BillingEmail);
        return TypedResults.File(bytes, "application/pdf", (invoice.Number ?? invoice.Id) + ".pdf");
    }

    private static async Task<IResult> CreateAsync(CreateInvoiceRequest request, InvoiceService invoices, CancellationToken cancellationToken) =>
        (await invoices.CreateAsync(request, cancellationToken)).ToHttp(i => TypedResults.Created($"/api/financial/invoices/{i.Id}", InvoiceResponse.From(i)));

    private static async Task<IResult> FinalizeAsync(string id, HttpContext context, InvoiceService invoices, CancellationToken cancellationToken) =>
        (await invoices.FinalizeAsync(id, v => ETags.IfMatchAllows(context, v), cancellationToken)).ToHttp(i =>
        {
            ETags.Set(context, i.Version);
            return TypedResults.Ok(InvoiceResponse.From(i));
        });

    private static async Task<IResult> VoidAsync(string id, HttpContext context, InvoiceService invoices, CancellationToken cancellationToken) =>
        (await invoices.VoidAsync(id, v => ETags.IfMatchAllows(context, v), cancellationToken)).ToHttp(i =>
        {
            ETags.Set(context, i.Version);
            return TypedResults.Ok(InvoiceResponse.From(i));
        });

    private static async Task<IResult> GetProfileAsync(RequestContext caller, InvoiceService invoices, CancellationToken cancellationToken) =>
        TypedResults.Ok(BillingProfileResponse.From(await invoices.ProfileAsync(caller.OrganizationId!, cancellationToken)));

    private static async Task<IResult> UpdateProfileAsync(UpdateBillingProfileRequest request, RequestContext caller, InvoiceService invoices,
        CancellationToken cancellationToken) =>
        (await invoices.UpdateProfileAsync(caller.OrganizationId!, request, false, cancellationToken)).ToHttp(p => TypedResults.Ok(BillingProfileResponse.From(p)));

    private static async Task<IResult> UpdateProfileAsOperatorAsync(string id, UpdateBillingProfileRequest request, InvoiceService invoices,
        CancellationToken cancellationToken) =>
        (await invoices.UpdateProfileAsync(id, request, true, cancellationToken)).ToHttp(p => TypedResults.Ok(BillingProfileResponse.From(p)));

    private static async Task<IResult> RunAsync(BillingRunService run, CancellationToken cancellationToken) =>
        TypedResults.Ok(await run.RunAsync(cancellationToken));
}
