using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Invoicing;

/// <summary>Invoices: read by their organization, created, finalized and voided by the operator.</summary>
public sealed class InvoiceService(AppDb db, InvoiceIssuer issuer)
{
    public const int MaxLines = 100;

    private IQueryable<Invoice> Invoices(bool acrossTenants) =>
        (acrossTenants ? db.Set<Invoice>().IgnoreQueryFilters() : db.Set<Invoice>()).Include(i => i.Lines);

    public Task<Page<InvoiceResponse>> ListAsync(PageRequest page, InvoiceStatus? status, string? organizationId, bool acrossTenants,
        CancellationToken cancellationToken)
    {
        var query = Invoices(acrossTenants).AsNoTracking();
        if (organizationId is not null) query = query.Where(i => i.OrganizationId == organizationId);
        if (status is not null) query = query.Where(i => i.Status == status);
        return query.OrderByDescending(i => i.Id).ToPageAsync(page, (q, after) => q.Where(i => string.Compare(i.Id, after) < 0),
            i => i.Id, InvoiceResponse.From, cancellationToken);
    }

    public Task<Invoice?> FindAsync(string id, bool acrossTenants, CancellationToken cancellationToken) =>
        Invoices(acrossTenants).AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);

    public async Task<Result<Invoice>> CreateAsync(CreateInvoiceRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation().Required("organizationId", request.OrganizationId).OptionalText("memo", request.Memo, 500)
            .When(request.Currency is not null && !Currencies.IsSupported(request.Currency), "currency", "is not a supported ISO 4217 code.")
            .When(request.Lines is null || request.Lines.Count is 0 or > MaxLines, "lines", $"must hold 1 to {MaxLines} lines.");
        for (var i = 0; i < (request.Lines?.Count ?? 0); i++)
        {
            var line = request.Lines![i];
            validation.RequiredText($"lines[{i}].description", line.Description, 300)
                .When(line.Quantity is null or <= 0m or > 1_000_000m, $"lines[{i}].quantity", "must be more than 0 and at most 1,000,000.")
                .When(line.UnitAmount is null or < -1_000_000m or > 1_000_000m, $"lines[{i}].unitAmount", "is required, at most 1,000,000 either way.");
        }
        if (validation.Failed) return validation.ToError();
        if (!await db.Organizations.IgnoreQueryFilters().AnyAsync(o => o.Id == request.OrganizationId, cancellationToken))
            return Error.Validation("organizationId", "is not an organization.");
        var profile = await BillingProfile.ForAsync(db, request.OrganizationId!, cancellationToken);
        var currency = request.Currency ?? profile.Currency;
        var invoice = InvoiceMath.Build(request.OrganizationId!, currency, profile.TaxRatePercent,
            request.Lines!.Select(l => new LineDraft(InvoiceLineKind.OneOff, l.Description!.Trim(), l.Quantity!.Value, l.UnitAmount!.Value)),
            db.Clock, memo: request.Memo?.Trim());
        invoice.Version = 1;
        db.Set<Invoice>().Add(invoice);
        await issuer.SaveAndIssueAsync(request.Finalize == true ? [invoice] : [], cancellationToken);
        return invoice;
    }

    /// <summary>Draft to open: takes the next number of the one sequence.</summary>
    public async Task<Result<Invoice>> FinalizeAsync(string id, Func<int, bool> ifMatch, CancellationToken cancellationToken)
    {
        var invoice = await Invoices(true).FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (invoice is null) return Error.NotFound("invoice");
        if (!ifMatch(invoice.Version)) return Error.Stale("invoice");
        if (invoice.Status != InvoiceStatus.Draft) return Error.Conflict("invoice_not_draft", "Only a draft invoice can be finalized.");
        try
        {
            await issuer.SaveAndIssueAsync([invoice], cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Error.Conflict("invoice_changed", "The invoice was finalized or changed at the same time; read it again.");
        }
        return invoice;
    }

    /// <summary>A draft or open invoice with nothing paid can be voided; its number stays used, so the sequence keeps no gap.</summary>
    public async Task<Result<Invoice>> VoidAsync(string id, Func<int, bool> ifMatch, CancellationToken cancellationToken)
    {
        var invoice = await Invoices(true).FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (invoice is null) return Error.NotFound("invoice");
        if (!ifMatch(invoice.Version)) return Error.Stale("invoice");
        if (invoice.Status is not (InvoiceStatus.Draft or InvoiceStatus.Open) || invoice.AmountPaid > 0m)
            return Error.Conflict("invoice_not_voidable", "Only a draft or open invoice with nothing paid can be voided; refund a paid one.");
        invoice.Status = InvoiceStatus.Void;
        invoice.VoidedAt = db.Clock.GetUtcNow();
        invoice.Version++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Error.Conflict("invoice_changed", "The invoice changed at the same time; read it again.");
        }
        return invoice;
    }

    public async Task<BillingProfile> ProfileAsync(string organizationId, CancellationToken cancellationToken) =>
        await BillingProfile.ForAsync(db, organizationId, cancellationToken);

    /// <summary>Tenants set the email and currency; only the operator (<paramref name="asOperator"/>) sets tax and terms.</summary>
    public async Task<Result<BillingProfile>> UpdateProfileAsync(string organizationId, UpdateBillingProfileRequest request, bool asOperator,
        CancellationToken cancellationToken)
    {
        var validation = new Validation()
            .When(request.Currency is not null && !Currencies.IsSupported(request.Currency), "currency", "is not a supported ISO 4217 code.")
            .When(request.TaxRatePercent is < 0m or > 100m, "taxRatePercent", "must be between 0 and 100.")
            .When(request.PaymentTermDays is < 0 or > 365, "paymentTermDays", "must be between 0 and 365.")
            .When(!asOperator && (request.TaxRatePercent is not null || request.PaymentTermDays is not null), "taxRatePercent",
                "and paymentTermDays are set by the operator.");
        if (request.BillingEmail is not null) validation.Email("billingEmail", request.BillingEmail);
        if (validation.Failed) return validation.ToError();
        if (asOperator && !await db.Organizations.IgnoreQueryFilters().AnyAsync(o => o.Id == organizationId, cancellationToken))
            return Error.NotFound("organization");
        var profile = await db.Set<BillingProfile>().IgnoreQueryFilters().FirstOrDefaultAsync(p => p.OrganizationId == organizationId, cancellationToken);
        if (profile is null) db.Set<BillingProfile>().Add(profile = BillingProfile.Default(organizationId));
        if (request.BillingEmail is not null) profile.BillingEmail = request.BillingEmail.Trim();
        if (request.Currency is not null) profile.Currency = request.Currency;
        if (request.TaxRatePercent is { } rate) profile.TaxRatePercent = rate;
        if (request.PaymentTermDays is { } days) profile.PaymentTermDays = days;
        profile.UpdatedAt = db.Clock.GetUtcNow();
        profile.Version++;
        await db.SaveChangesAsync(cancellationToken);
        return profile;
    }
}
